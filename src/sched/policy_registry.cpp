// The policy registry: adding a policy is one file defining make_<name>() and one line here.
#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "suanli/common/input_error.hpp"
#include "suanli/common/registry.hpp"
#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {

constexpr std::span<const ParamSpec> kNoParams;

const Registry<PolicyEntry>& policy_registry() {
  static const Registry<PolicyEntry> entries = {
      {"fifo", "first come first served; the first job that does not fit blocks the rest",
       &make_fifo},
      {"sjf", "shortest walltime first; blocks like fifo, no backfilling", &make_sjf},
      {"easy", "fifo with EASY backfilling: later jobs may start if they do not delay the head",
       &make_easy},
      {"greedy", "every waiting job that fits starts, in arrival order; none blocks another",
       &make_greedy},
      {"conservative", "fifo with conservative backfilling: every queued job holds a reservation",
       &make_conservative, conservative_params()},
      {"srtf", "preemptive shortest remaining time first (an oracle: knows true run times)",
       &make_srtf, kNoParams, 0, true},
      {"las", "preemptive 2D least attained service (GPU-seconds), re-sorted every round",
       &make_las, kNoParams, 360},
      {"tiresias", "Tiresias's discretised 2D-LAS queues, as its public simulator's dlas-gpu",
       &make_tiresias, tiresias_params()},
      {"themis", "finish-time fairness: each round's leases go to the worst-off jobs (oracle)",
       &make_themis, kNoParams, 360, true},
      {"qssf", "Helios's quasi-shortest-service-first: order by GPU-time predicted from history",
       &make_qssf},
      {"gavel", "Gavel's heterogeneity-aware max-min fairness (an LP) in 360 s rounds", &make_gavel,
       gavel_params(), 360},
      {"gavel-max-throughput", "Gavel's LP maximising the sum of throughputs, in 360 s rounds",
       &make_gavel_max_throughput, gavel_params(), 360},
      {"carbon-aware",
       "deferrable jobs (deadline) wait for the cleanest hours that keep their "
       "deadline; the rest, and them once released, run under easy",
       &make_carbon_aware, carbon_aware_params()},
  };
  return entries;
}

const std::vector<PolicyEntry>& policies() {
  return policy_registry().entries();
}

const PolicyEntry* find_policy(std::string_view name) {
  return policy_registry().find(name);
}

std::unique_ptr<Policy> make_policy(std::string_view name, const ParamValues& params) {
  const PolicyEntry* entry = find_policy(name);
  if (!entry) throw InputError(policy_registry().unknown_message("policy", name));
  return entry->make(PolicyParams(name, entry->params, params));
}

int whole_gpus_needed(const QueuedJob& job, const FreeGpus& free) {
  if (job.share_milli > 0) {
    if (free.share_room_milli >= job.share_milli) return 0;
    return free.whole >= 1 ? 1 : -1;
  }
  return free.whole >= job.gpus ? job.gpus : -1;
}

int pod_node(const QueuedJob& job, const FreeGpus& free) {
  if (free.placed_elsewhere) return -1;
  for (std::size_t n = 0; n < free.nodes.size(); ++n) {
    if (!pod_fits(job, free.nodes[n])) continue;
    if (std::find(free.pod_nodes.begin(), free.pod_nodes.end(), int(n)) == free.pod_nodes.end())
      return int(n);
  }
  return -1;
}

// On a view with nodes, a pod takes the GPUs of its node: whole GPUs the node has free, or
// room on one of its GPUs holding shares.
int pod_whole_gpus(const QueuedJob& job, const NodeRoom& room) {
  if (job.share_milli > 0) return room.share_room_milli >= job.share_milli ? 0 : 1;
  return job.gpus;
}

int take(const QueuedJob& job, FreeGpus& free) {
  int whole = whole_gpus_needed(job, free);
  if (whole < 0) throw std::logic_error("take: the job does not fit");
  if (job.is_pod() && !free.nodes.empty()) {
    const int node = pod_node(job, free);
    if (node < 0) throw std::logic_error("take: no node holds the pod");
    free.pod_nodes.push_back(node);
    whole = pod_whole_gpus(job, free.nodes[std::size_t(node)]);
  } else if (whole > 0 || job.share_milli > 0) {
    free.placed_elsewhere = true;
  }
  if (job.share_milli > 0 && whole == 0) free.share_room_milli -= job.share_milli;
  free.whole -= whole;
  return whole;
}

int pick_cluster(const QueuedJob& job, const ClusterView& view, const std::vector<FreeGpus>& free,
                 double power_room_w) {
  const auto clusters = view.clusters();
  const bool power_limited = power_room_w < std::numeric_limits<double>::infinity();
  int best = -1;
  double best_runtime = std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < clusters.size(); ++c) {
    if (!detail::model_matches(job, clusters[c]) || !fits(job, free[c])) continue;
    if (power_limited && view.start_power_w(job, int(c)) > power_room_w) continue;
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
