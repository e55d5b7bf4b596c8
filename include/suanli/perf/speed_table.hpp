#pragma once
// A measured speed table: job type x GPU model x GPU count -> steps per second. It tells how
// much faster one GPU model runs a job type than another, where peak FLOP/s would only guess
// (a K80 runs a ResNet about 4x slower than a V100, not the 29x their peaks say).
//
// Two file forms, told apart by content:
//  - Gavel's throughputs JSON (workload::GavelThroughputs): each worker type is the GPU that
//    workload::gavel_worker_gpu names (v100 -> V100, p100 -> P100, k80 -> K80). A worker
//    with the "_unconsolidated" suffix serves only when the table has no plain worker for that
//    GPU (v100_unconsolidated is V100 only without v100).
//  - CSV with the header job_type,gpu_type,num_gpus,steps_per_s (any column order; num_gpus
//    may be left out, or left empty on a row: the row then holds for any GPU count, unless a
//    row for the exact count exists). Blank lines and lines starting with '#' are skipped.
// GPU names match the device catalog case-insensitively; job types match exactly.
// 0 steps per second means the job type cannot run on that GPU (Gavel: it does not fit in
// the GPU's memory).
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "suanli/workload/gavel_throughputs.hpp"

namespace suanli::perf {

class SpeedTable {
 public:
  enum class Format { gavel_json, csv };

  // Reads the file in the form sniff() tells.
  // Bad input: InputError naming the file and the line and column (CSV) or the JSON path.
  static SpeedTable read(const std::string& path);
  // The same from text in memory; `source` names it in messages.
  static SpeedTable parse(std::string_view text, const std::string& source);
  static SpeedTable parse_csv(std::string_view text, const std::string& source);
  static SpeedTable from_gavel(workload::GavelThroughputs table);
  // The form of a table file from its text: Gavel JSON when the first non-blank character
  // (after a UTF-8 byte order mark) is '{', else CSV.
  static Format sniff(std::string_view text);

  // Steps per second of `job_type` on `num_gpus` GPUs of model `gpu`: the entry for that
  // count, else (CSV) the row for any count; nothing when the table has neither.
  std::optional<double> steps_per_second(std::string_view job_type, std::string_view gpu,
                                         int num_gpus) const;
  // True when the table has any entry for `job_type`.
  bool has_job_type(std::string_view job_type) const;
  // The GPU models the table covers (catalog names, upper-cased), sorted.
  std::vector<std::string> gpus() const;

  Format format() const { return format_; }
  const std::string& source() const { return source_; }
  // (job type, GPU, count) entries; for Gavel, those of the workers in use.
  std::size_t entries() const;

 private:
  Format format_ = Format::csv;
  std::string source_;
  // Gavel: the table, and the worker used for each GPU (upper-cased name), sorted by GPU.
  std::optional<workload::GavelThroughputs> gavel_;
  std::vector<std::pair<std::string, std::string>> gavel_workers_;
  // CSV: job type -> GPU (upper-cased) -> GPU count (0 = any) -> steps per second.
  using ByCount = std::map<int, double>;
  using ByGpu = std::map<std::string, ByCount, std::less<>>;
  std::map<std::string, ByGpu, std::less<>> csv_;
};

}  // namespace suanli::perf
