#include "suanli/perf/job_work.hpp"

#include <cmath>

namespace suanli::perf {

JobWork job_work(const workload::Job& job, const platform::DeviceSpec& reference) {
  JobWork work;
  const double n = job.num_gpus;
  if (job.has_duration()) {
    work.flops_per_gpu = job.duration_s * reference.peak_flops();
    work.reference_runtime_s = job.duration_s;
    return work;
  }
  work.flops_per_gpu = 6.0 * job.params * job.tokens / (n * job.mfu);
  work.reference_runtime_s = work.flops_per_gpu / reference.peak_flops();
  if (job.num_gpus > 1) {
    const double steps = std::ceil(job.tokens / job.batch_tokens);
    const double gradient_bytes = kGradientBytesPerParam * job.params;
    work.ring_bytes_per_gpu = steps * 2.0 * (n - 1.0) / n * gradient_bytes;
  }
  return work;
}

double walltime_estimate(const workload::Job& job, const JobWork& work) {
  return job.walltime_s > 0 ? job.walltime_s : work.reference_runtime_s;
}

}  // namespace suanli::perf
