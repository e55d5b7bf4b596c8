// Standard Workload Format (Parallel Workloads Archive, Feitelson et al., version 2.2): ';'
// header comments, then one job per line as 18 whitespace-separated numbers, -1 where a value
// is missing. docs/formats/swf.md says how the fields become Jobs and what is dropped.
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "suanli/workload/csv_util.hpp"
#include "suanli/workload/trace_format.hpp"
#include "suanli/workload/trace_reader.hpp"

namespace suanli::workload {

namespace {

constexpr std::size_t kFieldCount = 18;

enum Field : std::size_t {
  kJobNumber,
  kSubmitTime,
  kWaitTime,
  kRunTime,
  kAllocatedProcs,
  kAverageCpuTime,
  kUsedMemory,
  kRequestedProcs,
  kRequestedTime,
  kRequestedMemory,
  kStatus,
  kUserId,
  kGroupId,
  kExecutable,
  kQueue,
  kPartition,
  kPrecedingJob,
  kThinkTime,
};

constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "field 1 (job number)",
    "field 2 (submit time)",
    "field 3 (wait time)",
    "field 4 (run time)",
    "field 5 (allocated processors)",
    "field 6 (average CPU time)",
    "field 7 (used memory)",
    "field 8 (requested processors)",
    "field 9 (requested time)",
    "field 10 (requested memory)",
    "field 11 (status)",
    "field 12 (user id)",
    "field 13 (group id)",
    "field 14 (executable number)",
    "field 15 (queue number)",
    "field 16 (partition number)",
    "field 17 (preceding job number)",
    "field 18 (think time)"};

// No SWF line comes near this; a file without line breaks is not SWF and must not make the
// reader buffer all of it.
constexpr std::size_t kMaxLine = std::size_t{1} << 20;

// Whole numbers above this lose precision as doubles, so job numbers stop being exact.
constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Splits at blanks. Returns how many fields the line has; only the first kFieldCount are
// stored.
std::size_t split_fields(std::string_view line, std::array<std::string_view, kFieldCount>& out) {
  std::size_t count = 0;
  std::size_t i = 0;
  const std::size_t size = line.size();
  while (true) {
    while (i < size && is_space(line[i])) ++i;
    if (i == size) return count;
    const std::size_t start = i;
    while (i < size && !is_space(line[i])) ++i;
    if (count < kFieldCount) out[count] = line.substr(start, i - start);
    ++count;
  }
}

// Most SWF fields are plain integers ("-1", "3600"): read those directly, and leave anything
// else (fractions, exponents, '+', too many digits, junk) to the strict parse_double.
bool parse_number(std::string_view text, double& out) {
  const char* p = text.data();
  const char* const end = p + text.size();
  const bool negative = p < end && *p == '-';
  if (negative) ++p;
  if (p == end || end - p > 15) return parse_double(text, out);
  std::int64_t value = 0;
  for (; p < end; ++p) {
    const auto digit = static_cast<unsigned>(*p - '0');
    if (digit > 9) return parse_double(text, out);
    value = value * 10 + digit;
  }
  out = negative ? -static_cast<double>(value) : static_cast<double>(value);
  return true;
}

bool is_whole(double value) {
  return std::floor(value) == value && std::fabs(value) <= kMaxExactInteger;
}

// SWF status codes (field 11). 2, 3 and 4 mark the partial executions of a checkpointed or
// swapped job, which follow its summary line; they are never read as jobs of their own.
bool is_partial_execution(double status) {
  return status == 2 || status == 3 || status == 4;
}

std::string status_name(double status, std::string_view text) {
  if (status == 1) return "completed";
  if (status == 0) return "failed";
  if (status == 5) return "cancelled";
  if (status == -1) return "";  // missing, as for every other field
  return "status " + std::string(text);
}

int status_code(const std::string& trace_state) {
  if (trace_state == "completed") return 1;
  if (trace_state == "failed") return 0;
  if (trace_state == "cancelled") return 5;
  return -1;
}

class SwfReader : TraceFile {
 public:
  SwfReader(const std::string& path, const ReadOptions& options)
      : TraceFile(path, options),
        lines_(path, kLineChunkBytes, kMaxLine, ": this is not an SWF file") {}

  Workload read();

 private:
  using TraceFile::fail;
  [[noreturn]] void fail(int line, Field field, const std::string& what) const {
    fail(line, kFieldNames[field], what);
  }

