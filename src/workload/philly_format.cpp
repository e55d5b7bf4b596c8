// Microsoft Philly cluster_job_log (msr-fiddle/philly-traces; docs/formats/philly.md): a JSON
// list of jobs, each {status, vc, jobid, attempts: [{start_time, end_time, detail: [{ip,
// gpus: [...]}]}], submitted_time, user}, times as "YYYY-MM-DD HH:MM:SS" or null/"None".
// The list is parsed one job at a time (each job object is handed over and then discarded),
// so memory stays at the file plus the Jobs however large the log is.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "suanli/workload/csv_util.hpp"
#include "suanli/workload/trace_format.hpp"
#include "suanli/workload/trace_reader.hpp"
#include "suanli/workload/trace_time.hpp"

namespace suanli::workload {

namespace {

using json = nlohmann::json;

// What was dropped or skipped, in the order it is reported in the metadata.
enum Count : int {
  kDropNoSubmit,
  kDropNeverStarted,
  kDropNoCompleteAttempt,
  kSkipNoEnd,
  kSkipNoStart,
  kSkipNegative,
  kCountCount
};
constexpr std::array<std::string_view, kCountCount> kCountNames = {
    "dropped_no_submit_time",  "dropped_never_started",     "dropped_no_complete_attempt",
    "skipped_attempts_no_end", "skipped_attempts_no_start", "skipped_attempts_negative"};

// "[12]", "[12].user", "[12].attempts[0].start_time", ...
std::string json_path(std::size_t job, std::string_view key, int attempt = -1,
                      std::string_view attempt_key = {}) {
  std::string path = "[" + std::to_string(job) + "]";
  if (!key.empty()) {
    path += '.';
    path += key;
  }
  if (attempt >= 0) {
    path += "[" + std::to_string(attempt) + "]";
    if (!attempt_key.empty()) {
      path += '.';
      path += attempt_key;
    }
  }
  return path;
}

// Line (1-based) of byte `offset` (1-based, as nlohmann counts) in `data`.
int line_of(const std::string& data, std::size_t offset) {
  const std::size_t end = std::min(offset > 0 ? offset - 1 : 0, data.size());
  int line = 1;
  for (std::size_t i = 0; i < end; ++i) line += data[i] == '\n';
  return line;
}

// nlohmann's message without its "[json.exception.parse_error.101] parse error at line 3,
// column 1: " prefix (the line is reported the suanli way).
std::string json_error_text(const json::parse_error& e) {
  std::string_view text = e.what();
  if (const auto bracket = text.find("] "); bracket != std::string_view::npos) {
    text.remove_prefix(bracket + 2);
  }
  if (text.starts_with("parse error at line")) {
    if (const auto colon = text.find(": "); colon != std::string_view::npos) {
      text.remove_prefix(colon + 2);
    }
  }
  return std::string(text);
}

class PhillyReader : TraceFile {
 public:
  explicit PhillyReader(const std::string& path) : TraceFile(path) {}

  Workload read();

 private:
  // Philly's places are JSON paths ("[12].attempts[0].start_time"), not lines.
  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    TraceFile::fail(0, where, what);
  }

  void read_job(const json& job, std::size_t index);
  // A string member, "" when absent or null; InputError when of another type.
  std::string_view text_member(const json& object, const char* key, std::size_t index) const;
  // A time member: nullopt when absent, null, "None" or empty.
  std::optional<double> time_member(const json& object, const char* key, std::size_t index,
                                    int attempt) const;
  int first_attempt_gpus(const json& attempt, std::size_t index) const;

  Workload workload_;
  std::unordered_map<std::string, std::size_t> ids_;  // job id -> index of its first job
  std::array<std::size_t, kCountCount> counts_{};
  EarliestTime first_submit_;
};

Workload PhillyReader::read() {
  const std::string data = read_whole_file(path_);
  workload_ = start_workload(path_, "philly", 0);

  std::size_t first = data.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  first = data.find_first_not_of(" \t\r\n", first);
  if (first == std::string::npos) fail("", "the file is empty; expected a JSON list of jobs");
  if (data[first] != '[') {
    TraceFile::fail(line_of(data, first + 1), "",
                    "expected a JSON list of jobs ('[' ...), found " +
                        quote_for_message(std::string_view(data).substr(first, 20)));
  }

  std::size_t index = 0;
  const json::parser_callback_t on_event = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth != 1) return true;
    switch (event) {
      case json::parse_event_t::object_end:
        read_job(parsed, index++);
        return false;  // done with it: do not keep it in the list
      case json::parse_event_t::value:
      case json::parse_event_t::array_end:
        fail(json_path(index, ""),
             std::string("expected a job object, found ") +
                 (event == json::parse_event_t::array_end ? "array" : parsed.type_name()));
      default:
        return true;
    }
  };
  try {
    const json rest = json::parse(data, on_event);
    (void)rest;
  } catch (const json::parse_error& e) {
    TraceFile::fail(line_of(data, e.byte), "", "invalid JSON: " + json_error_text(e));
  }

  start_at_first_submit(workload_, first_submit_);
  for (int c = 0; c < kCountCount; ++c) add_count(workload_, kCountNames[c], counts_[c]);
  return std::move(workload_);
}

