// First come, first served with head-of-line blocking: jobs start strictly in submit order,
// and the first job that does not fit holds back every job behind it, even ones that would
// fit. The baseline every other policy is compared against.
#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {

std::unique_ptr<Policy> make_fifo(const PolicyParams& /*params*/) {
  return std::make_unique<detail::OrderedBlockingPolicy>(
      [](const QueuedJob& job) { return job.submit_s; });
}

}  // namespace suanli::sched
