#pragma once
// What the trace readers share beyond the CSV row loop (suanli/common/csv_reader.hpp): the
// base of the CSV readers (the file, the workload being filled, the ids seen), errors named
// "file:line: field: what" for the readers that are not CSV (SWF, Gavel, Batsim, Philly), the
// processors-to-GPUs rule of SWF and Batsim, and the checks of the two trace writers. Each is
// here because two or more formats did the same thing by hand.
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "suanli/workload/csv_util.hpp"
#include "suanli/workload/job.hpp"
#include "suanli/workload/trace_format.hpp"

namespace suanli::workload {

// A reader of one trace file with its options: "file:line: field: what" errors (line 0:
// none, field "": none).
class TraceFile {
 public:
  explicit TraceFile(const std::string& path, const ReadOptions& options = {})
      : path_(path), options_(options) {}

  const std::string& path() const { return path_; }
  [[noreturn]] void fail(int line, std::string_view field, const std::string& what) const;

 protected:
  std::string path_;
  ReadOptions options_;
};

// The base of a CSV trace reader: the file read row by row, the workload it fills (room for a
// job per line, so that the vector never moves) and the job ids seen.
class CsvTraceReader {
 protected:
  CsvTraceReader(const std::string& path, std::span<const std::string_view> columns,
                 std::string_view format, const ReadOptions& options = {}, LineRules rules = {})
      : csv_(path, columns, rules),
        options_(options),
        workload_(start_workload(path, format, csv_.expected_rows())),
        ids_(csv_.expected_rows()) {}

  // Reads the header; "file: no header line (the file is empty); expected <expected>" when
  // there is none.
  void read_header_or_fail(const std::string& expected);

  CsvReader csv_;
  ReadOptions options_;
  Workload workload_;
  FirstSeen ids_;
};

// --gpus-per-proc, which SWF and Batsim both list.
inline constexpr FormatOption kGpusPerProcOption{
    .name = "gpus-per-proc",
    .help = "swf/batsim: GPUs per processor or resource",
    .number = &ReadOptions::gpus_per_proc,
    .show_default = true};

// ReadOptions::gpus_per_proc must be a finite number > 0: InputError "file: --gpus-per-proc:
// must be a number > 0, got x" otherwise.
void check_gpus_per_proc(const std::string& path, double gpus_per_proc);

// ceil(units x gpus_per_unit), at least 1, for the processors of SWF and the resources of
// Batsim. A product within one part in 10^9 of a whole number is taken as that number, so
// that 3 processors x (1/3) GPU is 1 GPU, not 2. nullopt when it is more than an int holds.
std::optional<int> gpus_for_units(double units, double gpus_per_unit);

// The checks of a trace writer that carries a run time and whole processors: throw
// std::invalid_argument "job 'x' (line N): ..." ending in the format's own reason.
// The work must be a duration > 0:
void check_written_duration(const Job& job, std::string_view no_duration,
                            std::string_view not_positive);
// At least 1 GPU, and whole GPUs:
void check_written_gpus(const Job& job, std::string_view too_few, std::string_view shared);

}  // namespace suanli::workload
