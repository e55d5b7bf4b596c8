#pragma once
// Gavel's throughputs JSON (stanford-futuredata/gavel, scheduler/simulation_throughputs.json):
// for each worker type (v100, p100, k80, ...), for each "(job_type, scale_factor)" key, the
// job's isolated throughput in steps per second (its "null" entry). The co-location entries
// beside "null" (throughputs of a job sharing a GPU with another) are not read.
//
// The Gavel reader turns a trace's step counts into seconds with it; it is also a per-GPU-type
// speed table: steps_per_second(w1, ...) / steps_per_second(w2, ...) is how much faster one
// worker type runs a job type than another.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace suanli::workload {

class GavelThroughputs {
 public:
  // Reads and checks the whole file. Bad input: InputError naming the file and the JSON path
  // ("file: /v100/('ResNet-18 (batch size 64)', 1)/null: must be a number >= 0").
  static GavelThroughputs read(const std::string& path);
  // The same from text already in memory; `source` names it in messages.
  static GavelThroughputs parse(std::string_view json_text, const std::string& source);

  // Isolated steps per second of `scale_factor` GPUs of `worker` running `job_type`, or
  // nothing when the table has no such worker or key. 0 means the job type cannot run there
  // (Gavel's tables say 0 for a model that does not fit in the GPU's memory).
  std::optional<double> steps_per_second(std::string_view worker, std::string_view job_type,
                                         int scale_factor) const;

  bool has_worker(std::string_view worker) const;
  // The job types the table has for `worker` (sorted; empty when none).
  std::vector<std::string> job_types(std::string_view worker) const;
  std::vector<std::string> workers() const;  // sorted
  // The scale factors the table has for `job_type` on `worker` (sorted; empty when none).
  std::vector<int> scale_factors(std::string_view worker, std::string_view job_type) const;
  std::size_t entries() const;  // (worker, job_type, scale_factor) entries in all
  const std::string& source() const { return source_; }

 private:
  using ByScale = std::map<int, double>;
  using ByJobType = std::map<std::string, ByScale, std::less<>>;
  std::string source_;
  std::map<std::string, ByJobType, std::less<>> table_;
};

// A key as Gavel writes it (Python's repr of the tuple): "('ResNet-18 (batch size 64)', 1)".
std::string gavel_key(std::string_view job_type, int scale_factor);

// Parses such a key; false when `key` is not of that form.
bool parse_gavel_key(std::string_view key, std::string& job_type, int& scale_factor);

// The device catalog name of a Gavel worker type's GPU: "v100" -> "V100", "p100" -> "P100",
// "k80" -> "K80"; a "_unconsolidated" suffix is dropped, any other name is upper-cased.
std::string gavel_worker_gpu(std::string_view worker);

}  // namespace suanli::workload
