#pragma once
// Taking GPUs from nodes and leaves, most-free nodes first: shared by compact and topo.
#include <algorithm>
#include <tuple>
#include <vector>

#include "suanli/sched/allocation.hpp"

namespace suanli::sched::detail {

// Nodes of a leaf that have free GPUs, most free first (ties: lowest index): the order
// that reaches a GPU count with the fewest nodes.
inline std::vector<int> nodes_by_most_free(const AllocationState& state, int leaf) {
  std::vector<int> nodes;
  for (int node : state.nodes_of_leaf(leaf))
    if (state.free_in_node(node) > 0) nodes.push_back(node);
  std::stable_sort(nodes.begin(), nodes.end(),
                   [&](int a, int b) { return state.free_in_node(a) > state.free_in_node(b); });
  return nodes;
}

// The leaves of `cluster` with free GPUs, nearest to `start` first in the graph (ties: most
// free, then lowest index): the order a job spanning leaves grows in, so that its traffic
// crosses few switches.
inline std::vector<int> leaves_nearest_first(const AllocationState& state, int cluster, int start) {
  const int first = state.first_leaf(cluster);
  std::vector<int> order;
  for (int leaf = first; leaf < first + state.leaf_count(cluster); ++leaf)
    if (state.free_in_leaf(leaf) > 0) order.push_back(leaf);
  const auto key = [&](int leaf) {
    return std::make_tuple(state.leaf_distance(start, leaf), -state.free_in_leaf(leaf), leaf);
  };
  std::sort(order.begin(), order.end(), [&](int a, int b) { return key(a) < key(b); });
  return order;
}

// How many nodes of `leaf` the job needs when they are taken most-free first.
inline int nodes_needed(const AllocationState& state, int leaf, int gpus) {
  int count = 0;
  for (int node : nodes_by_most_free(state, leaf)) {
    if (gpus <= 0) break;
    gpus -= state.free_in_node(node);
    ++count;
  }
  return count;
}

// Appends up to `want` of the node's free GPUs, lowest local index first; returns how many.
inline int take_from_node(const AllocationState& state, int node, int want, std::vector<int>& out) {
  const int per_node = state.platform().clusters[state.cluster_of_node(node)].node.gpus;
  int taken = 0;
  for (int local = 0; local < per_node && taken < want; ++local) {
    const int gpu = state.gpu_of_node(node, local);
    if (state.gpu_free(gpu)) {
      out.push_back(gpu);
      ++taken;
    }
  }
  return taken;
}

// Takes up to `want` GPUs from a leaf, most-free nodes first; returns how many.
inline int take_from_leaf(const AllocationState& state, int leaf, int want, std::vector<int>& out) {
  int taken = 0;
  for (int node : nodes_by_most_free(state, leaf)) {
    if (taken == want) break;
    taken += take_from_node(state, node, want - taken, out);
  }
  return taken;
}

}  // namespace suanli::sched::detail
