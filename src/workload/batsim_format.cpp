// Batsim JSON workload: {"nb_res": N, "jobs": [{"id", "subtime", "res", "profile",
// "walltime"}], "profiles": {name: {"type": ..., ...}}}. A job's duration comes from its
// profile: delay profiles give seconds, homogeneous parallel-task profiles give FLOPs per
// resource (seconds only with a resource speed); other profile types are counted and dropped.
// docs/formats/batsim.md says what is kept and why.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "suanli/workload/csv_util.hpp"
#include "suanli/workload/trace_format.hpp"
#include "suanli/workload/trace_reader.hpp"

namespace suanli::workload {

namespace {

using nlohmann::json;

// The top-level key that gives the resources' speed, in FLOP/s, for homogeneous
// parallel-task profiles (Batsim keeps host speeds in the platform, not the workload).
constexpr const char* kSpeedKey = "suanli_flops_per_second";

// Appends `text` as a JSON string. Plain ASCII is copied as it is; anything else goes through
// nlohmann, which escapes it and refuses text that is not UTF-8 (then false).
bool append_json_string(std::string& out, std::string_view text) {
  const bool plain = std::all_of(text.begin(), text.end(), [](char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
  if (plain) {
    out += '"';
    out += text;
    out += '"';
    return true;
  }
  try {
    out += json(std::string(text)).dump();
  } catch (const json::type_error&) {
    return false;
  }
  return true;
}

// nlohmann's message without its "[json.exception.parse_error.101] parse error at line L,
// column C: " prefix (the caller gives the location).
std::string parse_error_detail(const std::string& what) {
  std::string_view text = what;
  if (const auto bracket = text.find("] ");
      text.starts_with("[json.exception.") && bracket != std::string_view::npos) {
    text.remove_prefix(bracket + 2);
  }
  if (text.starts_with("parse error")) {
    if (const auto colon = text.find(": "); colon != std::string_view::npos) {
      text.remove_prefix(colon + 2);
    }
  }
  return std::string(text);
}

std::string type_of(const json& value) {
  return value.type_name();
}

// How a profile turns into a job's work.
enum class ProfileKind {
  kDelay,        // `seconds` of duration
  kHomogeneous,  // `flops` per resource (or in all, spread over the resources)
  kUnsupported,  // counted by type, dropped
};

struct ProfileInfo {
  ProfileKind kind = ProfileKind::kUnsupported;
  std::string type;
  double seconds = 0;
  double flops = 0;
  bool spread = false;        // flops is the total, split evenly over the job's resources
  bool communicates = false;  // com > 0: bytes exchanged that the duration leaves out
};

bool is_delay_type(std::string_view type) {
  return type == "delay" || type == "DelayProfile";
}

// Batsim has named the homogeneous parallel task "msg_par_hg", "parallel_homogeneous",
// "ptask_homogeneous" and "ParallelTaskHomogeneousProfile" over its versions;
// "parallel_homogeneous_total" gives the total amount instead of the amount per resource.
bool is_homogeneous_type(std::string_view type) {
  return type == "parallel_homogeneous" || type == "ptask_homogeneous" ||
         type == "ParallelTaskHomogeneousProfile" || type == "msg_par_hg" ||
         type == "parallel_homogeneous_total" || type == "msg_par_hg_tot";
}

class BatsimReader : TraceFile {
 public:
  using TraceFile::TraceFile;
  Workload read();

 private:
  using TraceFile::fail;
  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    fail(0, where, what);
  }

  json parse(const std::string& text) const;
  void read_top_level(const json& doc);
  void read_job(const json& item, std::size_t index);
  const ProfileInfo& profile(const std::string& name, const std::string& where);
  ProfileInfo read_profile(const json& desc, const std::string& where) const;
  double number_at(const json& object, const char* key, const std::string& where) const;
  int gpus_for(double resources, const std::string& where) const;

  Workload workload_;
  const json* profiles_ = nullptr;
  double flops_per_second_ = 0;  // 0: not given
  std::unordered_map<std::string, ProfileInfo> profile_cache_;
  std::unordered_map<std::string, std::size_t> ids_;  // id -> index of the job that has it
  double first_submit_ = std::numeric_limits<double>::infinity();
  std::map<std::string, std::size_t> dropped_unsupported_;  // by profile type
  std::size_t dropped_no_cpu_ = 0;
  std::size_t communication_ignored_ = 0;
};

json BatsimReader::parse(const std::string& text) const {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    // e.byte counts from 1 and points at the character that broke the parse.
    const std::size_t at = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
    const auto line =
        1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
    const std::size_t line_start = text.rfind('\n', at == 0 ? 0 : at - 1);
    const std::size_t column =
        at + 1 - (line_start == std::string::npos || at == 0 ? 0 : line_start + 1);
    fail(line > std::numeric_limits<int>::max() ? 0 : static_cast<int>(line), "",
         "invalid JSON at column " + std::to_string(column) + ": " + parse_error_detail(e.what()));
  } catch (const json::exception& e) {
    fail("", "invalid JSON: " + parse_error_detail(e.what()));
  }
}

Workload BatsimReader::read() {
  check_gpus_per_proc(path_, options_.gpus_per_proc);
  const json doc = parse(read_whole_file(path_));
  read_top_level(doc);
  const json& jobs = doc["jobs"];
  workload_ = start_workload(path_, "batsim", jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) read_job(jobs[i], i);

  if (ids_.empty()) first_submit_ = 0;
  for (Job& job : workload_.jobs) job.submit_s -= first_submit_;

  auto& meta = workload_.metadata;
  if (const auto nb_res = doc.find("nb_res"); nb_res != doc.end()) {
    meta.emplace_back("nb_res", nb_res->dump());
  }
  meta.emplace_back("first_submit_s", format_number(first_submit_));
  if (flops_per_second_ > 0) meta.emplace_back(kSpeedKey, format_number(flops_per_second_));
  for (const auto& [type, count] : dropped_unsupported_) {
    meta.emplace_back("dropped_unsupported_profile_" + type, std::to_string(count));
  }
  if (dropped_no_cpu_ > 0) {
    meta.emplace_back("dropped_communication_only", std::to_string(dropped_no_cpu_));
  }
  if (communication_ignored_ > 0) {
    meta.emplace_back("communication_ignored_jobs", std::to_string(communication_ignored_));
  }
  return std::move(workload_);
}

void BatsimReader::read_top_level(const json& doc) {
  if (!doc.is_object()) {
    fail("", "expected a JSON object with \"jobs\" and \"profiles\" (a Batsim workload), found " +
                 type_of(doc));
  }
  const auto jobs = doc.find("jobs");
  if (jobs == doc.end()) fail("jobs", "missing: a Batsim workload lists its jobs in \"jobs\"");
  if (!jobs->is_array()) fail("jobs", "must be an array, found " + type_of(*jobs));
  const auto profiles = doc.find("profiles");
  if (profiles == doc.end()) {
    fail("profiles", "missing: a Batsim workload describes its jobs' work in \"profiles\"");
  }
  if (!profiles->is_object()) fail("profiles", "must be an object, found " + type_of(*profiles));
  profiles_ = &*profiles;
  if (const auto nb_res = doc.find("nb_res"); nb_res != doc.end()) {
    if (!nb_res->is_number() || nb_res->get<double>() < 0) {
      fail("nb_res", "must be a number >= 0, found " + nb_res->dump());
    }
  }
  if (const auto speed = doc.find(kSpeedKey); speed != doc.end()) {
    if (!speed->is_number() || !(speed->get<double>() > 0) ||
        !std::isfinite(speed->get<double>())) {
      fail(kSpeedKey, "must be a number > 0 (FLOP/s of one resource), found " + speed->dump());
    }
    flops_per_second_ = speed->get<double>();
  }
  // --batsim-speed wins over the file's own key.
  if (options_.batsim_flops_per_second > 0) flops_per_second_ = options_.batsim_flops_per_second;
}

double BatsimReader::number_at(const json& object, const char* key,
                               const std::string& where) const {
  const auto it = object.find(key);
  if (it == object.end()) fail(where + "." + key, "missing");
  if (!it->is_number()) fail(where + "." + key, "must be a number, found " + type_of(*it));
  return it->get<double>();
}

void BatsimReader::read_job(const json& item, std::size_t index) {
  const std::string where = "jobs[" + std::to_string(index) + "]";
  if (!item.is_object()) fail(where, "must be an object, found " + type_of(item));

  Job job;
  job.line = static_cast<int>(std::min<std::size_t>(index + 1, std::numeric_limits<int>::max()));

  const auto id = item.find("id");
  if (id == item.end()) fail(where + ".id", "missing");
  if (id->is_string()) {
    job.id = id->get<std::string>();
    if (job.id.empty()) fail(where + ".id", "empty");
  } else if (id->is_number()) {
    job.id = id->dump();
  } else {
    fail(where + ".id", "must be a string or a number, found " + type_of(*id));
  }
  if (const auto [it, added] = ids_.try_emplace(job.id, index); !added) {
    fail(where + ".id", "duplicate job id " + quote_for_message(job.id) + " (first in jobs[" +
                            std::to_string(it->second) + "])");
  }

  job.submit_s = number_at(item, "subtime", where);
  first_submit_ = std::min(first_submit_, job.submit_s);

  const double res = number_at(item, "res", where);
  if (!(res >= 1) || std::floor(res) != res) {
    fail(where + ".res", "must be a whole number >= 1, found " + item["res"].dump());
  }
  job.num_gpus = gpus_for(res, where + ".res");

  if (const auto walltime = item.find("walltime"); walltime != item.end() && !walltime->is_null()) {
    if (!walltime->is_number()) {
      fail(where + ".walltime", "must be a number, found " + type_of(*walltime));
    }
    if (walltime->get<double>() > 0) job.walltime_s = walltime->get<double>();
  }

  const auto profile_name = item.find("profile");
  if (profile_name == item.end()) fail(where + ".profile", "missing");
  if (!profile_name->is_string()) {
    fail(where + ".profile",
         "must be a string (a key of \"profiles\"), found " + type_of(*profile_name));
  }
  const std::string& name = profile_name->get_ref<const std::string&>();
  const ProfileInfo& info = profile(name, where + ".profile");
  switch (info.kind) {
    case ProfileKind::kDelay:
      job.duration_s = info.seconds;
      break;
    case ProfileKind::kHomogeneous: {
      const double flops = info.spread ? info.flops / res : info.flops;
      if (!(flops > 0)) {
        ++dropped_no_cpu_;
        return;
      }
      if (flops_per_second_ <= 0) {
        fail(where + ".profile",
             "profile " + quote_for_message(name) + " (" + info.type +
                 "): needs the resource speed to turn cpu FLOPs into seconds: give "
                 "--batsim-speed FLOPS, or a top-level \"" +
                 kSpeedKey + "\" number (FLOP/s of one resource)");
      }
      job.duration_s = flops / flops_per_second_;
      if (info.communicates) ++communication_ignored_;
      break;
    }
    case ProfileKind::kUnsupported:
      ++dropped_unsupported_[info.type];
      return;
  }
  workload_.jobs.push_back(std::move(job));
}

const ProfileInfo& BatsimReader::profile(const std::string& name, const std::string& where) {
  if (const auto cached = profile_cache_.find(name); cached != profile_cache_.end()) {
    return cached->second;
  }
  const auto desc = profiles_->find(name);
  if (desc == profiles_->end()) {
    fail(where, "unknown profile " + quote_for_message(name) + " (not a key of \"profiles\")");
  }
  return profile_cache_.emplace(name, read_profile(*desc, "profiles." + name)).first->second;
}

ProfileInfo BatsimReader::read_profile(const json& desc, const std::string& where) const {
  if (!desc.is_object()) fail(where, "must be an object, found " + type_of(desc));
  const auto type = desc.find("type");
  if (type == desc.end()) fail(where + ".type", "missing");
  if (!type->is_string()) fail(where + ".type", "must be a string, found " + type_of(*type));
  ProfileInfo info;
  info.type = type->get<std::string>();
  if (is_delay_type(info.type)) {
    info.kind = ProfileKind::kDelay;
    info.seconds = number_at(desc, "delay", where);
    if (!(info.seconds > 0)) {
      fail(where + ".delay", "must be > 0 seconds, found " + format_number(info.seconds));
    }
    return info;
  }
  if (!is_homogeneous_type(info.type)) return info;  // kUnsupported

  info.kind = ProfileKind::kHomogeneous;
  info.flops = number_at(desc, "cpu", where);
  if (info.flops < 0) fail(where + ".cpu", "must be >= 0, found " + format_number(info.flops));
  if (desc.contains("com")) {
    const double com = number_at(desc, "com", where);
    if (com < 0) fail(where + ".com", "must be >= 0, found " + format_number(com));
    info.communicates = com > 0;
  }
  info.spread = info.type == "parallel_homogeneous_total" || info.type == "msg_par_hg_tot";
  if (const auto strategy = desc.find("generation_strategy"); strategy != desc.end()) {
    const std::string text = strategy->is_string() ? strategy->get<std::string>() : "";
    if (text == "DefinedAmountsSpreadUniformly" || text == "defined_amount_spread_uniformly") {
      info.spread = true;
    } else if (text == "DefinedAmountsUsedForEachValue" ||
               text == "defined_amount_used_for_each_value") {
      info.spread = false;
    } else {
      fail(where + ".generation_strategy",
           "expected \"DefinedAmountsUsedForEachValue\" or \"DefinedAmountsSpreadUniformly\", "
           "found " +
               strategy->dump());
    }
  }
  return info;
}

int BatsimReader::gpus_for(double resources, const std::string& where) const {
  const std::optional<int> gpus = gpus_for_units(resources, options_.gpus_per_proc);
  if (!gpus) {
    fail(where, format_number(resources) + " resources x " + format_number(options_.gpus_per_proc) +
                    " GPUs per resource is too many GPUs");
  }
  return *gpus;
}

}  // namespace

Workload read_batsim(const std::string& path, const ReadOptions& options) {
  return BatsimReader(path, options).read();
}

// A JSON object (not Philly's list) naming "jobs", and "profiles" or a job's "subtime": a big
// workload lists its profiles after the jobs, beyond the head.
bool sniff_batsim(std::string_view head, std::string_view /*path*/) {
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  const std::size_t first = head.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || head[first] != '{') return false;
  const auto has = [&](std::string_view text) { return head.find(text) != std::string_view::npos; };
  return has("\"jobs\"") && (has("\"profiles\"") || has("\"subtime\""));
}

