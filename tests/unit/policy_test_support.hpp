// Helpers shared by the policy tests (test_{fifo,sjf,easy}_policy.cpp): the usual view and a
// policy already given its queue, so that each case states only its own numbers.
#pragma once

#include <initializer_list>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "fake_cluster_view.hpp"

namespace suanli::sched::testing {

using Pairs = std::vector<std::pair<JobIndex, int>>;

// One cluster of model 0 with `total_gpus`, `busy` of them held by job 99 until `busy_until`.
inline FakeClusterView one_cluster(int total_gpus, int busy = 0, double busy_until = 0) {
  FakeClusterView view;
  view.add_cluster(0, total_gpus);
  if (busy > 0) view.run(0, 99, busy, busy_until);
  return view;
}

// A new `name` policy that has been given `queue`, in this order.
inline std::unique_ptr<Policy> policy_with(std::string_view name,
                                           std::initializer_list<QueuedJob> queue) {
  auto policy = make_policy(name);
  for (const QueuedJob& job : queue) policy->submit(job);
  return policy;
}

}  // namespace suanli::sched::testing
