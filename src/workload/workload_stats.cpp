#include "suanli/workload/workload_stats.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include <fmt/format.h>

#include "suanli/common/quantile.hpp"
#include "suanli/workload/csv_util.hpp"
#include "suanli/workload/trace_time.hpp"

namespace suanli::workload {

namespace {

// Wall-clock time in an IANA time zone (an SWF log's TimeZoneString, "US/Pacific"), from the
// system's time-zone database through the C library: TZ is set while the object lives and
// restored after. Not thread-safe (TZ is process-wide); `workload stats` is single-threaded.
class ZoneClock {
 public:
  // False (and TZ untouched) when the zone is not a plain name found in the database.
  bool open(const std::string& zone) {
    const bool plain = !zone.empty() && zone.front() != '/' &&
                       zone.find("..") == std::string::npos &&
                       zone.find_first_not_of(
                           "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                           "0123456789/_+-") == std::string::npos;
    const char* dir = std::getenv("TZDIR");
    std::error_code ec;
    if (!plain || !std::filesystem::is_regular_file(
                      std::filesystem::path(dir && *dir ? dir : "/usr/share/zoneinfo") / zone, ec))
      return false;
    if (const char* old = std::getenv("TZ")) saved_ = old;
    setenv("TZ", zone.c_str(), 1);
    tzset();
    open_ = true;
    return true;
  }
  ~ZoneClock() {
    if (!open_) return;
    if (saved_)
      setenv("TZ", saved_->c_str(), 1);
    else
      unsetenv("TZ");
    tzset();
  }

  // Seconds east of UTC at Unix time t.
  double offset(double t) const {
    const auto seconds = static_cast<std::time_t>(std::floor(t));
    std::tm local{};
    return localtime_r(&seconds, &local) ? static_cast<double>(local.tm_gmtoff) : 0.0;
  }

 private:
  bool open_ = false;
  std::optional<std::string> saved_;
};

// "2020-01-01 13:30:00": Unix seconds as a UTC date-time (whole seconds).
std::string utc_text(double unix_s) {
  const auto seconds = static_cast<long long>(std::floor(unix_s));
  const long long day = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  const long long in_day = seconds - day * 86400;
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{day}}};
  return fmt::format("{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     in_day / 3600, in_day / 60 % 60, in_day % 60);
}

std::string metadata_value(const Workload& w, std::string_view key) {
  for (const auto& [k, v] : w.metadata)
    if (k == key) return v;
  return "";
}

}  // namespace

std::optional<double> trace_epoch(const Workload& w, std::string* key) {
  for (const auto& [k, v] : w.metadata) {
    double t = 0;
    const bool found = (k == "time0_unix_s" && parse_double(v, t)) ||
                       (k == "epoch_first_submit" &&
                        (parse_datetime(v, t) || (w.format == "helios" && parse_double(v, t))));
    if (found && std::isfinite(t)) {
      if (key) *key = k;
      return t;
    }
  }
  return std::nullopt;
}

WorkloadStats compute_stats(const Workload& w, int gpus_per_node) {
  WorkloadStats s;
  s.jobs = w.jobs.size();
  s.arrivals_per_hour.assign(24, 0.0);
  // Hours of day: wall-clock when the trace says when its time 0 was, in its time zone when
  // it names one (SWF TimeZoneString) that the system knows, else UTC.
  s.time0_unix_s = trace_epoch(w, &s.time0_key);
  ZoneClock zone;
  if (s.time0_unix_s) {
    s.hour_basis = "utc";
    if (const std::string tz = metadata_value(w, "TimeZoneString"); !tz.empty()) {
      if (zone.open(tz)) {
        s.hour_basis = "local";
        s.hour_time_zone = tz;
      } else {
        s.hour_basis_note = "time zone '" + tz +
                            "' (TimeZoneString) is not in the system's time-zone database: hours "
                            "are UTC";
      }
    }
  }
  const double epoch = s.time0_unix_s.value_or(0.0);
  const bool local = s.hour_basis == "local";
  if (w.jobs.empty()) return s;
  double first = w.jobs.front().submit_s, last = first;
  double first_day = INFINITY, last_day = -INFINITY;  // in the hours' basis
  std::vector<double> durations;
  std::size_t multi = 0;
  for (const Job& j : w.jobs) {
    first = std::min(first, j.submit_s);
    last = std::max(last, j.submit_s);
    ++s.gpu_histogram[j.num_gpus];
    ++s.states[j.trace_state.empty() ? "(none)" : j.trace_state];
    if (!j.job_type.empty()) ++s.job_types[j.job_type];
    if (!j.started_in_trace) ++s.unstarted;
    if (j.gpu_milli > 0) ++s.fractional;
    if (j.num_gpus > gpus_per_node) ++multi;
    const double t = epoch + j.submit_s;
    const double clock = local ? t + zone.offset(t) : t;
    const double day = std::floor(clock / 86400.0);
    first_day = std::min(first_day, day);
    last_day = std::max(last_day, day);
    const auto hour = std::size_t((clock - day * 86400.0) / 3600.0) % 24;
    s.arrivals_per_hour[hour] += 1;
    if (j.has_duration()) {
      ++s.duration_jobs;
      durations.push_back(j.duration_s);
      const double gpus = j.gpu_milli > 0 ? j.gpu_milli / 1000.0 : j.num_gpus;
      s.gpu_hours += gpus * j.duration_s / 3600.0;
    }
  }
  s.span_s = last - first;
  // Mean per hour of day: divide by the number of days the submissions cover.
  const double days = last_day - first_day + 1;
  for (auto& a : s.arrivals_per_hour) a /= days;
  std::sort(durations.begin(), durations.end());
  s.duration_p50_s = quantile_of_sorted(durations, 0.5);
  s.duration_p90_s = quantile_of_sorted(durations, 0.9);
  s.duration_p99_s = quantile_of_sorted(durations, 0.99);
  s.duration_max_s = durations.empty() ? 0 : durations.back();
  s.multi_node_share = double(multi) / double(s.jobs);
  return s;
}

std::string format_stats(const Workload& w, const WorkloadStats& s, int gpus_per_node) {
  std::string out = fmt::format("{} ({} format)\n", w.source, w.format);
  out += fmt::format("  jobs                 {}\n", s.jobs);
  out += fmt::format("  with a duration      {}   (others: params/tokens training runs)\n",
                     s.duration_jobs);
  out += fmt::format("  never started        {}\n", s.unstarted);
  out += fmt::format("  GPU share < 1 GPU    {}\n", s.fractional);
  out += fmt::format("  time span            {:.1f} h ({:.2f} days)\n", s.span_s / 3600,
                     s.span_s / 86400);
  out += fmt::format("  duration p50/p90/p99 {:.0f} / {:.0f} / {:.0f} s (max {:.0f} s)\n",
                     s.duration_p50_s, s.duration_p90_s, s.duration_p99_s, s.duration_max_s);
  out += fmt::format("  GPU-hours            {:.1f}\n", s.gpu_hours);
  out += fmt::format("  multi-node share     {:.1f} % (more than {} GPUs)\n",
                     100 * s.multi_node_share, gpus_per_node);
  out += "  GPUs per job:\n";
  for (const auto& [gpus, count] : s.gpu_histogram)
    out += fmt::format("    {:>6}  {:>9}  {:5.1f} %\n", gpus, count,
                       100.0 * double(count) / double(s.jobs));
  if (s.hour_basis == "trace-relative") {
    out +=
        "  arrivals per hour, by hour of day (trace-relative: the trace gives no date for its "
        "time 0):\n   ";
  } else {
    out += fmt::format("  arrivals per hour, by hour of day ({}; time 0 = {} UTC, from {}{}):\n   ",
                       s.hour_basis == "local" ? s.hour_time_zone + " local time" : "UTC",
                       utc_text(*s.time0_unix_s), s.time0_key,
                       s.hour_basis_note.empty() ? "" : "; " + s.hour_basis_note);
  }
  for (int h = 0; h < 24; ++h)
    out += fmt::format(" {:02d}:{:<6.1f}{}", h, s.arrivals_per_hour[h], h % 6 == 5 ? "\n   " : "");
  out += "\n  final states in the trace:\n";
  for (const auto& [state, count] : s.states)
    out += fmt::format("    {:<12} {:>9}\n", state, count);
  if (!s.job_types.empty()) {
    out += "  job types (generator classes, trace models):\n";
    for (const auto& [type, count] : s.job_types)
      out += fmt::format("    {:<24} {:>9}  {:5.1f} %\n", type, count,
                         100.0 * double(count) / double(s.jobs));
  }
  for (const auto& [key, value] : w.metadata) out += fmt::format("  {}: {}\n", key, value);
  return out;
}

nlohmann::ordered_json stats_json(const Workload& w, const WorkloadStats& s, int gpus_per_node) {
  nlohmann::ordered_json j;
  j["source"] = w.source;
  j["format"] = w.format;
  j["jobs"] = s.jobs;
  j["duration_jobs"] = s.duration_jobs;
  j["never_started"] = s.unstarted;
  j["fractional_gpu_jobs"] = s.fractional;
  j["span_s"] = s.span_s;
  j["arrivals_per_hour_of_day"] = s.arrivals_per_hour;
  j["hour_basis"] = s.hour_basis;
  if (!s.hour_time_zone.empty()) j["hour_time_zone"] = s.hour_time_zone;
  if (s.time0_unix_s) {
    j["time0_utc"] = utc_text(*s.time0_unix_s);
    j["time0_from"] = s.time0_key;
  }
  if (!s.hour_basis_note.empty()) j["hour_basis_note"] = s.hour_basis_note;
  nlohmann::ordered_json hist;
  for (const auto& [gpus, count] : s.gpu_histogram) hist[std::to_string(gpus)] = count;
  j["gpu_histogram"] = hist;
  j["duration_p50_s"] = s.duration_p50_s;
  j["duration_p90_s"] = s.duration_p90_s;
  j["duration_p99_s"] = s.duration_p99_s;
  j["duration_max_s"] = s.duration_max_s;
  j["gpu_hours"] = s.gpu_hours;
  j["gpus_per_node"] = gpus_per_node;
  j["multi_node_share"] = s.multi_node_share;
  j["final_states"] = s.states;
  if (!s.job_types.empty()) j["job_types"] = s.job_types;
  nlohmann::ordered_json meta;
  for (const auto& [key, value] : w.metadata) meta[key] = value;
  j["metadata"] = meta;
  return j;
}

}  // namespace suanli::workload