  void read_comment(std::string_view text);
  void read_row(std::string_view text, int line);
  int gpus_for(double processors, int line, Field field) const;
  void check_duplicate_numbers();
  void add_metadata(const std::string& key, std::string value);

  FileLines lines_;
  Workload workload_;
  std::array<std::string_view, kFieldCount> fields_{};
  std::array<double, kFieldCount> values_{};
  // Header comment fields, in file order; a key given twice keeps both values.
  std::vector<std::pair<std::string, std::string>> header_;
  std::unordered_map<std::string, std::size_t> header_index_;
  bool continues_header_ = false;  // the previous line was a "; Key: value" comment
  std::size_t last_header_ = 0;    // ... and this is its entry in header_
  // Job numbers with their lines, to find duplicates once at the end.
  std::vector<std::pair<std::int64_t, int>> numbers_;
  std::size_t rows_ = 0;
  double first_submit_ = std::numeric_limits<double>::infinity();
  std::size_t dropped_partial_ = 0;
  std::size_t dropped_unstarted_ = 0;
  std::size_t dropped_no_runtime_ = 0;
  std::size_t kept_unstarted_ = 0;
};

Workload SwfReader::read() {
  check_gpus_per_proc(path_, options_.gpus_per_proc);
  workload_ = start_workload(path_, "swf", count_file_newlines(path_) + 1);
  numbers_.reserve(workload_.jobs.capacity());
  std::span<char> text;
  while (lines_.next(text)) {
    const std::string_view content = trim(std::string_view(text.data(), text.size()));
    if (content.empty()) {
      continues_header_ = false;
      continue;
    }
    if (content.front() == ';') {
      read_comment(content);
      continue;
    }
    continues_header_ = false;
    read_row(content, lines_.line());
  }
  if (rows_ == 0) {
    fail(0, "", "no job lines: the file is empty or holds only ';' comments");
  }
  check_duplicate_numbers();
  if (numbers_.empty()) first_submit_ = 0;  // only partial-execution lines

  for (Job& job : workload_.jobs) job.submit_s -= first_submit_;

  workload_.metadata = std::move(header_);
  if (const auto unix_start = header_index_.find("UnixStartTime");
      unix_start != header_index_.end()) {
    double start = 0;
    const std::string& value = workload_.metadata[unix_start->second].second;
    if (parse_double(value, start)) {
      add_metadata("time0_unix_s", format_number(start + first_submit_));
    }
  }
  add_metadata("first_submit_s", format_number(first_submit_));
  if (kept_unstarted_ > 0) {
    add_metadata("unstarted_kept_with_requested_time", std::to_string(kept_unstarted_));
  }
  if (dropped_partial_ > 0) {
    add_metadata("dropped_partial_execution_lines", std::to_string(dropped_partial_));
  }
  if (dropped_unstarted_ > 0) add_metadata("dropped_unstarted", std::to_string(dropped_unstarted_));
  if (dropped_no_runtime_ > 0) {
    add_metadata("dropped_no_runtime", std::to_string(dropped_no_runtime_));
  }
  return std::move(workload_);
}

void SwfReader::add_metadata(const std::string& key, std::string value) {
  workload_.metadata.emplace_back(key, std::move(value));
}

// "; Key: value" header fields become metadata. PWA logs continue a long value (a Note) on
// the next comment lines, indented: those are appended to it.
void SwfReader::read_comment(std::string_view text) {
  text.remove_prefix(1);  // the ';'
  const std::string_view body = trim(text);
  const std::size_t colon = body.find(':');
  const std::string_view key =
      colon == std::string_view::npos ? std::string_view() : trim(body.substr(0, colon));
  const bool is_field =
      !key.empty() && std::isalpha(static_cast<unsigned char>(key.front())) &&
      std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
      });
  if (is_field) {
    const std::string_view value = trim(body.substr(colon + 1));
    const auto [it, added] = header_index_.try_emplace(std::string(key), header_.size());
    if (added) {
      header_.emplace_back(key, value);
    } else {
      std::string& existing = header_[it->second].second;
      existing += " | ";
      existing += value;
    }
    last_header_ = it->second;
    continues_header_ = true;
    return;
  }
  const bool indented = text.size() >= 2 && is_space(text[0]) && is_space(text[1]);
  if (continues_header_ && indented && !body.empty()) {
    std::string& existing = header_[last_header_].second;
    existing += ' ';
    existing += body;
    return;
  }
  continues_header_ = false;
}

