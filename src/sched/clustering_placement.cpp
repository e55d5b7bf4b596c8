// GPU clustering, as the FGD repository's baseline (gpu_clustering_score.go): jobs of one
// kind gather on the same nodes. Kinds: a share, or whole GPUs (the repository tells whole-
// GPU pods apart by count, "1-gpu", "2-gpu", ...; the allocation state does not know which
// job holds a GPU, so they are one kind here). Best first: a node holding only the job's
// kind; a node holding it among others; an idle node; a node holding other kinds. Within a
// band, the fuller node (25 x used / capacity, integer, as the repository); ties go to the
// lowest node. CPU-only pods score alike. Inside the node: best-fit GPU.
#include "scored_placement.hpp"
#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {
namespace {

constexpr int kBand = 25;  // the repository's MaxNodeScore / 4

class ClusteringPlacement final : public detail::ScoredPlacement {
 protected:
  double score(const AllocationState& state, const QueuedJob& job, int node,
               std::span<const int> /*gpus*/) const override {
    if (job.share_milli == 0 && job.gpus == 0) return 0;
    bool shares = false;
    bool whole = false;
    const int per_node = detail::spec_of(state, node).gpus;
    for (int local = 0; local < per_node; ++local) {
      const int gpu = state.gpu_of_node(node, local);
      shares = shares || state.share_used(gpu) > 0;
      whole = whole || (!state.gpu_free(gpu) && state.share_used(gpu) == 0);
    }
    const bool mine = job.share_milli > 0 ? shares : whole;
    const bool others = job.share_milli > 0 ? whole : shares;
    const int band = mine ? (others ? 2 : 3) : (others ? 0 : 1);
    const int capacity = per_node * detail::kMilli;
    const int fullness = kBand * (capacity - detail::node_gpu_left(state, node)) / capacity;
    return -(band * kBand + fullness);
  }
};

}  // namespace

std::unique_ptr<Placement> make_clustering() {
  return std::make_unique<ClusteringPlacement>();
}

}  // namespace suanli::sched
