#pragma once
// What-if variants of a trace: arrivals compressed or stretched in time (the same jobs at a
// higher or lower offered load) and a random sample of its jobs.
#include <cstdint>

#include "suanli/workload/job.hpp"

namespace suanli::workload {

struct ScaleOptions {
  double time_factor = 1.0;  // submit times x this (< 1: arrivals closer, more load)
  double sample = 1.0;       // keep each job with this probability (0 < p <= 1)
  std::uint64_t seed = 0;    // for the sample: the same seed keeps the same jobs
};

// Returns the scaled workload; job order, ids, sizes and work are unchanged. Metadata gains
// the factor, the sample and how many jobs were kept.
Workload scale_workload(const Workload& workload, const ScaleOptions& options);

}  // namespace suanli::workload
