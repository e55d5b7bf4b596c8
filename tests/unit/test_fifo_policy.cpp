// FIFO, plus what every policy shares: the registry and pick_cluster.
#include <doctest/doctest.h>

#include "policy_test_support.hpp"
#include "suanli/sched/policy.hpp"

using namespace suanli::sched;
using namespace suanli::sched::testing;

TEST_CASE("policy registry lists every policy with a description") {
  std::vector<std::string_view> names;
  for (const PolicyEntry& e : policies()) {
    names.push_back(e.name);
    CHECK_FALSE(e.description.empty());
    CHECK(make_policy(e.name) != nullptr);
  }
  CHECK(names == std::vector<std::string_view>{"fifo", "sjf", "easy", "greedy", "conservative",
                                               "srtf", "las", "tiresias", "themis", "qssf", "gavel",
                                               "gavel-max-throughput", "carbon-aware"});
  CHECK(find_policy("easy") != nullptr);
  CHECK(find_policy("nope") == nullptr);
}

TEST_CASE("pick_cluster: fastest fitting cluster, model constraint, ties lowest index") {
  FakeClusterView view;
  view.add_cluster(/*model*/ 0, 8, /*speed*/ 1.0);  // 0: slow
  view.add_cluster(/*model*/ 1, 8, /*speed*/ 2.0);  // 1: twice as fast
  view.add_cluster(/*model*/ 1, 8, /*speed*/ 2.0);  // 2: same as 1
  std::vector<FreeGpus> free = {{8, 0}, {8, 0}, {8, 0}};

  CHECK(pick_cluster(make_job(1, 4, 100), view, free) == 1);  // fastest; 2 ties, loses
  CHECK(pick_cluster(make_job(1, 4, 100, 0, /*model*/ 0), view, free) == 0);
  free[1].whole = 3;
  CHECK(pick_cluster(make_job(1, 4, 100), view, free) == 2);  // 1 lacks GPUs now
  free[2].whole = 0;
  CHECK(pick_cluster(make_job(1, 4, 100), view, free) == 0);
  CHECK(pick_cluster(make_job(1, 4, 100, 0, /*model*/ 1), view, free) == -1);
  CHECK(pick_cluster(make_job(1, 9, 100), view, {{8, 0}, {8, 0}, {8, 0}}) == -1);  // fits nowhere
}

TEST_CASE("fifo: head-of-line blocking") {
  // 8 GPUs, 4 busy until t=100. Queue A(2) B(4) C(1): A starts (2 left), B needs 4 and
  // blocks, and C waits behind B although 1 GPU would do.
  FakeClusterView view = one_cluster(8, 4, 100);
  auto policy =
      policy_with("fifo", {make_job(1, 2, 50, 0), make_job(2, 4, 50, 1), make_job(3, 1, 50, 2)});
  CHECK(pairs(policy->schedule(view)) == Pairs{{1, 0}});
  CHECK(policy->queued() == 2);

  // Nothing changed: still blocked, asking again starts nothing.
  view.run(0, 1, 2, 50);
  CHECK(policy->schedule(view).empty());

  // Job 99 ends: 6 free, B(4) and C(1) start together.
  view.time = 100;
  view.running[0].erase(view.running[0].begin());
  view.infos[0].free_gpus += 4;
  CHECK(pairs(policy->schedule(view)) == Pairs{{2, 0}, {3, 0}});
  CHECK(policy->queued() == 0);
}

TEST_CASE("fifo: submit order, equal submit times in order of submit() calls") {
  FakeClusterView view = one_cluster(3);
  auto policy =
      policy_with("fifo", {make_job(1, 1, 10, /*submit*/ 5), make_job(2, 1, 10, /*submit*/ 5),
                           make_job(3, 1, 10, /*submit*/ 2),  // earlier: goes first
                           make_job(4, 1, 10, /*submit*/ 5)});
  CHECK(pairs(policy->schedule(view)) == Pairs{{3, 0}, {1, 0}, {2, 0}});
  CHECK(policy->queued() == 1);
}

TEST_CASE("fifo: decisions fit together and use the fastest cluster") {
  // Two clusters of 4; cluster 1 is faster. Jobs of 3 GPUs: the first goes to the fast one,
  // the second cannot share it (1 left) and goes to the slow one, the third blocks.
  FakeClusterView view;
  view.add_cluster(0, 4, 1.0);
  view.add_cluster(0, 4, 2.0);
  auto policy = make_policy("fifo");
  for (JobIndex j = 1; j <= 3; ++j) policy->submit(make_job(j, 3, 100, j));
  CHECK(pairs(policy->schedule(view)) == Pairs{{1, 1}, {2, 0}});
  CHECK(policy->queued() == 1);
}

TEST_CASE("fifo: a job no cluster can ever hold does not block the queue") {
  FakeClusterView view = one_cluster(8);
  auto policy = policy_with("fifo", {make_job(1, 16, 10, 0),              // too big for any cluster
                                     make_job(2, 2, 10, 1, /*model*/ 3),  // no cluster of model 3
                                     make_job(3, 2, 10, 2)});
  CHECK(pairs(policy->schedule(view)) == Pairs{{3, 0}});
  CHECK(policy->queued() == 2);  // set aside, still counted
}
