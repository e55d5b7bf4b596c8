// The option frame shared by fgd, best-fit, dot-product, packing, clustering and random
// (scored_placement.hpp).
#include "scored_placement.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched::detail {

int node_gpu_left(const AllocationState& state, int node) {
  int left = 0;
  for (int local = 0; local < spec_of(state, node).gpus; ++local)
    left += gpu_left(state, state.gpu_of_node(node, local));
  return left;
}

const NodeRoom& room_of(const AllocationState& state, int node) {
  const int cluster = state.cluster_of_node(node);
  return state.node_rooms(
      cluster)[std::size_t(node - state.platform().clusters[cluster].first_node)];
}

const platform::NodeSpec& spec_of(const AllocationState& state, int node) {
  return state.platform().clusters[state.cluster_of_node(node)].node;
}

ScoredPlacement::ScoredPlacement() : compact_(make_compact()) {}

std::vector<int> ScoredPlacement::default_gpus(const AllocationState& state,
                                               const NodeOption& option) {
  if (option.take != 1 || option.gpus.empty())
    return {option.gpus.begin(), option.gpus.begin() + option.take};
  // One GPU: the least room that holds the job (all candidates hold it), ties lowest. For a
  // whole GPU every candidate is free, so this is the lowest.
  int best = option.gpus.front();
  for (int gpu : option.gpus)
    if (gpu_left(state, gpu) < gpu_left(state, best)) best = gpu;
  return {best};
}

PodChoice ScoredPlacement::choose(const AllocationState& state, const QueuedJob& job,
                                  const std::vector<NodeOption>& options) const {
  PodChoice best;
  double best_score = std::numeric_limits<double>::infinity();
  auto consider = [&](int node, std::vector<int> gpus) {
    const double s = score(state, job, node, gpus);
    if (best.node < 0 || s < best_score) {
      best = {node, std::move(gpus)};
      best_score = s;
    }
  };
  for (const NodeOption& option : options) {
    if (!(scores_each_gpu() && job.share_milli > 0)) {
      consider(option.node, default_gpus(state, option));
      continue;
    }
    // GPUs with the same room score the same: the lowest of each room is enough.
    std::vector<int> seen;
    for (int gpu : option.gpus) {
      const int left = gpu_left(state, gpu);
      if (std::find(seen.begin(), seen.end(), left) != seen.end()) continue;
      seen.push_back(left);
      consider(option.node, {gpu});
    }
  }
  return best;
}

std::vector<int> ScoredPlacement::place(const AllocationState& state, int cluster, int gpus) const {
  const platform::Cluster& cl = state.platform().clusters[cluster];
  if (!scores_whole_gpu_jobs() || gpus > cl.node.gpus) return compact_->place(state, cluster, gpus);
  std::vector<NodeOption> options;
  for (int node = cl.first_node; node < cl.first_node + cl.nodes; ++node) {
    if (state.free_in_node(node) < gpus) continue;
    NodeOption option{node, {}, gpus};
    for (int local = 0; local < cl.node.gpus; ++local)
      if (state.gpu_free(state.gpu_of_node(node, local)))
        option.gpus.push_back(state.gpu_of_node(node, local));
    options.push_back(std::move(option));
  }
  if (options.empty()) return compact_->place(state, cluster, gpus);  // spans nodes
  QueuedJob job;
  job.gpus = gpus;
  return choose(state, job, options).gpus;
}

int ScoredPlacement::place_share(const AllocationState& state, int cluster,
                                 const QueuedJob& job) const {
  const auto options = share_options(state, cluster, job.share_milli);
  if (options.empty())
    throw std::logic_error("placement: no GPU of cluster " + std::to_string(cluster) +
                           " holds a share of " + std::to_string(job.share_milli));
  return choose(state, job, options).gpus.front();
}

PodChoice ScoredPlacement::place_pod(const AllocationState& state, const QueuedJob& job,
                                     const PodRequest& request) const {
  // Never empty: the default node is among the options.
  return choose(state, job, pod_options(state, job, request));
}

}  // namespace suanli::sched::detail
