// Topology-aware placement for whole-GPU jobs: keep a job under the lowest switch it can,
// then its GPUs as few hops apart as it can. A job that fits one node or one leaf switch
// goes as compact puts it (one node, best fit; else the leaf needing the fewest nodes, then
// the fullest). A job that spans leaves is grown greedily from every leaf in turn, adding
// the nearest leaves (ties: most free, then lowest); among these candidates it takes the one
// with the smallest (largest leaf-to-leaf hop distance in it: the highest switch level it
// crosses; hops summed over its pairs of GPUs; nodes; free GPUs of its leaves: best fit;
// starting leaf). O(leaves^2 log leaves + nodes) per call. Share jobs and pods keep the
// engine's defaults.
#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "leaf_take.hpp"
#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {
namespace {

class TopoPlacement final : public Placement {
 public:
  std::vector<int> place(const AllocationState& state, int cluster, int gpus) const override {
    const int first = state.first_leaf(cluster);
    const int leaves = state.leaf_count(cluster);
    bool one_leaf = false;
    for (int leaf = first; leaf < first + leaves; ++leaf)
      one_leaf = one_leaf || state.free_in_leaf(leaf) >= gpus;
    if (one_leaf || state.free_in_cluster(cluster) < gpus)
      return compact_->place(state, cluster, gpus);  // it also reports too few free GPUs

    using Key = std::tuple<int, long long, int, int, int>;
    Key best_key{std::numeric_limits<int>::max(), 0, 0, 0, 0};
    std::vector<std::pair<int, int>> best;  // (leaf, GPUs from it)
    for (int start = first; start < first + leaves; ++start) {
      if (state.free_in_leaf(start) == 0) continue;
      std::vector<std::pair<int, int>> pick;
      int left = gpus;
      for (int leaf : detail::leaves_nearest_first(state, cluster, start)) {
        if (left == 0) break;
        const int take = std::min(left, state.free_in_leaf(leaf));
        pick.push_back({leaf, take});
        left -= take;
      }
      int level = 0;
      long long hops = 0;
      int nodes = 0;
      int free = 0;
      for (std::size_t a = 0; a < pick.size(); ++a) {
        nodes += detail::nodes_needed(state, pick[a].first, pick[a].second);
        free += state.free_in_leaf(pick[a].first);
        for (std::size_t b = a + 1; b < pick.size(); ++b) {
          const int d = state.leaf_distance(pick[a].first, pick[b].first);
          level = std::max(level, d);
          hops += static_cast<long long>(d) * pick[a].second * pick[b].second;
        }
      }
      const Key key{level, hops, nodes, free, start};
      if (key < best_key) {
        best_key = key;
        best = pick;
      }
    }
    std::vector<int> out;
    for (const auto& [leaf, take] : best) detail::take_from_leaf(state, leaf, take, out);
    // Global GPU order is node by node, local index within: the order the engine expects.
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  std::unique_ptr<Placement> compact_ = make_compact();
};

}  // namespace

std::unique_ptr<Placement> make_topo() {
  return std::make_unique<TopoPlacement>();
}

}  // namespace suanli::sched
