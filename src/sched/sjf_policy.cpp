// Shortest job first: the queue is ordered by the user's walltime estimate (ties: submit
// order), and like FIFO the first job that does not fit blocks the rest. No backfilling:
// that is what `easy` does. Favours short jobs; long jobs can starve while short ones keep
// arriving.
#include <vector>

#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {
namespace {

class SjfPolicy final : public Policy {
 public:
  // Keyed by walltime; equal walltimes keep the order of submit() calls.
  void submit(const QueuedJob& job) override { queue_.push(job.walltime_s, job); }

  std::vector<Decision> schedule(const ClusterView& view) override {
    std::vector<int> free = detail::free_tally(view);
    std::vector<detail::Started> started;
    detail::start_from_head(queue_, set_aside_, view, free, started);
    return detail::to_decisions(started);
  }

  std::size_t queued() const override { return queue_.size() + set_aside_.size(); }

 private:
  detail::OrderedQueue queue_;
  std::vector<QueuedJob> set_aside_;  // can never fit any cluster
};

}  // namespace

std::unique_ptr<Policy> make_sjf() {
  return std::make_unique<SjfPolicy>();
}

}  // namespace suanli::sched
