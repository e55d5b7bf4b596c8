// Two-dimensional least attained service (2D-LAS: Gu et al., "Tiresias: A GPU Cluster
// Manager for Distributed Deep Learning", NSDI'19, section 3.1): the jobs that have had the
// fewest GPU-seconds (GPUs x time run) run first, preempting the others, at every arrival
// and completion. It needs no knowledge of a job's length. Priorities are continuous;
// `tiresias` discretises them into queues. Ties keep arrival order; placement and
// backfilling as detail::plan_by_priority.
#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {

std::unique_ptr<Policy> make_las(const PolicyParams& /*params*/) {
  return std::make_unique<detail::KeyedPreemptivePolicy>(
      [](const QueuedJob& job, const ClusterView& view, std::size_t /*active*/) {
        return view.service(job.index).attained_gpu_s;
      });
}

}  // namespace suanli::sched