std::string_view PhillyReader::text_member(const json& object, const char* key,
                                           std::size_t index) const {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return {};
  if (!it->is_string()) {
    fail(json_path(index, key), std::string("expected a string, found ") + it->type_name());
  }
  return it->get_ref<const std::string&>();
}

std::optional<double> PhillyReader::time_member(const json& object, const char* key,
                                                std::size_t index, int attempt) const {
  const auto where = [&] {
    return attempt < 0 ? json_path(index, key) : json_path(index, "attempts", attempt, key);
  };
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) {
    fail(where(), std::string("expected a date-time string 'YYYY-MM-DD HH:MM:SS', found ") +
                      it->type_name());
  }
  const std::string& text = it->get_ref<const std::string&>();
  if (is_missing_time(text)) return std::nullopt;
  double seconds = 0;
  if (!parse_datetime(text, seconds)) {
    fail(where(), quote_for_message(text) + " is not a date-time 'YYYY-MM-DD HH:MM:SS'");
  }
  return seconds;
}

int PhillyReader::first_attempt_gpus(const json& attempt, std::size_t index) const {
  const auto detail = attempt.find("detail");
  if (detail == attempt.end() || detail->is_null()) return 0;
  if (!detail->is_array()) {
    fail(json_path(index, "attempts", 0, "detail"),
         std::string("expected a list of {ip, gpus}, found ") + detail->type_name());
  }
  int gpus = 0;
  for (std::size_t m = 0; m < detail->size(); ++m) {
    const json& machine = (*detail)[m];
    const auto where = [&](std::string_view key) {
      return json_path(index, "attempts", 0, "detail[" + std::to_string(m) + "]") +
             (key.empty() ? "" : "." + std::string(key));
    };
    if (!machine.is_object()) {
      fail(where(""), std::string("expected an object {ip, gpus}, found ") + machine.type_name());
    }
    const auto list = machine.find("gpus");
    if (list == machine.end() || list->is_null()) continue;
    if (!list->is_array()) {
      fail(where("gpus"), std::string("expected a list of GPUs, found ") + list->type_name());
    }
    gpus += static_cast<int>(list->size());
  }
  return gpus;
}

void PhillyReader::read_job(const json& job, std::size_t index) {
  const std::string_view id = text_member(job, "jobid", index);
  if (id.empty()) fail(json_path(index, "jobid"), "missing value");

  const std::optional<double> submit = time_member(job, "submitted_time", index, -1);
  if (!submit) {
    ++counts_[kDropNoSubmit];
    return;
  }
  first_submit_.see(*submit, job.find("submitted_time")->get_ref<const std::string&>());
  const std::string_view status = text_member(job, "status", index);
  const std::string_view user = text_member(job, "user", index);

  const auto attempts = job.find("attempts");
  if (attempts == job.end() || attempts->is_null() || (attempts->is_array() && attempts->empty())) {
    ++counts_[kDropNeverStarted];  // no attempt: no GPUs, no run time
    return;
  }
  if (!attempts->is_array()) {
    fail(json_path(index, "attempts"),
         std::string("expected a list of attempts, found ") + attempts->type_name());
  }
  for (std::size_t a = 0; a < attempts->size(); ++a) {
    if (!(*attempts)[a].is_object()) {
      fail(json_path(index, "attempts", static_cast<int>(a)),
           std::string("expected an attempt object, found ") + (*attempts)[a].type_name());
    }
  }
  const int gpus = first_attempt_gpus((*attempts)[0], index);
  if (gpus == 0) {
    ++counts_[kDropNeverStarted];
    return;
  }

  // Run time: the attempts that have both ends, added up.
  double duration = 0;
  std::size_t complete = 0;
  for (std::size_t a = 0; a < attempts->size(); ++a) {
    const json& attempt = (*attempts)[a];
    const std::optional<double> start = time_member(attempt, "start_time", index, int(a));
    const std::optional<double> end = time_member(attempt, "end_time", index, int(a));
    if (!end) {
      ++counts_[kSkipNoEnd];
    } else if (!start) {
      ++counts_[kSkipNoStart];
    } else if (*end < *start) {
      ++counts_[kSkipNegative];
    } else {
      duration += *end - *start;
      ++complete;
    }
  }
  if (complete == 0) {
    ++counts_[kDropNoCompleteAttempt];
    return;
  }

  const auto [it, inserted] = ids_.try_emplace(std::string(id), index);
  if (!inserted) {
    fail(json_path(index, "jobid"), "duplicate job id " + quote_for_message(id) + " (first at " +
                                        json_path(it->second, "") + ")");
  }
  Job out;
  out.line = static_cast<int>(index + 1);
  out.id.assign(id);
  out.submit_s = *submit;  // made relative to the first submission at the end
  out.num_gpus = gpus;
  out.duration_s = duration;
  out.trace_state.assign(status);
  out.user.assign(user);
  workload_.jobs.push_back(std::move(out));
}

}  // namespace

Workload read_philly(const std::string& path, const ReadOptions& /*options*/) {
  return PhillyReader(path).read();
}

// A JSON list whose start names the Philly job keys.
bool sniff_philly(std::string_view head, std::string_view /*path*/) {
  std::size_t first = head.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  first = head.find_first_not_of(" \t\r\n", first);
  if (first == std::string_view::npos || head[first] != '[') return false;
  return head.find("\"attempts\"") != std::string_view::npos &&
         head.find("\"submitted_time\"") != std::string_view::npos;
}

}  // namespace suanli::workload
