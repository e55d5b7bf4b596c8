// Best fit, as the FGD repository's baseline (best_fit_score.go): the node with the least
// left after the job, 0.5 x free CPU / capacity + 0.5 x free GPU thousandths / capacity
// (the repository divides by its largest node; in one cluster every node is that node). A
// node that does not model CPUs has only the GPU term. Inside the node: best-fit GPU.
#include "scored_placement.hpp"
#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {
namespace {

class BestFitPlacement final : public detail::ScoredPlacement {
 protected:
  double score(const AllocationState& state, const QueuedJob& job, int node,
               std::span<const int> gpus) const override {
    const platform::NodeSpec& spec = detail::spec_of(state, node);
    const int asked = job.share_milli > 0 ? job.share_milli : detail::kMilli * int(gpus.size());
    double left = 0.5 * (detail::node_gpu_left(state, node) - asked) / (spec.gpus * detail::kMilli);
    if (spec.cpu_milli > 0)
      left += 0.5 * (detail::room_of(state, node).cpu_milli - job.cpu_milli) / spec.cpu_milli;
    return left;
  }
};

}  // namespace

std::unique_ptr<Placement> make_best_fit() {
  return std::make_unique<BestFitPlacement>();
}

}  // namespace suanli::sched
