// SenseTime Helios cluster_log.csv (S-Lab-System-Group/HeliosData; docs/formats/helios.md):
// job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,duration,queue
// One Slurm job per row; times are date-times (or epoch numbers in derived files); rows
// without GPUs are CPU jobs and are dropped.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "suanli/workload/csv_util.hpp"
#include "suanli/workload/trace_format.hpp"
#include "suanli/workload/trace_reader.hpp"
#include "suanli/workload/trace_time.hpp"

namespace suanli::workload {

namespace {

constexpr ColumnNames col{"job_id", "user",        "vc",         "gpu_num",  "cpu_num",  "node_num",
                          "state",  "submit_time", "start_time", "end_time", "duration", "queue"};

constexpr std::string_view kHeader =
    "job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,duration,"
    "queue";

// Dropped-row reasons, in the order they are reported in the metadata.
enum Drop : int { kDropCpuOnly, kDropNoSubmit, kDropNoEnd, kDropNeverStarted, kDropCount };
constexpr std::array<std::string_view, kDropCount> kDropNames = {
    "dropped_cpu_only", "dropped_no_submit_time", "dropped_no_end_time", "dropped_never_started"};

// A time column holds date-times or plain numbers (seconds); its first value decides which,
// and every other value of the column must be of the same kind.
struct TimeColumn {
  enum Kind { kUnknown, kNumber, kDateTime } kind = kUnknown;
  int decided_on = 0;  // line of the value that decided the kind
};

class HeliosReader : CsvTraceReader {
 public:
  HeliosReader(const std::string& path, const ReadOptions& options)
      : CsvTraceReader(path, col.names, "helios", options) {}

  Workload read();

 private:
  void read_header();
  void read_row();
  // False when the cell is empty or says "no time" (None, NaN, NaT, ...).
  bool time_value(int c, double& out);

  std::array<TimeColumn, col.size()> time_columns_{};
  std::array<std::size_t, kDropCount> dropped_{};
  // Earliest submission seen on any row (kept or not), as seconds and as written.
  EarliestTime first_;
};

Workload HeliosReader::read() {
  read_header_or_fail("the Helios header '" + std::string(kHeader) + "'");
  read_header();
  while (csv_.next()) read_row();
  start_at_first_submit(workload_, first_);
  for (int d = 0; d < kDropCount; ++d) add_count(workload_, kDropNames[d], dropped_[d]);
  return std::move(workload_);
}

void HeliosReader::read_header() {
  workload_.ignored_columns = csv_.ignored();
  csv_.require({col("job_id"), col("gpu_num"), col("submit_time")},
               "required column missing from the header (a Helios cluster_log.csv header reads '" +
                   std::string(kHeader) + "')");
  if (!csv_.has(col("duration")) && (!csv_.has(col("start_time")) || !csv_.has(col("end_time")))) {
    csv_.fail(col("duration"),
              "column missing: the header needs duration, or start_time and end_time");
  }
}

bool HeliosReader::time_value(int c, double& out) {
  if (!csv_.has(c)) return false;
  const std::string_view text = csv_.field(c);
  if (is_missing_time(text)) return false;
  TimeColumn& column = time_columns_[c];
  switch (column.kind) {
    case TimeColumn::kDateTime:
      if (parse_datetime(text, out)) return true;
      break;
    case TimeColumn::kNumber:
      if (parse_double(text, out)) return true;
      break;
    case TimeColumn::kUnknown:
      if (parse_datetime(text, out)) {
        column = {TimeColumn::kDateTime, csv_.line()};
        return true;
      }
      if (parse_double(text, out)) {
        column = {TimeColumn::kNumber, csv_.line()};
        return true;
      }
      csv_.fail(c, quote_for_message(text) +
                       " is neither a date-time 'YYYY-MM-DD HH:MM:SS' nor a number of seconds");
  }
  csv_.fail(c, quote_for_message(text) + " is not " +
                   (column.kind == TimeColumn::kDateTime ? "a date-time 'YYYY-MM-DD HH:MM:SS'"
                                                         : "a number of seconds") +
                   " like the column's first value (line " + std::to_string(column.decided_on) +
                   ")");
}

void HeliosReader::read_row() {
  const std::string_view id = csv_.field(col("job_id"));
  if (id.empty()) csv_.fail(col("job_id"), "missing value");
  const int gpus = read_gpu_count(csv_.path(), csv_.line(), csv_.name(col("gpu_num")),
                                  csv_.field(col("gpu_num")));

  // Every submission counts for time 0, whether or not its row is kept.
  double submit = 0;
  const bool has_submit = time_value(col("submit_time"), submit);
  if (has_submit) first_.see(submit, csv_.field(col("submit_time")));
  if (gpus == 0) {
    ++dropped_[kDropCpuOnly];
    return;
  }
  if (!has_submit) {
    ++dropped_[kDropNoSubmit];
    return;
  }

  double start = 0, end = 0, duration = 0;
  const bool has_start = time_value(col("start_time"), start);
  const bool has_end = time_value(col("end_time"), end);
  bool has_duration = csv_.optional_number(col("duration"), duration);
  if (has_duration) {
    if (duration < 0)
      csv_.fail(col("duration"),
                "must be >= 0, got " + quote_for_message(csv_.field(col("duration"))));
  } else if (has_start && has_end) {
    if (time_columns_[col("start_time")].kind != time_columns_[col("end_time")].kind) {
      csv_.fail(col("end_time"),
                "start_time and end_time are written differently (one as date-times, the other as "
                "numbers): cannot take their difference");
    }
    if (end < start) {
      csv_.fail(col("end_time"), quote_for_message(csv_.field(col("end_time"))) +
                                     " is before start_time " +
                                     quote_for_message(csv_.field(col("start_time"))));
    }
    duration = end - start;
    has_duration = true;
  }
  // Ran when it ran for some time; without a duration, when it has a start time.
  const bool started = has_duration ? duration > 0 : has_start;
  if (started && !has_duration) {
    ++dropped_[kDropNoEnd];  // started, never ended in the trace: no duration to replay
    return;
  }
  if (!started && !options_.keep_unstarted) {
    ++dropped_[kDropNeverStarted];
    return;
  }

  csv_.check_unique(ids_, col("job_id"), "job id");
  Job job;
  job.line = csv_.line();
  job.id.assign(id);
  job.submit_s = submit;  // made relative to the first submission at the end
  job.num_gpus = gpus;
  job.duration_s = started ? duration : 0;
  job.started_in_trace = started;
  job.trace_state.assign(csv_.field(col("state")));
  job.user.assign(csv_.field(col("user")));
  workload_.jobs.push_back(std::move(job));
}

}  // namespace

Workload read_helios(const std::string& path, const ReadOptions& options) {
  return HeliosReader(path, options).read();
}

bool sniff_helios(std::string_view head, std::string_view /*path*/) {
  return csv_header_has_columns(head, {"gpu_num", "node_num", "state"});
}

}  // namespace suanli::workload