void SwfReader::read_row(std::string_view text, int line) {
  const std::size_t count = split_fields(text, fields_);
  if (count != kFieldCount) {
    fail(line, "",
         "expected " + std::to_string(kFieldCount) + " whitespace-separated fields, found " +
             std::to_string(count));
  }
  for (std::size_t i = 0; i < kFieldCount; ++i) {
    if (!parse_number(fields_[i], values_[i])) {
      fail(line, kFieldNames[i], quote_for_message(fields_[i]) + " is not a number");
    }
  }
  ++rows_;
  const auto value = [this](Field f) { return values_[f]; };

  const double number = value(kJobNumber);
  if (number == -1) fail(line, kJobNumber, "missing (-1)");
  if (!is_whole(number) || number < 0) {
    fail(line, kJobNumber,
         "must be a whole number >= 0, got " + quote_for_message(fields_[kJobNumber]));
  }
  if (!is_whole(value(kStatus))) {
    fail(line, kStatus, "must be a whole number, got " + quote_for_message(fields_[kStatus]));
  }
  if (is_partial_execution(value(kStatus))) {
    ++dropped_partial_;
    return;
  }
  const double submit = value(kSubmitTime);
  if (submit == -1) fail(line, kSubmitTime, "missing (-1): every job needs a submit time");
  if (submit < 0) {
    fail(line, kSubmitTime, "must be >= 0, got " + quote_for_message(fields_[kSubmitTime]));
  }
  first_submit_ = std::min(first_submit_, submit);
  numbers_.emplace_back(static_cast<std::int64_t>(number), line);

  Job job;
  job.line = line;
  job.submit_s = submit;
  job.trace_state = status_name(value(kStatus), fields_[kStatus]);
  const double run_time = value(kRunTime);
  const double requested_time = value(kRequestedTime);
  job.started_in_trace = run_time > 0;
  if (job.started_in_trace) {
    job.duration_s = run_time;
  } else if (!options_.keep_unstarted) {
    ++dropped_unstarted_;
    return;
  } else if (requested_time > 0) {
    job.duration_s = requested_time;
    ++kept_unstarted_;
  } else {
    ++dropped_no_runtime_;
    return;
  }

  if (value(kAllocatedProcs) > 0) {
    job.num_gpus = gpus_for(value(kAllocatedProcs), line, kAllocatedProcs);
  } else if (value(kRequestedProcs) > 0) {
    job.num_gpus = gpus_for(value(kRequestedProcs), line, kRequestedProcs);
  } else {
    fail(line, kAllocatedProcs,
         "no processor count: field 5 (allocated processors) is " +
             quote_for_message(fields_[kAllocatedProcs]) +
             " and field 8 (requested processors) is " +
             quote_for_message(fields_[kRequestedProcs]) + "; one must be > 0");
  }
  if (requested_time > 0) job.walltime_s = requested_time;
  if (value(kUserId) >= 0) {
    job.user = is_whole(value(kUserId)) ? std::to_string(static_cast<std::int64_t>(value(kUserId)))
                                        : std::string(fields_[kUserId]);
  }
  job.id = std::to_string(static_cast<std::int64_t>(number));
  workload_.jobs.push_back(std::move(job));
}

int SwfReader::gpus_for(double processors, int line, Field field) const {
  const std::optional<int> gpus = gpus_for_units(processors, options_.gpus_per_proc);
  if (!gpus) {
    fail(line, field,
         quote_for_message(fields_[field]) + " processors x " +
             format_number(options_.gpus_per_proc) + " GPUs per processor is too many GPUs");
  }
  return *gpus;
}

// Job numbers are the ids, so they must be unique (apart from partial-execution lines, which
// repeat their job's number and were skipped). Reports the earliest line that repeats one.
void SwfReader::check_duplicate_numbers() {
  std::sort(numbers_.begin(), numbers_.end());
  int worst = 0;
  std::pair<std::int64_t, int> culprit{};
  for (std::size_t i = 1; i < numbers_.size(); ++i) {
    if (numbers_[i].first != numbers_[i - 1].first) continue;
    if (worst == 0 || numbers_[i].second < worst) {
      worst = numbers_[i].second;
      // The first line with this number is the first of its group.
      std::size_t first = i - 1;
      while (first > 0 && numbers_[first - 1].first == numbers_[i].first) --first;
      culprit = {numbers_[i].first, numbers_[first].second};
    }
  }
  if (worst > 0) {
    fail(worst, kJobNumber,
         "duplicate job number " + std::to_string(culprit.first) + " (first on line " +
             std::to_string(culprit.second) + ")");
  }
}

