#pragma once
// What a trace holds, for `suanli workload stats`: size, time span, arrivals by hour of day,
// GPU counts, durations, GPU-hours, multi-node share, final states, job types.
#include <map>
#include <optional>
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
  // 24 entries: jobs submitted in each hour of the day, divided by the number of days
  // (in hour_basis) from the first submission's to the last's.
  std::vector<double> arrivals_per_hour;
  // What the hours are: "utc" (wall-clock, the metadata gives the epoch of time 0), "local"
  // (wall-clock in hour_time_zone, the SWF TimeZoneString) or "trace-relative" (no epoch:
  // hours counted from the trace's time 0).
  std::string hour_basis = "trace-relative";
  std::string hour_time_zone;                // "local" only
  std::optional<double> time0_unix_s;        // the epoch of time 0, when the metadata gives one
  std::string time0_key;                     // the metadata entry it comes from
  std::string hour_basis_note;               // why a time zone the trace names was not applied
  std::map<int, std::size_t> gpu_histogram;  // num_gpus -> jobs
  double duration_p50_s = 0, duration_p90_s = 0, duration_p99_s = 0, duration_max_s = 0;
  double gpu_hours = 0;                          // duration jobs: sum of GPUs (or share) x duration
  double multi_node_share = 0;                   // jobs with num_gpus > gpus_per_node
  std::map<std::string, std::size_t> states;     // trace_state -> jobs ("" -> "(none)")
  std::map<std::string, std::size_t> job_types;  // job_type -> jobs (jobs that have one)
};

// The Unix time of the workload's time 0 from its metadata, when a reader recorded it: the
// SWF `time0_unix_s`, or an `epoch_first_submit` written as a date-time (Philly, Helios,
// Tiresias; taken as UTC) or, for Helios, as epoch seconds. `key` gets the entry's name.
// Other numbers (Alibaba, Gavel, Tiresias seconds) count from an unknown start: none.
std::optional<double> trace_epoch(const Workload& workload, std::string* key = nullptr);

WorkloadStats compute_stats(const Workload& workload, int gpus_per_node);
std::string format_stats(const Workload& workload, const WorkloadStats& stats, int gpus_per_node);
nlohmann::ordered_json stats_json(const Workload& workload, const WorkloadStats& stats,
                                  int gpus_per_node);

}  // namespace suanli::workload
