// Shortest job first: the queue is ordered by the user's walltime estimate (ties: submit
// order), and like FIFO the first job that does not fit blocks the rest. No backfilling:
// that is what `easy` does. Favours short jobs; long jobs can starve while short ones keep
// arriving.
#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {

std::unique_ptr<Policy> make_sjf(const PolicyParams& /*params*/) {
  return std::make_unique<detail::OrderedBlockingPolicy>(
      [](const QueuedJob& job) { return job.walltime_s; });
}

}  // namespace suanli::sched
