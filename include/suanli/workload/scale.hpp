#pragma once
// What-if variants of a trace: arrivals compressed or stretched in time (the same jobs at a
// higher or lower offered load), a random sample of its jobs, and the trace inflated with
// clones of its jobs (the FGD artifact's "workload inflation").
#include <cstdint>

#include "suanli/workload/job.hpp"

namespace suanli::workload {

struct ScaleOptions {
  double time_factor = 1.0;  // submit times x this (< 1: arrivals closer, more load)
  double sample = 1.0;       // keep each job with this probability (0 < p <= 1)
  std::uint64_t seed = 0;    // for the sample and the clones: the same seed, the same jobs
  // >= 1: after the sample, clones of jobs drawn uniformly (with replacement) are appended
  // until there are ceil(kept x inflate) jobs, as the FGD artifact inflates a pod list
  // (hkust-adsl/kubernetes-scheduler-simulator, generateWorkloadInflationPods). Clone i of
  // job J is "J-clone-i"; clones arrive after the last job at the trace's mean gap.
  double inflate = 1.0;
  // > 0: then jobs drawn uniformly are removed, or clones of them (`J-tuned-i`) appended,
  // until the GPUs asked for (a share counting its fraction) add up to this, as the FGD
  // experiments' workload tuning (TunePodsByNodeTotalResource: "-tune 1.3" is 1.3 x the
  // cluster's GPUs). As there, appending stops at the first drawn job whose per-GPU share
  // would pass the target, and clones take the trace's next arrival slots.
  double tune_gpus = 0;
  // Deal the arrival slots to the jobs at random (the FGD experiments' --shuffle-pod): the
  // same submit times, the jobs in a seeded random order.
  bool shuffle = false;
};

// Returns the scaled workload; job order, ids, sizes and work are unchanged (clones come
// after the trace's jobs). Metadata gains the factor, the sample, how many jobs were kept
// and, when inflated, the ratio and how many clones were added.
Workload scale_workload(const Workload& workload, const ScaleOptions& options);

}  // namespace suanli::workload
