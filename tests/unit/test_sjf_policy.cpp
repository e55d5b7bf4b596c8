#include <doctest/doctest.h>

#include "policy_test_support.hpp"
#include "suanli/sched/policy.hpp"

using namespace suanli::sched;
using namespace suanli::sched::testing;

TEST_CASE("sjf: shortest walltime first, ties in submit order") {
  // One cluster of 4 GPUs, every job needs 4: they run one at a time, shortest first.
  FakeClusterView view = one_cluster(4);
  auto policy = make_policy("sjf");
  std::map<JobIndex, QueuedJob> jobs;
  for (auto job : {make_job(1, 4, 300, 0), make_job(2, 4, 100, 1), make_job(3, 4, 200, 2),
                   make_job(4, 4, 100, 3)}) {
    jobs[job.index] = job;
    policy->submit(job);
  }
  std::vector<JobIndex> order;
  while (policy->queued() > 0) {
    const auto decisions = policy->schedule(view);
    REQUIRE(decisions.size() == 1);
    order.push_back(decisions[0].job);
    // Let it finish before asking again.
    view.time += jobs[decisions[0].job].walltime_s;
  }
  CHECK(order == std::vector<JobIndex>{2, 4, 3, 1});
}

TEST_CASE("sjf: the shortest job blocks when it does not fit (no backfilling)") {
  // 8 GPUs, 4 busy. The shortest job needs 8: it waits, and the longer 2-GPU job, which
  // would fit, waits behind it.
  FakeClusterView view = one_cluster(8, 4, 1000);
  auto policy = policy_with("sjf", {make_job(1, 2, 500, 0), make_job(2, 8, 10, 1)});
  CHECK(policy->schedule(view).empty());
  CHECK(policy->queued() == 2);

  view.running[0].clear();
  view.infos[0].free_gpus = 8;
  CHECK(pairs(policy->schedule(view)) == Pairs{{2, 0}});  // takes all 8; job 1 still waits
  CHECK(policy->queued() == 1);
}

TEST_CASE("sjf: starts several short jobs that fit together, picks clusters by speed") {
  FakeClusterView view;
  view.add_cluster(0, 4, 1.0);
  view.add_cluster(1, 4, 4.0);
  auto policy = policy_with(
      "sjf", {make_job(1, 4, 900, 0), make_job(2, 2, 10, 1, /*model*/ 0), make_job(3, 3, 20, 2)});
  // 2 (10 s) -> cluster 0, the only model 0; 3 (20 s) -> cluster 1, faster; 1 (900 s) needs
  // 4 and neither has 4 left: blocks.
  CHECK(pairs(policy->schedule(view)) == Pairs{{2, 0}, {3, 1}});
}
