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

// Throws InputError ("<workload>:<line>: <column>: ...") for a gpu_type the platform does not
// have, a reference GPU missing from the catalog, times or transfers past the limits above, or
// a job larger than every cluster it may use (unless reject_oversized: then the job is marked
// rejected with the reason). Jobs asking for a share of one GPU are always marked rejected:
// GPU sharing is not simulated yet.
std::vector<PreparedJob> prepare_jobs(const platform::Platform& platform,
                                      const workload::Workload& workload, bool reject_oversized);

}  // namespace suanli::perf
