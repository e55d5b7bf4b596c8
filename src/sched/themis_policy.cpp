// Themis's finish-time fairness (Mahajan et al., "Themis: Fair and Efficient GPU Cluster
// Scheduling", NSDI'20, sections 3-4): a job's rho = T_shared / T_ideal, its finish time in
// the shared cluster over its run time alone on a 1/N share of it (N active jobs). GPUs are
// leased for a round (360 s by default, the round of Gavel's simulator, whose
// finish_time_fairness policy is the public reference); at each round the leases go to
// the jobs with the worst rho first, preempting the others (detail::plan_by_priority);
// between rounds waiting jobs only take free GPUs. Here:
//   W      = the job's run time alone on its GPUs (remaining / (1 - done)),
//   T_ideal = W x max(1, GPUs x N / cluster GPUs)  (a 1/N share, as Themis defines it),
//   T_shared = time since submission + remaining (if it ran from now on),
// with the remaining time as the job reports it (Themis's agents know their apps' work):
// an oracle, like srtf. Themis's auction among the worst-off jobs (partial allocations,
// bids on placement) is not modelled: the worst rho simply goes first.
#include <algorithm>

#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {

namespace {

// -rho: the worst-off job first. `active`: N, the jobs sharing the cluster.
double minus_rho(const QueuedJob& job, const ClusterView& view, std::size_t active) {
  int gpus = 0;
  for (const ClusterInfo& c : view.clusters()) gpus += c.total_gpus;
  const double share = double(std::max(gpus, 1)) / double(std::max<std::size_t>(active, 1));
  const double remaining = detail::oracle_remaining_fastest(job, view);
  const double done = view.work_done(job.index);
  const double alone = done < 1 ? remaining / (1 - done) : 0;
  const double ideal = alone * std::max(1.0, job.gpus / share);
  if (!(ideal > 0)) return 0;
  return -(view.now() - job.submit_s + remaining) / ideal;
}

}  // namespace

std::unique_ptr<Policy> make_themis(const PolicyParams& /*params*/) {
  return std::make_unique<detail::KeyedPreemptivePolicy>(&minus_rho, /*leases=*/true);
}

}  // namespace suanli::sched