void write_batsim(const Workload& workload, std::ostream& out) {
  int nb_res = 0;
  FirstSeen ids(workload.jobs.size());
  int index = 0;
  for (const Job& job : workload.jobs) {
    check_written_duration(job, "a Batsim delay profile needs seconds",
                           "a Batsim delay must be > 0");
    if (!std::isfinite(job.submit_s)) {
      throw std::invalid_argument(job_name(job) + ": submit time is not a finite number");
    }
    check_written_gpus(job, "a Batsim job needs at least 1 resource",
                       "Batsim counts whole resources only");
    if (ids.insert(job.id, ++index) != 0) {
      throw std::invalid_argument(job_name(job) + ": duplicate job id; Batsim ids are unique");
    }
    nb_res = std::max(nb_res, job.num_gpus);
  }

  // One delay profile per distinct duration, in order of first use: sort (duration, first
  // job) pairs, keep the first of each duration, and put them back in job order.
  std::vector<std::pair<double, std::size_t>> durations;
  durations.reserve(workload.jobs.size());
  for (std::size_t i = 0; i < workload.jobs.size(); ++i) {
    durations.emplace_back(workload.jobs[i].duration_s, i);
  }
  std::sort(durations.begin(), durations.end());
  durations.erase(std::unique(durations.begin(), durations.end(),
                              [](const auto& a, const auto& b) { return a.first == b.first; }),
                  durations.end());
  std::sort(durations.begin(), durations.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });

  // One job per line: stable, diffable, and still one JSON document.
  std::string text = "{\n  \"nb_res\": " + std::to_string(nb_res) + ",\n  \"jobs\": [";
  constexpr std::size_t kFlushAt = std::size_t{1} << 20;
  bool first = true;
  for (const Job& job : workload.jobs) {
    text += first ? "\n    {\"id\": " : ",\n    {\"id\": ";
    first = false;
    if (!append_json_string(text, job.id)) {
      throw std::invalid_argument(job_name(job) + ": its id is not valid UTF-8, which JSON needs");
    }
    text += ", \"subtime\": ";
    append_number(text, job.submit_s);
    text += ", \"res\": ";
    text += std::to_string(job.num_gpus);
    text += ", \"profile\": \"delay_";  // and a number: nothing to escape
    append_number(text, job.duration_s);
    text += '"';
    if (job.walltime_s > 0) {
      text += ", \"walltime\": ";
      append_number(text, job.walltime_s);
    }
    text += '}';
    if (text.size() >= kFlushAt) {
      out.write(text.data(), static_cast<std::streamsize>(text.size()));
      text.clear();
    }
  }
  text += first ? "],\n  \"profiles\": {" : "\n  ],\n  \"profiles\": {";
  first = true;
  for (const auto& [seconds, job_index] : durations) {
    text += first ? "\n    \"delay_" : ",\n    \"delay_";
    first = false;
    append_number(text, seconds);
    text += "\": {\"type\": \"delay\", \"delay\": ";
    append_number(text, seconds);
    text += '}';
    if (text.size() >= kFlushAt) {
      out.write(text.data(), static_cast<std::streamsize>(text.size()));
      text.clear();
    }
  }
  text += first ? "}\n}\n" : "\n  }\n}\n";
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

std::span<const FormatOption> batsim_options() {
  static constexpr FormatOption kOptions[] = {
      kGpusPerProcOption,
      {.name = "batsim-speed",
       .value_name = "FLOPS",
       .help = "batsim: FLOP/s of one resource, for parallel-task profiles",
       .number = &ReadOptions::batsim_flops_per_second}};
  return kOptions;
}

}  // namespace suanli::workload
