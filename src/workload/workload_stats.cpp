#include "suanli/workload/workload_stats.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "suanli/common/quantile.hpp"

namespace suanli::workload {


WorkloadStats compute_stats(const Workload& w, int gpus_per_node) {
  WorkloadStats s;
  s.jobs = w.jobs.size();
  s.arrivals_per_hour.assign(24, 0.0);
  if (w.jobs.empty()) return s;
  double first = w.jobs.front().submit_s, last = first;
  std::vector<double> durations;
  std::size_t multi = 0;
  for (const Job& j : w.jobs) {
    first = std::min(first, j.submit_s);
    last = std::max(last, j.submit_s);
    ++s.gpu_histogram[j.num_gpus];
    ++s.states[j.trace_state.empty() ? "(none)" : j.trace_state];
    if (!j.started_in_trace) ++s.unstarted;
    if (j.gpu_milli > 0) ++s.fractional;
    if (j.num_gpus > gpus_per_node) ++multi;
    const auto hour = std::size_t(std::fmod(j.submit_s, 86400.0) / 3600.0) % 24;
    s.arrivals_per_hour[hour] += 1;
    if (j.has_duration()) {
      ++s.duration_jobs;
      durations.push_back(j.duration_s);
      const double gpus = j.gpu_milli > 0 ? j.gpu_milli / 1000.0 : j.num_gpus;
      s.gpu_hours += gpus * j.duration_s / 3600.0;
    }
  }
  s.span_s = last - first;
  // Mean per hour of day: divide by the number of days the trace covers (at least one).
  const double days = std::max(1.0, std::ceil((last + 1) / 86400.0));
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
  out += "  arrivals per hour, by hour of day from the trace's time 0:\n   ";
  for (int h = 0; h < 24; ++h)
    out += fmt::format(" {:02d}:{:<6.1f}{}", h, s.arrivals_per_hour[h], h % 6 == 5 ? "\n   " : "");
  out += "\n  final states in the trace:\n";
  for (const auto& [state, count] : s.states)
    out += fmt::format("    {:<12} {:>9}\n", state, count);
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
  nlohmann::ordered_json meta;
  for (const auto& [key, value] : w.metadata) meta[key] = value;
  j["metadata"] = meta;
  return j;
}

}  // namespace suanli::workload
