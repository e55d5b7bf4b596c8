// Tiresias simulator job trace (SymbioticLab/Tiresias, simulator/*_job.csv;
// docs/formats/tiresias.md): job_id,num_gpu,submit_time,iterations,model_name,duration,interval
// Times are seconds; every job runs (a simulator input has no "never started").
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "suanli/workload/csv_util.hpp"
#include "suanli/workload/trace_format.hpp"
#include "suanli/workload/trace_time.hpp"

namespace suanli::workload {

namespace {

constexpr ColumnNames col{"job_id",     "num_gpu",  "submit_time", "iterations",
                          "model_name", "duration", "interval"};

constexpr std::string_view kHeader =
    "job_id,num_gpu,submit_time,iterations,model_name,duration,interval";

}  // namespace

Workload read_tiresias(const std::string& path, const ReadOptions& /*options*/) {
  CsvReader csv(path, col.names);
  Workload w = start_workload(path, "tiresias", csv.expected_rows());
  FirstSeen ids(csv.expected_rows());
  if (!csv.read_header()) {
    csv.fail_file("no header line (the file is empty); expected the Tiresias header '" +
                  std::string(kHeader) + "'");
  }
  w.ignored_columns = csv.ignored();
  if (csv.fields().size() == 1 && csv.fields()[0] == "duration") {
    csv.fail("",
             "a single 'duration' column is a Tiresias GPU-time distribution (yarn-gput*.csv, "
             "for its Gittins-index policy), not a job trace; a job trace has the header '" +
                 std::string(kHeader) + "'");
  }
  csv.require({col("job_id"), col("num_gpu"), col("submit_time"), col("duration")},
              "required column missing from the header (a Tiresias job trace header reads '" +
                  std::string(kHeader) + "')");

  EarliestTime first;
  std::size_t dropped_cpu_only = 0;
  while (csv.next()) {
    if (csv.field(col("job_id")).empty()) csv.fail(col("job_id"), "missing value");
    const int gpus =
        read_gpu_count(path, csv.line(), csv.name(col("num_gpu")), csv.field(col("num_gpu")));
    const double submit = csv.number(col("submit_time"));
    const double duration = csv.number(col("duration"));
    if (duration < 0) {
      csv.fail(col("duration"),
               "must be >= 0, got " + quote_for_message(csv.field(col("duration"))));
    }
    first.see(submit, csv.field(col("submit_time")));
    if (gpus == 0) {
      ++dropped_cpu_only;
      continue;
    }
    csv.check_unique(ids, col("job_id"), "job id");

    Job job;
    job.line = csv.line();
    job.id.assign(csv.field(col("job_id")));
    job.submit_s = submit;  // made relative to the first submission at the end
    job.num_gpus = gpus;
    job.duration_s = duration;
    job.job_type.assign(csv.field(col("model_name")));
    w.jobs.push_back(std::move(job));
  }
  start_at_first_submit(w, first);
  add_count(w, "dropped_cpu_only", dropped_cpu_only);
  return w;
}

bool sniff_tiresias(std::string_view head, std::string_view /*path*/) {
  return csv_header_has_columns(head, {"num_gpu", "model_name", "iterations"});
}

}  // namespace suanli::workload
