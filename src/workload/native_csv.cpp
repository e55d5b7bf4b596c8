#include "suanli/workload/native_csv.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "suanli/common/csv_field.hpp"
#include "suanli/workload/csv_util.hpp"
#include "suanli/workload/trace_reader.hpp"

namespace suanli::workload {

namespace {

// Also the column order write_native_csv uses.
constexpr ColumnNames col{"job_id",    "submit_time", "num_gpus",     "duration", "params",
                          "tokens",    "mfu",         "batch_tokens", "gpu_type", "walltime",
                          "user",      "priority",    "gpu_milli",    "job_type", "reference_gpu",
                          "cpu_milli", "memory_mib",  "deadline"};
// write_native_csv writes cpu_milli and memory_mib only when some job asks for host
// resources, deadline only when some job is deferrable.

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

// The file is read in chunks and each row parsed in place in the chunk; the jobs are
// reserved once from a count of the lines, so the vector never moves.
class NativeCsvReader : CsvTraceReader {
 public:
  explicit NativeCsvReader(const std::string& path) : CsvTraceReader(path, col.names, "") {}

  Workload read();

 private:
  void check_header_columns() const;
  void read_row();
  void read_work(Job& job) const;
  void read_options(Job& job) const;

  std::optional<double> optional_number(int c) const {
    double value = 0;
    if (!csv_.optional_number(c, value)) return std::nullopt;
    return value;
  }
  std::optional<int> optional_integer(int c) const;
};

Workload NativeCsvReader::read() {
  if (!csv_.read_header()) {
    csv_.fail_file(
        "no header line (the file is empty or holds only blank and comment lines); expected "
        "a header such as '" +
        std::string(kExampleHeader) + "'");
  }
  workload_.ignored_columns = csv_.ignored();
  check_header_columns();
  while (csv_.next()) read_row();
  return std::move(workload_);
}

void NativeCsvReader::check_header_columns() const {
  bool any_known = false;
  for (int c = 0; c < col.size(); ++c) any_known = any_known || csv_.has(c);
  csv_.require({col("job_id"), col("submit_time"), col("num_gpus")},
               std::string("required column missing from the header") +
                   (any_known ? "" : " (no known column at all: is the header line missing?)"));
  const bool duration = csv_.has(col("duration"));
  const bool params = csv_.has(col("params"));
  const bool tokens = csv_.has(col("tokens"));
  if (!duration && !params && !tokens) {
    csv_.fail(col("duration"), "column missing: the header needs duration, or params and tokens");
  }
  if (params && !tokens) csv_.fail(col("tokens"), "column missing: a params column needs tokens");
  if (tokens && !params) csv_.fail(col("params"), "column missing: a tokens column needs params");
}

void NativeCsvReader::read_row() {
  Job job;
  job.line = csv_.line();
  const std::string_view id = csv_.field(col("job_id"));
  if (id.empty()) csv_.fail(col("job_id"), "missing value");
  csv_.check_unique(ids_, col("job_id"), "job id");
  job.id.assign(id);

  job.submit_s = csv_.number(col("submit_time"));
  if (job.submit_s < 0) {
    csv_.fail(col("submit_time"),
              "must be >= 0, got " + quote_for_message(csv_.field(col("submit_time"))));
  }

  const std::string_view gpus = csv_.field(col("num_gpus"));
  if (gpus.empty()) csv_.fail(col("num_gpus"), "missing value");
  if (!parse_int(gpus, job.num_gpus)) csv_.fail(col("num_gpus"), not_an_integer(gpus));

  read_work(job);
  read_options(job);
  if (job.num_gpus < 1 && !(job.num_gpus == 0 && job.is_pod()))
    csv_.fail(col("num_gpus"),
              "must be >= 1, got " + quote_for_message(gpus) +
                  (job.num_gpus == 0 ? " (0 only for a CPU-only job: give cpu_milli "
                                       "or memory_mib)"
                                     : ""));
  workload_.jobs.push_back(std::move(job));
}

// Exactly one work description per row: a duration, or a training run's params and tokens.
void NativeCsvReader::read_work(Job& job) const {
  const std::optional<double> duration = optional_number(col("duration"));
  const std::optional<double> params = optional_number(col("params"));
  const std::optional<double> tokens = optional_number(col("tokens"));
  if (duration && (params || tokens)) {
    csv_.fail(col("duration"), "given together with params/tokens; give one or the other");
  }
  if (duration) {
    if (*duration <= 0) {
      csv_.fail(col("duration"),
                "must be > 0, got " + quote_for_message(csv_.field(col("duration"))));
    }
    job.duration_s = *duration;
    return;
  }
  if (!params && !tokens)
    csv_.fail(col("duration"), "missing: give duration, or params and tokens");
  if (!params) csv_.fail(col("params"), "missing: tokens is given, params is needed too");
  if (!tokens) csv_.fail(col("tokens"), "missing: params is given, tokens is needed too");
  if (*params <= 0)
    csv_.fail(col("params"), "must be > 0, got " + quote_for_message(csv_.field(col("params"))));
  if (*tokens <= 0)
    csv_.fail(col("tokens"), "must be > 0, got " + quote_for_message(csv_.field(col("tokens"))));
  job.duration_s = -1;
  job.params = *params;
  job.tokens = *tokens;
}

void NativeCsvReader::read_options(Job& job) const {
  if (const auto mfu = optional_number(col("mfu"))) {
    if (!(*mfu > 0 && *mfu <= 1)) {
      csv_.fail(col("mfu"), "must be in (0, 1], got " + quote_for_message(csv_.field(col("mfu"))));
    }
    job.mfu = *mfu;
  }
  if (const auto batch = optional_number(col("batch_tokens"))) {
    if (*batch <= 0) {
      csv_.fail(col("batch_tokens"),
                "must be > 0, got " + quote_for_message(csv_.field(col("batch_tokens"))));
    }
    job.batch_tokens = *batch;
  }
  if (const auto walltime = optional_number(col("walltime"))) {
    if (*walltime <= 0) {
      csv_.fail(col("walltime"),
                "must be > 0, got " + quote_for_message(csv_.field(col("walltime"))));
    }
    job.walltime_s = *walltime;
  }
  if (const auto priority = optional_integer(col("priority"))) job.priority = *priority;
  if (const auto milli = optional_integer(col("gpu_milli"))) {
    // Thousandths of one GPU (Alibaba's gpu_milli); 1000 is the whole GPU.
    if (*milli < 0 || *milli > 1000)
      csv_.fail(col("gpu_milli"), "must be 0..1000 thousandths of one GPU, got " +
                                      quote_for_message(csv_.field(col("gpu_milli"))));
    if (*milli > 0 && *milli < 1000) {
      if (job.num_gpus != 1)
        csv_.fail(col("gpu_milli"),
                  "a share of one GPU needs num_gpus 1, got " + std::to_string(job.num_gpus));
      job.gpu_milli = static_cast<std::int16_t>(*milli);
    }
  }
  // Host resources of a pod (Alibaba's cpu_milli, memory_mib): thousandths of a core, MiB.
  for (const int c : {col("cpu_milli"), col("memory_mib")}) {
    const auto amount = optional_integer(c);
    if (!amount) continue;
    if (*amount < 0) csv_.fail(c, "must be >= 0, got " + quote_for_message(csv_.field(c)));
    (c == col("cpu_milli") ? job.cpu_milli : job.memory_mib) = *amount;
  }
  // A deferrable job: seconds after submission by which it must have finished.
  if (const auto deadline = optional_number(col("deadline"))) {
    if (!(*deadline > 0) || *deadline > 1e9)
      csv_.fail(col("deadline"), "must be seconds after submission, > 0 and at most 1e9, got " +
                                     quote_for_message(csv_.field(col("deadline"))));
    job.deadline_s = static_cast<float>(*deadline);
  }
  job.gpu_type.assign(csv_.field(col("gpu_type")));
  job.user.assign(csv_.field(col("user")));
  job.job_type.assign(csv_.field(col("job_type")));
  job.reference_gpu.assign(csv_.field(col("reference_gpu")));
}

std::optional<int> NativeCsvReader::optional_integer(int c) const {
  const std::string_view text = csv_.field(c);
  if (text.empty()) return std::nullopt;
  int value = 0;
  if (!parse_int(text, value)) csv_.fail(c, not_an_integer(text));
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

void append_job(std::string& out, const Job& job, bool pod_columns, bool deadline_column) {
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
  if (pod_columns) {
    out += ',';
    if (job.cpu_milli > 0) out += std::to_string(job.cpu_milli);
    out += ',';
    if (job.memory_mib > 0) out += std::to_string(job.memory_mib);
  }
  if (deadline_column) {
    out += ',';
    if (job.deferrable()) append_number(out, job.deadline_s);
  }
  out += '\n';
}

}  // namespace

Workload read_native_csv(const std::string& path) {
  return NativeCsvReader(path).read();
}

void write_native_csv(const Workload& workload, std::ostream& out) {
  std::string buffer;
  const bool pod_columns = std::any_of(workload.jobs.begin(), workload.jobs.end(),
                                       [](const Job& job) { return job.is_pod(); });
  const bool deadline_column = std::any_of(workload.jobs.begin(), workload.jobs.end(),
                                           [](const Job& job) { return job.deferrable(); });
  const auto written = [&](int c) {
    if (c == col("deadline")) return deadline_column;
    if (c == col("cpu_milli") || c == col("memory_mib")) return pod_columns;
    return true;
  };
  for (int c = 0; c < col.size(); ++c) {
    if (!written(c)) continue;
    if (c > 0) buffer += ',';
    buffer += col.names[std::size_t(c)];
  }
  buffer += '\n';
  constexpr std::size_t kFlushAt = std::size_t{1} << 20;
  for (const Job& job : workload.jobs) {
    append_job(buffer, job, pod_columns, deadline_column);
    if (buffer.size() >= kFlushAt) {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  }
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
}

}  // namespace suanli::workload
