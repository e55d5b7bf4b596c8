// First fit: the lowest-indexed free GPUs of the cluster. Cheap and predictable; it ignores
// topology, so a job can end up spread over nodes and leaf switches that a compact choice
// would have avoided. Full nodes are skipped by their free count, not GPU by GPU.
#include <stdexcept>
#include <string>
#include <vector>

#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {
namespace {

class FirstFitPlacement final : public Placement {
 public:
  std::vector<int> place(const AllocationState& state, int cluster, int gpus) const override {
    if (state.free_in_cluster(cluster) < gpus)
      throw std::logic_error("first-fit: cluster " + std::to_string(cluster) + " has " +
                             std::to_string(state.free_in_cluster(cluster)) + " free GPUs, " +
                             std::to_string(gpus) + " asked");
    const platform::Cluster& cl = state.platform().clusters[cluster];
    std::vector<int> out;
    out.reserve(gpus);
    for (int node = cl.first_node; node < cl.first_node + cl.nodes; ++node) {
      if (static_cast<int>(out.size()) == gpus) break;
      if (state.free_in_node(node) == 0) continue;
      for (int local = 0; local < cl.node.gpus && static_cast<int>(out.size()) < gpus; ++local) {
        const int gpu = state.gpu_of_node(node, local);
        if (state.gpu_free(gpu)) out.push_back(gpu);
      }
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Placement> make_first_fit() {
  return std::make_unique<FirstFitPlacement>();
}

}  // namespace suanli::sched
