// The placement registry: adding a placement is one file defining make_<name>() and one
// line here.
#include <string_view>
#include <vector>

#include "suanli/common/registry.hpp"
#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {

const Registry<PlacementEntry>& placement_registry() {
  static const Registry<PlacementEntry> entries = {
      {"first-fit", "the lowest-indexed free GPUs of the cluster", &make_first_fit},
      {"compact", "fewest nodes, then fewest leaf switches, nearest leaves first", &make_compact},
      {"topo", "lowest switch level, then fewest hops between GPUs, then fewest nodes", &make_topo},
      {"fgd", "fragmentation gradient descent over the workload's task types (ATC'23)", &make_fgd},
      {"best-fit", "least CPU and GPU left on the node after the job (FGD baseline)",
       &make_best_fit},
      {"dot-product", "smallest dot product of free and asked (FGD baseline)", &make_dot_product},
      {"packing", "shared GPUs, then used nodes, then small free nodes (FGD baseline)",
       &make_packing},
      {"clustering", "nodes already running jobs of the same kind (FGD baseline)",
       &make_clustering},
      {"random", "a random node that holds the job, seeded by --seed (FGD baseline)", &make_random},
  };
  return entries;
}

const std::vector<PlacementEntry>& placements() {
  return placement_registry().entries();
}

const PlacementEntry* find_placement(std::string_view name) {
  return placement_registry().find(name);
}

}  // namespace suanli::sched
