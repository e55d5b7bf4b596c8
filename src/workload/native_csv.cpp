#include "suanli/workload/native_csv.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "suanli/common/csv_field.hpp"
#include "suanli/common/input_error.hpp"
#include "suanli/workload/csv_util.hpp"

namespace suanli::workload {

namespace {

enum Column : int {
  kJobId,
  kSubmitTime,
  kNumGpus,
  kDuration,
  kParams,
  kTokens,
  kMfu,
  kBatchTokens,
  kGpuType,
  kWalltime,
  kUser,
  kPriority,
  kGpuMilli,
  kJobType,
  kReferenceGpu,
  kColumnCount
};

// Also the column order write_native_csv uses.
constexpr std::array<std::string_view, kColumnCount> kColumnNames = {
    "job_id", "submit_time", "num_gpus",     "duration", "params",
    "tokens", "mfu",         "batch_tokens", "gpu_type", "walltime",
    "user",   "priority",    "gpu_milli",    "job_type", "reference_gpu"};

constexpr std::string_view kExampleHeader = "job_id,submit_time,num_gpus,duration";

// Says why text that parse_int refused is not a usable integer.
std::string not_an_integer(std::string_view text) {
  double value = 0;
  if (!parse_double(text, value)) return quote_for_message(text) + " is not a number";
  // Only digits after an optional sign, yet parse_int refused it: too many digits for int.
  const std::size_t digits_from = text.front() == '+' || text.front() == '-' ? 1 : 0;
  if (text.find_first_not_of("0123456789", digits_from) == std::string_view::npos) {
    return quote_for_message(text) + " is out of range";
  }
  return quote_for_message(text) + " is not an integer";
}

class NativeCsvReader {
 public:
  explicit NativeCsvReader(const std::string& path) : path_(path) {}

  Workload read();

 private:
  [[noreturn]] void fail(int line, std::string_view column, const std::string& what) const {
    throw InputError(located(path_, line, std::string(column), what));
  }
  [[noreturn]] void fail(int line, Column column, const std::string& what) const {
    fail(line, kColumnNames[column], what);
  }

  void read_header(std::span<char> text, int line);
  void check_header_columns(int line) const;
  void read_row(std::span<char> text, int line);
  void read_work(Job& job, int line) const;
  void read_options(Job& job, int line) const;

  std::string_view field(Column c) const {
    const int i = index_[c];
    return i < 0 ? std::string_view() : fields_[static_cast<std::size_t>(i)];
  }
  std::optional<double> optional_number(Column c, int line) const;
  double required_number(Column c, int line) const;
  std::optional<int> optional_integer(Column c, int line) const;

  std::string path_;
  Workload workload_;
  int header_line_ = 0;  // 0 until the header has been read
  std::vector<std::string> header_names_;
  std::array<int, kColumnCount> index_{};  // position of each known column, -1 if absent
  std::vector<std::string_view> fields_;   // reused for every row
  std::optional<FirstSeen> ids_;
};

Workload NativeCsvReader::read() {
  // The file is read in chunks and each row parsed in place in the chunk; the jobs are
  // reserved once from a count of the lines, so the vector never moves.
  workload_.source = path_;
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
         "no header line (the file is empty or holds only blank and comment lines); expected "
         "a header such as '" +
             std::string(kExampleHeader) + "'");
  }
  return std::move(workload_);
}

void NativeCsvReader::read_header(std::span<char> text, int line) {
  header_line_ = line;
  read_csv_header(path_, line, text, kColumnNames, index_, fields_, header_names_,
                  workload_.ignored_columns);
  check_header_columns(line);
}

void NativeCsvReader::check_header_columns(int line) const {
  const bool any_known = std::any_of(index_.begin(), index_.end(), [](int i) { return i >= 0; });
  for (Column c : {kJobId, kSubmitTime, kNumGpus}) {
    if (index_[c] < 0) {
      fail(line, c,
           std::string("required column missing from the header") +
               (any_known ? "" : " (no known column at all: is the header line missing?)"));
    }
  }
  const bool duration = index_[kDuration] >= 0;
  const bool params = index_[kParams] >= 0;
  const bool tokens = index_[kTokens] >= 0;
  if (!duration && !params && !tokens) {
    fail(line, kDuration, "column missing: the header needs duration, or params and tokens");
  }
  if (params && !tokens) fail(line, kTokens, "column missing: a params column needs tokens");
  if (tokens && !params) fail(line, kParams, "column missing: a tokens column needs params");
}

void NativeCsvReader::read_row(std::span<char> text, int line) {
  read_csv_row(path_, line, text, fields_, header_names_, header_line_);

  Job job;
  job.line = line;
  const std::string_view id = field(kJobId);
  if (id.empty()) fail(line, kJobId, "missing value");
  if (const int first = ids_->insert(id, line)) {
    fail(line, kJobId,
         "duplicate job id " + quote_for_message(id) + " (first on line " + std::to_string(first) +
             ")");
  }
  job.id.assign(id);

  job.submit_s = required_number(kSubmitTime, line);
  if (job.submit_s < 0) {
    fail(line, kSubmitTime, "must be >= 0, got " + quote_for_message(field(kSubmitTime)));
  }

  const std::string_view gpus = field(kNumGpus);
  if (gpus.empty()) fail(line, kNumGpus, "missing value");
  if (!parse_int(gpus, job.num_gpus)) fail(line, kNumGpus, not_an_integer(gpus));
  if (job.num_gpus < 1) fail(line, kNumGpus, "must be >= 1, got " + quote_for_message(gpus));

  read_work(job, line);
  read_options(job, line);
  workload_.jobs.push_back(std::move(job));
}

