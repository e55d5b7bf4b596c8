// Dot product, the Tetris packing heuristic as the FGD repository runs it (dot_product_score.go
// with the experiments' settings: dimensions merged, normalised by the largest node, GPU
// selection best fit): the node whose free (CPU, GPU thousandths) vector, before the job, has
// the smallest dot product with the job's demand, both divided by the node's capacity. A node
// that does not model CPUs has only the GPU term. Inside the node: best-fit GPU.
#include "scored_placement.hpp"
#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {
namespace {

class DotProductPlacement final : public detail::ScoredPlacement {
 protected:
  double score(const AllocationState& state, const QueuedJob& job, int node,
               std::span<const int> gpus) const override {
    const platform::NodeSpec& spec = detail::spec_of(state, node);
    const double gpu_cap = spec.gpus * detail::kMilli;
    const int asked = job.share_milli > 0 ? job.share_milli : detail::kMilli * int(gpus.size());
    double dot = (detail::node_gpu_left(state, node) / gpu_cap) * (asked / gpu_cap);
    if (spec.cpu_milli > 0)
      dot += (double(detail::room_of(state, node).cpu_milli) / spec.cpu_milli) *
             (double(job.cpu_milli) / spec.cpu_milli);
    return dot;
  }
};

}  // namespace

std::unique_ptr<Placement> make_dot_product() {
  return std::make_unique<DotProductPlacement>();
}

}  // namespace suanli::sched