// A user name that is already a non-negative whole number of at most 18 digits.
bool is_numeric_user(const std::string& user) {
  return !user.empty() && user.size() <= 18 &&
         user.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

Workload read_swf(const std::string& path, const ReadOptions& options) {
  return SwfReader(path, options).read();
}

// The first line that is not blank is a ';' comment, or a job line of 18 numbers.
bool sniff_swf(std::string_view head, std::string_view /*path*/) {
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  std::size_t at = 0;
  while (at < head.size()) {
    const std::size_t newline = head.find('\n', at);
    const std::size_t end = newline == std::string_view::npos ? head.size() : newline;
    const std::string_view line = trim(head.substr(at, end - at));
    at = end + 1;
    if (line.empty()) continue;
    if (line.front() == ';') return true;
    std::array<std::string_view, kFieldCount> fields;
    if (split_fields(line, fields) != kFieldCount) return false;
    return std::all_of(fields.begin(), fields.end(), [](std::string_view f) {
      double value = 0;
      return parse_double(f, value);
    });
  }
  return false;
}

void write_swf(const Workload& workload, std::ostream& out) {
  int max_gpus = 0;
  bool numeric_users = true;
  for (const Job& job : workload.jobs) {
    check_written_duration(job, "SWF can only carry a run time",
                           "SWF reads a run time <= 0 as a job that never ran");
    if (!(job.submit_s >= 0) || !std::isfinite(job.submit_s)) {
      throw std::invalid_argument(job_name(job) + ": submit time " + format_number(job.submit_s) +
                                  " s; SWF needs >= 0");
    }
    check_written_gpus(job, "SWF needs at least 1 processor", "SWF counts whole processors only");
    max_gpus = std::max(max_gpus, job.num_gpus);
    if (!job.user.empty() && !is_numeric_user(job.user)) numeric_users = false;
  }

  std::string buffer;
  buffer += "; Version: 2.2\n";
  buffer += "; Note: written by suanli\n";
  buffer +=
      "; Note: one processor is one GPU; job numbers 1..N replace the original job ids, in "
      "file order\n";
  if (!numeric_users) {
    buffer += "; Note: user ids 1..U number the distinct user names in order of first use\n";
  }
  buffer += "; MaxJobs: " + std::to_string(workload.jobs.size()) + "\n";
  buffer += "; MaxRecords: " + std::to_string(workload.jobs.size()) + "\n";
  buffer += "; MaxProcs: " + std::to_string(max_gpus) + "\n";

  std::unordered_map<std::string_view, std::size_t> user_numbers;
  constexpr std::size_t kFlushAt = std::size_t{1} << 20;
  std::size_t number = 0;
  for (const Job& job : workload.jobs) {
    ++number;
    const std::string processors = std::to_string(job.num_gpus);
    buffer += std::to_string(number);  // 1 job number
    buffer += ' ';
    append_number(buffer, job.submit_s);    // 2 submit time
    buffer += " -1 ";                       // 3 wait time
    append_number(buffer, job.duration_s);  // 4 run time
    buffer += ' ';
    buffer += processors;  // 5 allocated processors
    buffer += " -1 -1 ";   // 6 average CPU time, 7 used memory
    buffer += processors;  // 8 requested processors
    buffer += ' ';
    if (job.walltime_s > 0) {
      append_number(buffer, job.walltime_s);  // 9 requested time
    } else {
      buffer += "-1";
    }
    buffer += " -1 ";                                        // 10 requested memory
    buffer += std::to_string(status_code(job.trace_state));  // 11 status
    buffer += ' ';
    if (job.user.empty()) {  // 12 user id
      buffer += "-1";
    } else if (numeric_users) {
      buffer += job.user;
    } else {
      const auto [it, added] = user_numbers.try_emplace(job.user, user_numbers.size() + 1);
      buffer += std::to_string(it->second);
    }
    buffer += " -1 -1 -1 -1 -1 -1\n";  // 13 group .. 18 think time
    if (buffer.size() >= kFlushAt) {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  }
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
}

std::span<const FormatOption> swf_options() {
  static constexpr FormatOption kOptions[] = {kGpusPerProcOption};
  return kOptions;
}

}  // namespace suanli::workload
