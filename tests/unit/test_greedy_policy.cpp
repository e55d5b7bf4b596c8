// greedy: first fit in arrival order, nobody blocks; waiting jobs are tried again only
// after a release (docs/policies.md).
#include <doctest/doctest.h>

#include "policy_test_support.hpp"
#include "suanli/sched/policy.hpp"

using namespace suanli::sched;
using namespace suanli::sched::testing;

// 4 GPUs; a (2), b (4), c (2) in this order: a fits, b does not, c fits in what a left —
// FIFO would hold c behind b.
TEST_CASE("greedy: a job that does not fit does not hold back a later one") {
  FakeClusterView view = one_cluster(4);
  auto policy =
      policy_with("greedy", {make_job(1, 2, 100), make_job(2, 4, 100), make_job(3, 2, 100)});
  CHECK(pairs(policy->schedule(view)) == Pairs{{1, 0}, {3, 0}});
  CHECK(policy->queued() == 1);
  auto fifo = policy_with("fifo", {make_job(1, 2, 100), make_job(2, 4, 100), make_job(3, 2, 100)});
  CHECK(pairs(fifo->schedule(view)) == Pairs{{1, 0}});
}

// 4 GPUs held by job 99; b (2) arrives and waits. The view then shows 4 free GPUs but the
// same release count (a test's fiction: room appeared without a release): b is not tried
// again, only the newcomer c (2) is. Once the count changes, b starts too.
TEST_CASE("greedy: the waiting are tried again only after a release") {
  FakeClusterView view = one_cluster(4, 4, 1000);
  view.release_count = 7;
  auto policy = policy_with("greedy", {make_job(2, 2, 100)});
  CHECK(policy->schedule(view).empty());
  view.infos[0].free_gpus = 4;
  policy->submit(make_job(3, 2, 100));
  CHECK(pairs(policy->schedule(view)) == Pairs{{3, 0}});
  view.infos[0].free_gpus = 2;
  view.release_count = 8;
  CHECK(pairs(policy->schedule(view)) == Pairs{{2, 0}});
  CHECK(policy->queued() == 0);
}

// After a start the tally is cautious: one free GPU, two shares of 500. The tally gives the
// first the free GPU and cannot know it leaves 500 beside it, so the second waits. Asked
// again with the pool as it is (no GPU free, 500 of room on the shared one) and no release
// in between, greedy must try the second again: it was judged after a start.
TEST_CASE("greedy: a job judged after a start is tried again without a release") {
  FakeClusterView view = one_cluster(2, 1, 1000);
  view.release_count = 3;
  QueuedJob a = make_job(1, 1, 100), b = make_job(2, 1, 100);
  a.share_milli = b.share_milli = 500;
  auto policy = policy_with("greedy", {a, b});
  CHECK(pairs(policy->schedule(view)) == Pairs{{1, 0}});
  view.infos[0].free_gpus = 0;
  view.infos[0].share_room_milli = 500;
  CHECK(pairs(policy->schedule(view)) == Pairs{{2, 0}});
  CHECK(policy->queued() == 0);
}
