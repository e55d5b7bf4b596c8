// The policy registry: adding a policy is one file defining make_<name>() and one line here.
#include <limits>
#include <string_view>
#include <vector>

#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {

const std::vector<PolicyEntry>& policies() {
  static const std::vector<PolicyEntry> entries = {
      {"fifo", "first come first served; the first job that does not fit blocks the rest",
       &make_fifo},
      {"sjf", "shortest walltime first; blocks like fifo, no backfilling", &make_sjf},
      {"easy", "fifo with EASY backfilling: later jobs may start if they do not delay the head",
       &make_easy},
  };
  return entries;
}

const PolicyEntry* find_policy(std::string_view name) {
  for (const PolicyEntry& entry : policies())
    if (entry.name == name) return &entry;
  return nullptr;
}

int pick_cluster(const QueuedJob& job, const ClusterView& view, const std::vector<int>& free) {
  const auto clusters = view.clusters();
  int best = -1;
  double best_runtime = std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < clusters.size(); ++c) {
    if (!detail::model_matches(job, clusters[c]) || free[c] < job.gpus) continue;
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
