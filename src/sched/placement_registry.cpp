// The placement registry: adding a placement is one file defining make_<name>() and one
// line here.
#include <string_view>
#include <vector>

#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {

const std::vector<PlacementEntry>& placements() {
  static const std::vector<PlacementEntry> entries = {
      {"first-fit", "the lowest-indexed free GPUs of the cluster", &make_first_fit},
      {"compact", "fewest nodes, then fewest leaf switches, nearest leaves first", &make_compact},
  };
  return entries;
}

const PlacementEntry* find_placement(std::string_view name) {
  for (const PlacementEntry& entry : placements())
    if (entry.name == name) return &entry;
  return nullptr;
}

}  // namespace suanli::sched
