// The policy registry: adding a policy is one file defining make_<name>() and one line here.
#include <limits>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "suanli/common/registry.hpp"
#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {

const Registry<PolicyEntry>& policy_registry() {
  static const Registry<PolicyEntry> entries = {
      {"fifo", "first come first served; the first job that does not fit blocks the rest",
       &make_fifo},
      {"sjf", "shortest walltime first; blocks like fifo, no backfilling", &make_sjf},
      {"easy", "fifo with EASY backfilling: later jobs may start if they do not delay the head",
       &make_easy},
  };
  return entries;
}

const std::vector<PolicyEntry>& policies() {
  return policy_registry().entries();
}

const PolicyEntry* find_policy(std::string_view name) {
  return policy_registry().find(name);
}

int whole_gpus_needed(const QueuedJob& job, const FreeGpus& free) {
  if (job.share_milli > 0) {
    if (free.share_room_milli >= job.share_milli) return 0;
    return free.whole >= 1 ? 1 : -1;
  }
  return free.whole >= job.gpus ? job.gpus : -1;
}

int take(const QueuedJob& job, FreeGpus& free) {
  const int whole = whole_gpus_needed(job, free);
  if (whole < 0) throw std::logic_error("take: the job does not fit");
  if (job.share_milli > 0 && whole == 0) free.share_room_milli -= job.share_milli;
  free.whole -= whole;
  return whole;
}

int pick_cluster(const QueuedJob& job, const ClusterView& view, const std::vector<FreeGpus>& free) {
  const auto clusters = view.clusters();
  int best = -1;
  double best_runtime = std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < clusters.size(); ++c) {
    if (!detail::model_matches(job, clusters[c]) || !fits(job, free[c])) continue;
    const double runtime = view.estimated_runtime(job, static_cast<int>(c));
    // Strictly less keeps the lowest index on ties; best < 0 accepts an infinite estimate.
    if (best < 0 || runtime < best_runtime) {
      best = static_cast<int>(c);
      best_runtime = runtime;
    }
  }
  return best;
}

}  // namespace suanli::sched
