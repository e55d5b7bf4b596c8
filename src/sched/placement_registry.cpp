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
