// Tiresias simulator job trace (SymbioticLab/Tiresias, simulator/*_job.csv;
// docs/formats/tiresias.md): job_id,num_gpu,submit_time,iterations,model_name,duration,interval
// Times are seconds; every job runs (a simulator input has no "never started").
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
  kNumGpu,
  kSubmitTime,
  kIterations,
  kModelName,
  kDuration,
  kInterval,
  kColumnCount
};

constexpr std::array<std::string_view, kColumnCount> kColumnNames = {
    "job_id", "num_gpu", "submit_time", "iterations", "model_name", "duration", "interval"};

constexpr std::string_view kHeader =
    "job_id,num_gpu,submit_time,iterations,model_name,duration,interval";

class TiresiasReader {
 public:
  explicit TiresiasReader(const std::string& path) : path_(path) {}

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
  double required_number(Column c, int line) const;

  std::string path_;
  Workload workload_;
  int header_line_ = 0;
  std::vector<std::string> header_names_;
  std::array<int, kColumnCount> index_{};
  std::vector<std::string_view> fields_;
  std::optional<FirstSeen> ids_;
  std::size_t dropped_cpu_only_ = 0;
  double epoch_ = std::numeric_limits<double>::infinity();
  std::string epoch_text_;
};

Workload TiresiasReader::read() {
  workload_.source = path_;
  workload_.format = "tiresias";
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
         "no header line (the file is empty); expected the Tiresias header '" +
             std::string(kHeader) + "'");
  }

  if (!epoch_text_.empty()) {
    for (Job& job : workload_.jobs) job.submit_s -= epoch_;
    workload_.metadata.emplace_back("epoch_first_submit", epoch_text_);
  }
  if (dropped_cpu_only_ > 0) {
    workload_.metadata.emplace_back("dropped_cpu_only", std::to_string(dropped_cpu_only_));
  }
  return std::move(workload_);
}

void TiresiasReader::read_header(std::span<char> text, int line) {
  header_line_ = line;
  read_csv_header(path_, line, text, kColumnNames, index_, fields_, header_names_,
                  workload_.ignored_columns);
  if (fields_.size() == 1 && fields_[0] == "duration") {
    fail(line, "",
         "a single 'duration' column is a Tiresias GPU-time distribution (yarn-gput*.csv, for "
         "its Gittins-index policy), not a job trace; a job trace has the header '" +
             std::string(kHeader) + "'");
  }
  for (Column c : {kJobId, kNumGpu, kSubmitTime, kDuration}) {
    if (index_[c] < 0) {
      fail(line, c,
           "required column missing from the header (a Tiresias job trace header reads '" +
               std::string(kHeader) + "')");
    }
  }
}

double TiresiasReader::required_number(Column c, int line) const {
  const std::string_view text = field(c);
  if (text.empty()) fail(line, c, "missing value");
  double value = 0;
  if (!parse_double(text, value)) fail(line, c, quote_for_message(text) + " is not a number");
  return value;
}

void TiresiasReader::read_row(std::span<char> text, int line) {
  read_csv_row(path_, line, text, fields_, header_names_, header_line_);

  const std::string_view id = field(kJobId);
  if (id.empty()) fail(line, kJobId, "missing value");
  const int gpus = read_gpu_count(path_, line, kColumnNames[kNumGpu], field(kNumGpu));
  const double submit = required_number(kSubmitTime, line);
  const double duration = required_number(kDuration, line);
  if (duration < 0) {
    fail(line, kDuration, "must be >= 0, got " + quote_for_message(field(kDuration)));
  }
  if (submit < epoch_) {
    epoch_ = submit;
    epoch_text_.assign(field(kSubmitTime));
  }
  if (gpus == 0) {
    ++dropped_cpu_only_;
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
  job.duration_s = duration;
  job.job_type.assign(field(kModelName));
  workload_.jobs.push_back(std::move(job));
}

}  // namespace

Workload read_tiresias(const std::string& path, const ReadOptions& /*options*/) {
  return TiresiasReader(path).read();
}

bool sniff_tiresias(std::string_view head, std::string_view /*path*/) {
  return csv_header_has_columns(head, {"num_gpu", "model_name", "iterations"});
}

}  // namespace suanli::workload
