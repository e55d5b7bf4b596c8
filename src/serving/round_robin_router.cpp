// round-robin: each replica in turn, skipping those not accepting.
#include "suanli/serving/router.hpp"

namespace suanli::serving {
namespace {

class RoundRobinRouter final : public Router {
 public:
  int choose(const RouteRequest&, std::span<const ReplicaLoad> replicas) override {
    for (std::size_t k = 0; k < replicas.size(); ++k) {
      const std::size_t r = (next_ + k) % replicas.size();
      if (!replicas[r].accepting) continue;
      next_ = r + 1;
      return static_cast<int>(r);
    }
    return -1;
  }

 private:
  std::size_t next_ = 0;  // where the next search starts
};

}  // namespace

std::unique_ptr<Router> make_round_robin_router(const RouterOptions&) {
  return std::make_unique<RoundRobinRouter>();
}

}  // namespace suanli::serving
