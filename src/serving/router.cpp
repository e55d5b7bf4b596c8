// The router registry: adding a router is one file defining make_<name>_router() and one
// line here.
#include "suanli/serving/router.hpp"

#include "suanli/common/registry.hpp"

namespace suanli::serving {

const Registry<RouterEntry>& router_registry() {
  static const Registry<RouterEntry> entries = {
      {"round-robin", "each accepting replica in turn", &make_round_robin_router},
      {"least-tokens", "the replica with the fewest outstanding tokens (ties: lowest index)",
       &make_least_tokens_router},
      {"power-of-two",
       "two distinct random accepting replicas (seeded), the one with fewer outstanding tokens",
       &make_power_of_two_router},
      {"prefix-affinity",
       "the replica that last served the prompt's first block, unless it is much more loaded "
       "than the least loaded one; else least-tokens",
       &make_prefix_affinity_router},
  };
  return entries;
}

const std::vector<RouterEntry>& routers() {
  return router_registry().entries();
}

const RouterEntry* find_router(std::string_view name) {
  return router_registry().find(name);
}

int least_tokens_replica(std::span<const ReplicaLoad> replicas) {
  int best = -1;
  for (std::size_t r = 0; r < replicas.size(); ++r) {
    if (!replicas[r].accepting) continue;
    if (best < 0 || replicas[r].outstanding_tokens < replicas[best].outstanding_tokens)
      best = static_cast<int>(r);
  }
  return best;
}

}  // namespace suanli::serving
