// power-of-two: the power of two choices (Mitzenmacher). Two distinct accepting replicas drawn
// uniformly from a seeded splitmix64 stream; the one with fewer outstanding tokens wins (ties:
// lower index).
#include "suanli/common/rng.hpp"
#include "suanli/serving/router.hpp"

namespace suanli::serving {
namespace {

class PowerOfTwoRouter final : public Router {
 public:
  explicit PowerOfTwoRouter(std::uint64_t seed) : rng_(seed) {}

  int choose(const RouteRequest&, std::span<const ReplicaLoad> replicas) override {
    accepting_.clear();
    for (std::size_t r = 0; r < replicas.size(); ++r)
      if (replicas[r].accepting) accepting_.push_back(static_cast<int>(r));
    const std::uint64_t n = accepting_.size();
    if (n == 0) return -1;
    if (n == 1) return accepting_[0];
    const std::uint64_t i = rng_.next() % n;
    std::uint64_t j = rng_.next() % (n - 1);
    if (j >= i) ++j;  // distinct, uniform over the other n - 1
    int a = accepting_[i], b = accepting_[j];
    if (b < a) std::swap(a, b);
    return replicas[b].outstanding_tokens < replicas[a].outstanding_tokens ? b : a;
  }

 private:
  SplitMix64 rng_;              // modulo draws: n is a handful of replicas, the bias is nil
  std::vector<int> accepting_;  // reused between calls
};

}  // namespace

std::unique_ptr<Router> make_power_of_two_router(const RouterOptions& options) {
  return std::make_unique<PowerOfTwoRouter>(options.seed);
}

}  // namespace suanli::serving
