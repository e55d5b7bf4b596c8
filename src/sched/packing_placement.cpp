// GPU packing, as the FGD repository's baseline (gpu_packing_score.go), best first: (1) room
// on GPUs already holding shares, the less room on them the better; (2) free GPUs of a node
// already in use, the fewer the better; (3) a node with every GPU free, the fewer GPUs the
// better. The repository's integer scores are kept (higher better there; negated here), so
// ties are many and go to the lowest node. CPU-only pods score alike. Inside the node: the
// GPUs with the least room that hold the job (best fit).
#include <algorithm>

#include "scored_placement.hpp"
#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {
namespace {

constexpr int kMaxScore = 100;

class PackingPlacement final : public detail::ScoredPlacement {
 protected:
  double score(const AllocationState& state, const QueuedJob& /*job*/, int node,
               std::span<const int> gpus) const override {
    if (gpus.empty()) return 0;  // no GPU asked: the repository's minimum for every node
    const int per_node = detail::spec_of(state, node).gpus;
    const int free = state.free_in_node(node);
    if (free == per_node) return -std::max(kMaxScore / 3 - free, free);
    int free_used = 0;
    int room_pct = 0;  // the used GPUs' room in percent (integer, as the repository)
    for (int gpu : gpus) {
      const int left = detail::gpu_left(state, gpu);
      free_used += left == detail::kMilli;
      room_pct += left * 100 / detail::kMilli;
    }
    if (free_used > 0) return -std::max(kMaxScore / 2 - free_used, kMaxScore / 3);
    return -std::max(kMaxScore - room_pct / 10, kMaxScore / 2);
  }
};

}  // namespace

std::unique_ptr<Placement> make_packing() {
  return std::make_unique<PackingPlacement>();
}

}  // namespace suanli::sched
