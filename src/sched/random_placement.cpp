// Random, as the FGD repository's baseline (random_score.go with random GPU selection): a node
// drawn uniformly among those that hold the job, then, for a share, a GPU drawn uniformly
// among the node's that may take it; whole GPUs take the node's lowest free ones. Seeded
// from the run's --seed (mt19937_64, fully specified, so a seed gives the same run
// everywhere). Whole-GPU jobs larger than a node go by compact.
#include <random>

#include "scored_placement.hpp"
#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {
namespace {

class RandomPlacement final : public detail::ScoredPlacement {
 public:
  void prepare(std::span<const QueuedJob> /*jobs*/, std::uint64_t seed) override {
    rng_.seed(seed);
  }

 protected:
  double score(const AllocationState&, const QueuedJob&, int, std::span<const int>) const override {
    return 0;
  }
  PodChoice choose(const AllocationState& state, const QueuedJob& job,
                   const std::vector<NodeOption>& options) const override {
    const NodeOption& option = options[draw(options.size())];
    if (job.share_milli > 0) return {option.node, {option.gpus[draw(option.gpus.size())]}};
    return {option.node, default_gpus(state, option)};
  }

 private:
  // Modulo, not a distribution object: those differ between standard libraries.
  std::size_t draw(std::size_t n) const { return std::size_t(rng_() % n); }

  mutable std::mt19937_64 rng_{0};
};

}  // namespace

std::unique_ptr<Placement> make_random() {
  return std::make_unique<RandomPlacement>();
}

}  // namespace suanli::sched
