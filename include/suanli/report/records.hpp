#pragma once
// What the services tell the world as a run goes, in the core's signals (sim/core.hpp): a job
// that ended, the training cluster's state after a change, a request that ended, one row of
// the timeline. The recorders write them; tests and future subscribers read them in process.
// Light: the core includes it.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace suanli::report {

struct JobRecord {
  std::string_view id;
  std::string_view user;  // "" when the trace names none
  double submit_s = 0;
  double start_s = -1;  // -1: never started
  double end_s = -1;
  int num_gpus = 0;
  std::string_view gpu_type;  // model it ran on; empty if it never ran
  std::string hosts;          // GPU index ranges, e.g. "0-7 16-23"
  double energy_j = 0;
  std::string_view final_state;  // COMPLETED, REJECTED
  double gpu_fraction = 1;       // of each of its GPUs: below 1 for a share of one GPU
  // Preemption: how often it was suspended, the GPU-seconds it held (its attained service)
  // and the wall seconds of its runs without progress (restores after a preemption).
  // ran_s: the seconds it ran, its runs added up (end - start when never preempted).
  int preemptions = 0;
  double attained_gpu_s = 0;
  double lost_work_s = 0;
  double ran_s = 0;
};

// "0-3 8 10-11" from sorted GPU indices: JobRecord::hosts.
std::string index_ranges(const std::vector<int>& sorted);

struct ClusterState {
  double time_s = 0;
  int busy_gpus = 0;
  int total_gpus = 0;
  int queued_jobs = 0;
  int running_jobs = 0;
  double it_power_w = 0;
  double facility_power_w = 0;
  double allocated_gpus = 0;  // GPUs held by jobs, a share counting its fraction
  int fragmented_gpus = 0;    // idle GPUs that cannot serve the earliest waiting job
};

struct RequestRecord {
  std::string_view id;
  double arrival_s = 0;
  double first_token_s = -1;  // -1: never produced a token (rejected)
  double end_s = -1;
  std::int64_t prompt_tokens = 0;
  std::int64_t output_tokens = 0;
  std::string_view replica;  // "<deployment>/<index>", empty when rejected
  std::uint32_t preemptions = 0;
  std::uint32_t prefix_hit_tokens = 0;
  double energy_j = 0;
  std::string_view rejected_because;  // empty when served
};

// One row of a serving timeline, or of a combined run's one timeline (the training columns
// filled by the training service through Core::timeline_sample).
struct TimelineSample {
  double time_s = 0;
  std::uint64_t running_requests = 0;
  std::uint64_t queued_requests = 0;
  double kv_cache_util = 0;  // mean over replicas of the used share of their KV blocks
  double tokens_per_s = 0;   // output tokens emitted over the period ending here / period
  int busy_gpus = 0;         // GPUs of replicas that were running an iteration at time_s
  int replicas_on = 0;       // replicas whose GPUs are powered (not off by autoscaling)
  int total_gpus = 0;
  double it_power_w = 0;  // mean over the period ending here
  double facility_power_w = 0;
  // A combined run's timeline also carries the training service's state at time_s.
  int queued_jobs = 0;
  int running_jobs = 0;
  int training_gpus = 0;  // GPUs holding a training job (whole or a share)
};

}  // namespace suanli::report
