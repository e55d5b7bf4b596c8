// least-tokens: the accepting replica with the fewest outstanding tokens (ties: lowest index).
#include "suanli/serving/router.hpp"

namespace suanli::serving {
namespace {

class LeastTokensRouter final : public Router {
 public:
  int choose(const RouteRequest&, std::span<const ReplicaLoad> replicas) override {
    return least_tokens_replica(replicas);
  }
};

}  // namespace

std::unique_ptr<Router> make_least_tokens_router(const RouterOptions&) {
  return std::make_unique<LeastTokensRouter>();
}

}  // namespace suanli::serving