// Exactly one work description per row: a duration, or a training run's params and tokens.
void NativeCsvReader::read_work(Job& job, int line) const {
  const std::optional<double> duration = optional_number(kDuration, line);
  const std::optional<double> params = optional_number(kParams, line);
  const std::optional<double> tokens = optional_number(kTokens, line);
  if (duration && (params || tokens)) {
    fail(line, kDuration, "given together with params/tokens; give one or the other");
  }
  if (duration) {
    if (*duration <= 0) {
      fail(line, kDuration, "must be > 0, got " + quote_for_message(field(kDuration)));
    }
    job.duration_s = *duration;
    return;
  }
  if (!params && !tokens) fail(line, kDuration, "missing: give duration, or params and tokens");
  if (!params) fail(line, kParams, "missing: tokens is given, params is needed too");
  if (!tokens) fail(line, kTokens, "missing: params is given, tokens is needed too");
  if (*params <= 0) fail(line, kParams, "must be > 0, got " + quote_for_message(field(kParams)));
  if (*tokens <= 0) fail(line, kTokens, "must be > 0, got " + quote_for_message(field(kTokens)));
  job.duration_s = -1;
  job.params = *params;
  job.tokens = *tokens;
}

void NativeCsvReader::read_options(Job& job, int line) const {
  if (const auto mfu = optional_number(kMfu, line)) {
    if (!(*mfu > 0 && *mfu <= 1)) {
      fail(line, kMfu, "must be in (0, 1], got " + quote_for_message(field(kMfu)));
    }
    job.mfu = *mfu;
  }
  if (const auto batch = optional_number(kBatchTokens, line)) {
    if (*batch <= 0) {
      fail(line, kBatchTokens, "must be > 0, got " + quote_for_message(field(kBatchTokens)));
    }
    job.batch_tokens = *batch;
  }
  if (const auto walltime = optional_number(kWalltime, line)) {
    if (*walltime <= 0) {
      fail(line, kWalltime, "must be > 0, got " + quote_for_message(field(kWalltime)));
    }
    job.walltime_s = *walltime;
  }
  if (const auto priority = optional_integer(kPriority, line)) job.priority = *priority;
  if (const auto milli = optional_integer(kGpuMilli, line)) {
    // Thousandths of one GPU (Alibaba's gpu_milli); 1000 is the whole GPU.
    if (*milli < 0 || *milli > 1000)
      fail(line, kGpuMilli,
           "must be 0..1000 thousandths of one GPU, got " + quote_for_message(field(kGpuMilli)));
    if (*milli > 0 && *milli < 1000) {
      if (job.num_gpus != 1)
        fail(line, kGpuMilli,
             "a share of one GPU needs num_gpus 1, got " + std::to_string(job.num_gpus));
      job.gpu_milli = *milli;
    }
  }
  job.gpu_type.assign(field(kGpuType));
  job.user.assign(field(kUser));
  job.job_type.assign(field(kJobType));
  job.reference_gpu.assign(field(kReferenceGpu));
}

std::optional<double> NativeCsvReader::optional_number(Column c, int line) const {
  const std::string_view text = field(c);
  if (text.empty()) return std::nullopt;
  double value = 0;
  if (!parse_double(text, value)) fail(line, c, quote_for_message(text) + " is not a number");
  return value;
}

double NativeCsvReader::required_number(Column c, int line) const {
  const std::optional<double> value = optional_number(c, line);
  if (!value) fail(line, c, "missing value");
  return *value;
}

std::optional<int> NativeCsvReader::optional_integer(Column c, int line) const {
  const std::string_view text = field(c);
  if (text.empty()) return std::nullopt;
  int value = 0;
  if (!parse_int(text, value)) fail(line, c, not_an_integer(text));
  return value;
}

// ---- writing ----

// suanli's reader takes a quoted field on one line only: a line break cannot round-trip.
void append_text(std::string& out, std::string_view text, const Job& job) {
  if (text.find_first_of("\r\n") != std::string_view::npos) {
    throw std::invalid_argument("job " + job.id + ": a line break cannot be written to CSV");
  }
  append_csv_field(out, text);
}

void append_job(std::string& out, const Job& job) {
  append_text(out, job.id, job);
  out += ',';
  append_number(out, job.submit_s);
  out += ',';
  out += std::to_string(job.num_gpus);
  out += ',';
  if (job.has_duration()) {
    append_number(out, job.duration_s);
    out += ",,,,";
  } else {
    out += ',';
    append_number(out, job.params);
    out += ',';
    append_number(out, job.tokens);
    out += ',';
    append_number(out, job.mfu);
    out += ',';
    append_number(out, job.batch_tokens);
  }
  out += ',';
  append_text(out, job.gpu_type, job);
  out += ',';
  if (job.walltime_s >= 0) append_number(out, job.walltime_s);
  out += ',';
  append_text(out, job.user, job);
  out += ',';
  out += std::to_string(job.priority);
  out += ',';
  if (job.gpu_milli > 0) out += std::to_string(job.gpu_milli);
  out += ',';
  append_text(out, job.job_type, job);
  out += ',';
  append_text(out, job.reference_gpu, job);
  out += '\n';
}

}  // namespace

Workload read_native_csv(const std::string& path) {
  return NativeCsvReader(path).read();
}

void write_native_csv(const Workload& workload, std::ostream& out) {
  std::string buffer;
  for (std::size_t i = 0; i < kColumnNames.size(); ++i) {
    if (i > 0) buffer += ',';
    buffer += kColumnNames[i];
  }
  buffer += '\n';
  constexpr std::size_t kFlushAt = std::size_t{1} << 20;
  for (const Job& job : workload.jobs) {
    append_job(buffer, job);
    if (buffer.size() >= kFlushAt) {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  }
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
}

}  // namespace suanli::workload
