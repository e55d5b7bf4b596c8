// First come, first served with head-of-line blocking: jobs start strictly in submit order,
// and the first job that does not fit holds back every job behind it, even ones that would
// fit. The baseline every other policy is compared against.
#include <vector>

#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {
namespace {

class FifoPolicy final : public Policy {
 public:
  // Keyed by submit time; equal times keep the order of submit() calls.
  void submit(const QueuedJob& job) override { queue_.push(job.submit_s, job); }

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

std::unique_ptr<Policy> make_fifo() {
  return std::make_unique<FifoPolicy>();
}

}  // namespace suanli::sched
