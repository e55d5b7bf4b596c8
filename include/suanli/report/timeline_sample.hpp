#pragma once
// One row of a serving timeline, or of a combined run's one timeline (the training columns
// filled by the training service through Core::timeline_sample). Light: the core includes it.
#include <cstdint>

namespace suanli::report {

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
