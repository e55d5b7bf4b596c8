#include "suanli/workload/gavel_throughputs.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "suanli/common/input_error.hpp"
#include "suanli/workload/csv_util.hpp"

namespace suanli::workload {

namespace {

// JSON pointer of one level below `parent` (RFC 6901 escapes; Gavel's keys have none).
std::string child(const std::string& parent, std::string_view key) {
  std::string out = parent + "/";
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

const char* type_name(const nlohmann::json& value) {
  return value.type_name();
}

[[noreturn]] void fail(const std::string& source, const std::string& where,
                       const std::string& what) {
  throw InputError(located(source, 0, where, what));
}

}  // namespace

std::string gavel_key(std::string_view job_type, int scale_factor) {
  std::string out = "('";
  out += job_type;
  out += "', ";
  out += std::to_string(scale_factor);
  out += ')';
  return out;
}

bool parse_gavel_key(std::string_view key, std::string& job_type, int& scale_factor) {
  // ( quote text quote , blanks integer blanks )   where quote is ' or "
  if (key.size() < 6 || key.front() != '(' || key.back() != ')') return false;
  key.remove_prefix(1);
  key.remove_suffix(1);
  const char quote = key.front();
  if (quote != '\'' && quote != '"') return false;
  const std::size_t close = key.rfind(quote);
  if (close == 0) return false;
  std::string_view rest = key.substr(close + 1);
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!rest.empty() && blank(rest.front())) rest.remove_prefix(1);
  if (rest.empty() || rest.front() != ',') return false;
  rest.remove_prefix(1);
  while (!rest.empty() && blank(rest.front())) rest.remove_prefix(1);
  while (!rest.empty() && blank(rest.back())) rest.remove_suffix(1);
  int scale = 0;
  if (rest.empty() || !parse_int(rest, scale)) return false;
  job_type.assign(key.substr(1, close - 1));
  scale_factor = scale;
  return true;
}

std::string gavel_worker_gpu(std::string_view worker) {
  constexpr std::string_view kSuffix = "_unconsolidated";
  if (worker.size() > kSuffix.size() && worker.ends_with(kSuffix)) {
    worker.remove_suffix(kSuffix.size());
  }
  std::string out(worker);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

GavelThroughputs GavelThroughputs::read(const std::string& path) {
  const std::string text = read_whole_file(path);
  return parse(text, path);
}

GavelThroughputs GavelThroughputs::parse(std::string_view json_text, const std::string& source) {
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(json_text.begin(), json_text.end());
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 3, column 5: ...".
    std::string what = e.what();
    if (const auto at = what.find("] "); what.starts_with("[json.") && at != std::string::npos) {
      what.erase(0, at + 2);
    }
    fail(source, "", "not valid JSON: " + what);
  }
  if (!root.is_object()) {
    fail(source, "",
         std::string("expected a JSON object {worker type: {\"(job_type, scale_factor)\": "
                     "{\"null\": steps per second}}}, found ") +
             type_name(root));
  }
  if (root.empty()) fail(source, "", "no worker types in the table");

  GavelThroughputs table;
  table.source_ = source;
  for (const auto& [worker, jobs] : root.items()) {
    const std::string worker_path = child("", worker);
    if (worker.empty()) fail(source, worker_path, "empty worker type name");
    if (!jobs.is_object()) {
      fail(source, worker_path,
           std::string("expected an object of \"(job_type, scale_factor)\" keys, "
                       "found ") +
               type_name(jobs));
    }
    ByJobType& by_job_type = table.table_[worker];
    for (const auto& [key, entry] : jobs.items()) {
      const std::string key_path = child(worker_path, key);
      std::string job_type;
      int scale = 0;
      if (!parse_gavel_key(key, job_type, scale)) {
        fail(source, key_path, "expected a key such as \"('ResNet-18 (batch size 64)', 1)\"");
      }
      if (job_type.empty()) fail(source, key_path, "empty job type");
      if (scale < 1)
        fail(source, key_path, "scale factor must be >= 1, got " + std::to_string(scale));
      if (!entry.is_object()) {
        fail(source, key_path,
             std::string("expected an object with a \"null\" entry, found ") + type_name(entry));
      }
      const auto isolated = entry.find("null");
      if (isolated == entry.end()) {
        fail(source, key_path, "no \"null\" entry (the job's isolated steps per second)");
      }
      const std::string null_path = child(key_path, "null");
      if (!isolated->is_number()) {
        fail(
            source, null_path,
            std::string("must be a number >= 0 (steps per second), found ") + type_name(*isolated));
      }
      const double value = isolated->get<double>();
      if (!(value >= 0) || value > 1e300) {
        fail(source, null_path,
             "must be a number >= 0 (steps per second), got " + isolated->dump());
      }
      ByScale& by_scale = by_job_type[job_type];
      if (!by_scale.emplace(scale, value).second) {
        fail(source, key_path,
             "the same job type and scale factor appear twice under this worker type");
      }
    }
  }
  return table;
}

std::optional<double> GavelThroughputs::steps_per_second(std::string_view worker,
                                                         std::string_view job_type,
                                                         int scale_factor) const {
  const auto w = table_.find(worker);
  if (w == table_.end()) return std::nullopt;
  const auto j = w->second.find(job_type);
  if (j == w->second.end()) return std::nullopt;
  const auto s = j->second.find(scale_factor);
  if (s == j->second.end()) return std::nullopt;
  return s->second;
}

std::vector<std::string> GavelThroughputs::job_types(std::string_view worker) const {
  std::vector<std::string> out;
  const auto w = table_.find(worker);
  if (w == table_.end()) return out;
  for (const auto& [job_type, by_scale] : w->second) out.push_back(job_type);
  return out;
}

bool GavelThroughputs::has_worker(std::string_view worker) const {
  return table_.find(worker) != table_.end();
}

std::vector<std::string> GavelThroughputs::workers() const {
  std::vector<std::string> out;
  out.reserve(table_.size());
  for (const auto& [worker, jobs] : table_) out.push_back(worker);
  return out;
}

std::vector<int> GavelThroughputs::scale_factors(std::string_view worker,
                                                 std::string_view job_type) const {
  std::vector<int> out;
  const auto w = table_.find(worker);
  if (w == table_.end()) return out;
  const auto j = w->second.find(job_type);
  if (j == w->second.end()) return out;
  for (const auto& [scale, value] : j->second) out.push_back(scale);
  return out;
}

std::size_t GavelThroughputs::entries() const {
  std::size_t n = 0;
  for (const auto& [worker, jobs] : table_) {
    for (const auto& [job_type, scales] : jobs) n += scales.size();
  }
  return n;
}

}  // namespace suanli::workload
