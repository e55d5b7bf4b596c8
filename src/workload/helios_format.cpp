// SenseTime Helios cluster_log.csv (S-Lab-System-Group/HeliosData; docs/formats/helios.md):
// job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,duration,queue
// One Slurm job per row; times are date-times (or epoch numbers in derived files); rows
// without GPUs are CPU jobs and are dropped.
#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "suanli/common/input_error.hpp"
#include "suanli/workload/csv_util.hpp"
#include "suanli/workload/trace_format.hpp"
#include "suanli/workload/trace_time.hpp"

namespace suanli::workload {

namespace {

enum Column : int {
  kJobId,
  kUser,
  kVc,
  kGpuNum,
  kCpuNum,
  kNodeNum,
  kState,
  kSubmitTime,
  kStartTime,
  kEndTime,
  kDuration,
  kQueue,
  kColumnCount
};

constexpr std::array<std::string_view, kColumnCount> kColumnNames = {
    "job_id", "user",        "vc",         "gpu_num",  "cpu_num",  "node_num",
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

class HeliosReader {
 public:
  HeliosReader(const std::string& path, const ReadOptions& options)
      : path_(path), options_(options) {}

  Workload read();

 private:
  [[noreturn]] void fail(int line, std::string_view column, const std::string& what) const {
    throw InputError(located(path_, line, std::string(column), what));
  }
  [[noreturn]] void fail(int line, Column column, const std::string& what) const {
    fail(line, kColumnNames[column], what);
  }

  void read_header(std::span<char> text, int line);
  void read_row(std::span<char> text, int line);
  std::string_view field(Column c) const {
    const int i = index_[c];
    return i < 0 ? std::string_view() : fields_[static_cast<std::size_t>(i)];
  }
  // False when the cell is empty or says "no time" (None, NaN, NaT, ...).
  bool time_value(Column c, int line, double& out);
  bool number_value(Column c, int line, double& out) const;

  std::string path_;
  ReadOptions options_;
  Workload workload_;
  int header_line_ = 0;
  std::vector<std::string> header_names_;
  std::array<int, kColumnCount> index_{};
  std::array<TimeColumn, kColumnCount> time_columns_{};
  std::vector<std::string_view> fields_;
  std::optional<FirstSeen> ids_;
  std::array<std::size_t, kDropCount> dropped_{};
  // Earliest submission seen on any row (kept or not), as seconds and as written.
  double epoch_ = std::numeric_limits<double>::infinity();
  std::string epoch_text_;
};

Workload HeliosReader::read() {
  workload_.source = path_;
  workload_.format = "helios";
  const std::size_t lines = count_file_newlines(path_) + 1;
  workload_.jobs.reserve(lines);
  ids_.emplace(lines);

  for_each_file_line(path_, [this](std::span<char> text, int line) {
    if (header_line_ == 0) {
      read_header(text, line);
    } else {
      read_row(text, line);
    }
  });
  if (header_line_ == 0) {
    fail(0, "",
         "no header line (the file is empty); expected the Helios header '" + std::string(kHeader) +
             "'");
  }

  if (!epoch_text_.empty()) {
    for (Job& job : workload_.jobs) job.submit_s -= epoch_;
    workload_.metadata.emplace_back("epoch_first_submit", epoch_text_);
  }
  for (int d = 0; d < kDropCount; ++d) {
    if (dropped_[d] > 0) {
      workload_.metadata.emplace_back(std::string(kDropNames[d]), std::to_string(dropped_[d]));
    }
  }
  return std::move(workload_);
}

void HeliosReader::read_header(std::span<char> text, int line) {
  header_line_ = line;
  read_csv_header(path_, line, text, kColumnNames, index_, fields_, header_names_,
                  workload_.ignored_columns);
  for (Column c : {kJobId, kGpuNum, kSubmitTime}) {
    if (index_[c] < 0) {
      fail(line, c,
           "required column missing from the header (a Helios cluster_log.csv header reads '" +
               std::string(kHeader) + "')");
    }
  }
  if (index_[kDuration] < 0 && (index_[kStartTime] < 0 || index_[kEndTime] < 0)) {
    fail(line, kDuration, "column missing: the header needs duration, or start_time and end_time");
  }
}

bool HeliosReader::time_value(Column c, int line, double& out) {
  if (index_[c] < 0) return false;
  const std::string_view text = field(c);
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
        column = {TimeColumn::kDateTime, line};
        return true;
      }
      if (parse_double(text, out)) {
        column = {TimeColumn::kNumber, line};
        return true;
      }
      fail(line, c,
           quote_for_message(text) +
               " is neither a date-time 'YYYY-MM-DD HH:MM:SS' nor a number of seconds");
  }
  fail(line, c,
       quote_for_message(text) + " is not " +
           (column.kind == TimeColumn::kDateTime ? "a date-time 'YYYY-MM-DD HH:MM:SS'"
                                                 : "a number of seconds") +
           " like the column's first value (line " + std::to_string(column.decided_on) + ")");
}

bool HeliosReader::number_value(Column c, int line, double& out) const {
  const std::string_view text = field(c);
  if (text.empty()) return false;
  if (!parse_double(text, out)) fail(line, c, quote_for_message(text) + " is not a number");
  return true;
}

void HeliosReader::read_row(std::span<char> text, int line) {
  read_csv_row(path_, line, text, fields_, header_names_, header_line_);

  const std::string_view id = field(kJobId);
  if (id.empty()) fail(line, kJobId, "missing value");
  const int gpus = read_gpu_count(path_, line, kColumnNames[kGpuNum], field(kGpuNum));

  // Every submission counts for time 0, whether or not its row is kept.
  double submit = 0;
  const bool has_submit = time_value(kSubmitTime, line, submit);
  if (has_submit && submit < epoch_) {
    epoch_ = submit;
    epoch_text_.assign(field(kSubmitTime));
  }
  if (gpus == 0) {
    ++dropped_[kDropCpuOnly];
    return;
  }
  if (!has_submit) {
    ++dropped_[kDropNoSubmit];
    return;
  }

  double start = 0, end = 0, duration = 0;
  const bool has_start = time_value(kStartTime, line, start);
  const bool has_end = time_value(kEndTime, line, end);
  bool has_duration = number_value(kDuration, line, duration);
  if (has_duration) {
    if (duration < 0)
      fail(line, kDuration, "must be >= 0, got " + quote_for_message(field(kDuration)));
  } else if (has_start && has_end) {
    if (time_columns_[kStartTime].kind != time_columns_[kEndTime].kind) {
      fail(line, kEndTime,
           "start_time and end_time are written differently (one as date-times, the other as "
           "numbers): cannot take their difference");
    }
    if (end < start) {
      fail(line, kEndTime,
           quote_for_message(field(kEndTime)) + " is before start_time " +
               quote_for_message(field(kStartTime)));
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

  if (const int first = ids_->insert(id, line)) {
    fail(line, kJobId,
         "duplicate job id " + quote_for_message(id) + " (first on line " + std::to_string(first) +
             ")");
  }
  Job job;
  job.line = line;
  job.id.assign(id);
  job.submit_s = submit;  // made relative to the first submission at the end
  job.num_gpus = gpus;
  job.duration_s = started ? duration : 0;
  job.started_in_trace = started;
  job.trace_state.assign(field(kState));
  job.user.assign(field(kUser));
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
