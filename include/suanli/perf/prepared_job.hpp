#pragma once
// Binds a workload to a platform: which GPU models a job may use, its reference GPU, its work,
// and the walltime the scheduler sees. Jobs that can never run (larger than every cluster
// they may use) are an input error, or, when the caller allows it, rejected up front.
#include <cstdint>
#include <string>
#include <vector>

#include "suanli/perf/job_work.hpp"
#include "suanli/platform/platform.hpp"
#include "suanli/workload/job.hpp"

namespace suanli::perf {

inline constexpr double kMaxSimulatedSeconds = 1e10;  // about 317 years
inline constexpr double kMaxBytes = 9e18;             // below 2^63

struct PreparedJob {
  // Models the job may use, one bit per index in ModelTable::names; 0 = any. A gpu_type may
  // list alternatives ("V100M16|V100M32", as Alibaba's gpu_spec does).
  std::uint64_t models = 0;
  double reference_peak = 0;  // FLOP/s of the job's reference GPU
  JobWork work;
  double walltime_ref_s = 0;  // scheduler's estimate in reference-GPU seconds
  // A share of one GPU, in thousandths (1..999; the job has num_gpus == 1), or 0 for whole
  // GPUs. A share job's work is already scaled by the share: it runs at share x peak.
  int share_milli = 0;
  // How many times faster than on its reference GPU the job runs on each GPU model (index in
  // ModelTable::names), from a throughput table; 0 for a model the table does not cover.
  // Empty, or 0 for a model: the ratio of peak FLOP/s (model peak / reference peak).
  std::vector<double> model_speed;
  bool rejected = false;
  std::string reject_reason;
};

// The distinct GPU models of a platform, in first-declared order, and each cluster's model.
struct ModelTable {
  std::vector<std::string> names;
  std::vector<int> cluster_model;               // by cluster index
  int index_of(const std::string& name) const;  // case-insensitive; -1 when absent
};

ModelTable model_table(const platform::Platform& platform);

class SpeedTable;

// Throws InputError ("<workload>:<line>: <column>: ...") for a gpu_type the platform does not
// have, a reference GPU missing from the catalog, times or transfers past the limits above, or
// a CPU-only job without a duration, a job larger than every cluster it may use, or a pod
// (Job::is_pod) that no single node of those clusters can hold (unless reject_oversized: then
// the job is marked rejected with the reason).
//
// With a speed table, a job whose job_type the table has gets model_speed (docs/model.md,
// "Measured per-GPU-type speeds"): for each platform model m the table covers,
//   model_speed[m] = steps/s(job_type, m, n) / steps/s(job_type, reference GPU, n)
// for its n GPUs, or the same ratio of the 1-GPU entries when either n-GPU entry is missing.
// When the table lacks the reference GPU (or says 0 there), the ratios are anchored on the
// covered platform model whose peak is closest to the reference's, which keeps its peak ratio.
// A model where the table says 0 steps/s is taken out of the job's models; a job left with
// none cannot run, and is treated as one larger than every cluster (InputError, or rejected
// with reject_oversized). How many jobs got table speeds is logged (spdlog info).
std::vector<PreparedJob> prepare_jobs(const platform::Platform& platform,
                                      const workload::Workload& workload, bool reject_oversized,
                                      const SpeedTable* speeds = nullptr);

}  // namespace suanli::perf
