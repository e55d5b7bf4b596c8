#pragma once
// What a trace holds, for `suanli workload stats`: size, time span, arrivals by hour of day,
// GPU counts, durations, GPU-hours, multi-node share, final states.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "suanli/workload/job.hpp"

namespace suanli::workload {

struct WorkloadStats {
  std::size_t jobs = 0;
  std::size_t duration_jobs = 0;  // with a duration (the rest are params/tokens runs)
  std::size_t unstarted = 0;      // never started in the trace
  std::size_t fractional = 0;     // ask for a share of one GPU
  double span_s = 0;              // last submission - first submission
  std::vector<double> arrivals_per_hour;  // 24 entries: mean jobs per hour, by hour of day
                                          // counted from the trace's time 0
  std::map<int, std::size_t> gpu_histogram;  // num_gpus -> jobs
  double duration_p50_s = 0, duration_p90_s = 0, duration_p99_s = 0, duration_max_s = 0;
  double gpu_hours = 0;              // duration jobs: sum of GPUs (or share) x duration
  double multi_node_share = 0;       // jobs with num_gpus > gpus_per_node
  std::map<std::string, std::size_t> states;  // trace_state -> jobs ("" -> "(none)")
};

WorkloadStats compute_stats(const Workload& workload, int gpus_per_node);
std::string format_stats(const Workload& workload, const WorkloadStats& stats, int gpus_per_node);
nlohmann::ordered_json stats_json(const Workload& workload, const WorkloadStats& stats,
                                  int gpus_per_node);

}  // namespace suanli::workload
