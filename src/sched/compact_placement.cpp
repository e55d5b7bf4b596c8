// Compact placement: put a job on as few nodes as possible, then under as few leaf switches
// as possible, so its collective traffic stays on NVLink and inside one leaf where it can,
// and leave whole nodes and leaves free for the next large job (best fit). O(nodes log
// nodes) per call in the worst case; it never walks GPUs beyond the ones it takes.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "leaf_take.hpp"
#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {
namespace {

using detail::nodes_needed;
using detail::take_from_leaf;
using detail::take_from_node;

class CompactPlacement final : public Placement {
 public:
  std::vector<int> place(const AllocationState& state, int cluster, int gpus) const override {
    if (state.free_in_cluster(cluster) < gpus)
      throw std::logic_error("compact: cluster " + std::to_string(cluster) + " has " +
                             std::to_string(state.free_in_cluster(cluster)) + " free GPUs, " +
                             std::to_string(gpus) + " asked");
    const platform::Cluster& cl = state.platform().clusters[cluster];
    std::vector<int> out;
    out.reserve(gpus);

    // One node: the fullest node that still fits (best fit keeps emptier nodes whole).
    if (gpus <= cl.node.gpus) {
      int best = -1;
      for (int node = cl.first_node; node < cl.first_node + cl.nodes; ++node) {
        const int free = state.free_in_node(node);
        if (free >= gpus && (best < 0 || free < state.free_in_node(best))) best = node;
      }
      if (best >= 0) {
        take_from_node(state, best, gpus, out);
        return out;
      }
    }

    const int first = state.first_leaf(cluster);
    const int leaves = state.leaf_count(cluster);

    // One leaf: the one needing the fewest nodes, then the fullest (best fit), then lowest.
    int best_leaf = -1;
    int best_nodes = 0;
    for (int leaf = first; leaf < first + leaves; ++leaf) {
      if (state.free_in_leaf(leaf) < gpus) continue;
      const int nodes = nodes_needed(state, leaf, gpus);
      if (best_leaf < 0 || nodes < best_nodes ||
          (nodes == best_nodes && state.free_in_leaf(leaf) < state.free_in_leaf(best_leaf))) {
        best_leaf = leaf;
        best_nodes = nodes;
      }
    }
    if (best_leaf >= 0) {
      take_from_leaf(state, best_leaf, gpus, out);
      std::sort(out.begin(), out.end());
      return out;
    }

    // Several leaves: grow from the leaf with the most free GPUs towards the nearest leaves
    // in the graph (ties: most free, then lowest index), so traffic crosses few switches.
    int start = first;
    for (int leaf = first + 1; leaf < first + leaves; ++leaf)
      if (state.free_in_leaf(leaf) > state.free_in_leaf(start)) start = leaf;
    int taken = 0;
    for (int leaf : detail::leaves_nearest_first(state, cluster, start)) {
      if (taken == gpus) break;
      taken += take_from_leaf(state, leaf, gpus - taken, out);
    }
    // Global GPU order is node by node, local index within: the order the engine expects.
    std::sort(out.begin(), out.end());
    return out;
  }
};

}  // namespace

std::unique_ptr<Placement> make_compact() {
  return std::make_unique<CompactPlacement>();
}

}  // namespace suanli::sched
