// Preemptive shortest remaining time first: at every arrival and completion, the jobs with
// the least work left run, preempting longer ones (Schrage, "A proof of the optimality of the
// shortest remaining processing time discipline", Operations Research 16(3), 1968; the SRTF
// baseline of the DL-scheduling papers, e.g. Tiresias, NSDI'19, section 6). An oracle: it
// reads each job's true remaining time (ClusterView::oracle_remaining_s) on the fastest
// cluster it may use. Ties keep arrival order; placement and backfilling as
// detail::plan_by_priority.
#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {

std::unique_ptr<Policy> make_srtf(const PolicyParams& /*params*/) {
  return std::make_unique<detail::KeyedPreemptivePolicy>(
      [](const QueuedJob& job, const ClusterView& view, std::size_t /*active*/) {
        return detail::oracle_remaining_fastest(job, view);
      });
}

}  // namespace suanli::sched
