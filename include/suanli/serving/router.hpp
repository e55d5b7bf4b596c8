#pragma once
// Routers: which replica of a deployment gets an arriving request. A router sees the
// request (its prompt length and prefix block hashes) and one load view per replica, never
// SimGrid; it is deterministic (power-of-two draws from its own seeded generator). A new
// router is one file defining make_<name>() and one line in the registry (router.cpp).
// See docs/serving-scheduling.md.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "suanli/common/registry.hpp"
#include "suanli/serving/kv_cache.hpp"

namespace suanli::serving {

// What a router may know about one replica (from its ReplicaScheduler, filled by the engine).
struct ReplicaLoad {
  std::uint64_t outstanding_tokens = 0;  // ReplicaScheduler::outstanding_tokens()
  std::uint32_t waiting = 0;
  std::uint32_t running = 0;
  double kv_utilization = 0;
  bool accepting = true;  // false while the replica cold-starts or drains
};

struct RouteRequest {
  SeqId seq = 0;
  std::uint32_t prompt_tokens = 0;
  std::span<const std::uint64_t> block_hashes;  // the prompt's full-block hashes, may be empty
};

class Router {
 public:
  virtual ~Router() = default;
  // The index of the replica that gets the request, or -1 when no replica is accepting
  // (the engine decides what then happens to the request).
  virtual int choose(const RouteRequest& request, std::span<const ReplicaLoad> replicas) = 0;
};

struct RouterOptions {
  std::uint64_t seed = 1;  // power-of-two: seeds its generator
  // prefix-affinity: first-block hashes remembered (least recently used forgotten first).
  std::size_t affinity_capacity = 1u << 16;
  // prefix-affinity: the remembered replica keeps the request while its outstanding tokens
  // are at most affinity_load_factor * least + affinity_slack_tokens, where `least` is the
  // least outstanding tokens of an accepting replica; else least-tokens decides.
  double affinity_load_factor = 2.0;
  std::uint64_t affinity_slack_tokens = 8192;
};

struct RouterEntry {
  std::string_view name;
  std::string_view description;
  std::unique_ptr<Router> (*make)(const RouterOptions&);
};

// The registry: one line per router in src/serving/router.cpp.
const Registry<RouterEntry>& router_registry();
const std::vector<RouterEntry>& routers();
const RouterEntry* find_router(std::string_view name);  // nullptr when unknown

// The accepting replica with the fewest outstanding tokens (ties: lowest index); -1 if none.
int least_tokens_replica(std::span<const ReplicaLoad> replicas);

// The factories the registry lists, one file each (src/serving/<name>_router.cpp).
std::unique_ptr<Router> make_round_robin_router(const RouterOptions& options);
std::unique_ptr<Router> make_least_tokens_router(const RouterOptions& options);
std::unique_ptr<Router> make_power_of_two_router(const RouterOptions& options);
std::unique_ptr<Router> make_prefix_affinity_router(const RouterOptions& options);

}  // namespace suanli::serving
