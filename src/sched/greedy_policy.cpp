// Greedy first fit in arrival order: at every call, each waiting job that fits starts, the
// others wait, and none holds back another (aggressive backfilling without reservations).
// It is how Kubernetes' default scheduler treats its queue, and the order the FGD artifact
// (hkust-adsl/kubernetes-scheduler-simulator, ATC'23) places pods in, which is why the
// placement comparisons of docs/results.md use it. A job that did not fit cannot fit before
// something is released (room only shrinks otherwise), so a call where nothing was released
// (ClusterView::releases) skips the jobs the last call found did not fit: a saturated cluster
// with thousands of waiting pods costs each arrival one placement, not thousands. Only the
// jobs it tried before its first start count as not fitting: after a start the tally of room
// is cautious (sched::take cannot know which GPUs and nodes the placement will take), and
// the engine asks again with the pool as it really is.
#include <cstdint>
#include <map>
#include <optional>

#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {

namespace {

class GreedyPolicy final : public Policy {
 public:
  void submit(const QueuedJob& job) override { waiting_.emplace(next_seq_++, job); }
  std::size_t queued() const override { return waiting_.size(); }

  std::vector<Decision> schedule(const ClusterView& view) override {
    const std::optional<std::uint64_t> releases = view.releases();
    const bool all = !releases || !seen_releases_ || *releases != *seen_releases_;
    auto it = all ? waiting_.begin() : waiting_.lower_bound(tried_up_to_);
    seen_releases_ = releases;
    tried_up_to_ = next_seq_;
    bool started_one = false;
    std::vector<FreeGpus> free = detail::free_tally(view);
    std::vector<detail::Started> started;
    while (it != waiting_.end() && detail::anything_free(free)) {
      const QueuedJob& job = it->second;
      const int cluster = pick_cluster(job, view, free);
      if (cluster < 0) {
        ++it;
        continue;
      }
      detail::start(job, cluster, free[std::size_t(cluster)], started);
      if (!started_one) tried_up_to_ = it->first + 1;  // what follows was judged cautiously
      started_one = true;
      it = waiting_.erase(it);
    }
    return detail::to_decisions(started);
  }

 private:
  std::map<std::uint64_t, QueuedJob> waiting_;  // by arrival
  std::uint64_t next_seq_ = 0;
  std::uint64_t tried_up_to_ = 0;  // the last call found that the jobs before it do not fit
  std::optional<std::uint64_t> seen_releases_;
};

}  // namespace

std::unique_ptr<Policy> make_greedy(const PolicyParams& /*params*/) {
  return std::make_unique<GreedyPolicy>();
}

}  // namespace suanli::sched
