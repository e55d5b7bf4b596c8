// carbon-aware: deferrable jobs released at the cleanest start within their deadline.
#include <doctest/doctest.h>

#include <cmath>

#include "policy_test_support.hpp"
#include "suanli/sched/policy.hpp"

using namespace suanli::sched;
using namespace suanli::sched::testing;

namespace {

QueuedJob deferrable(JobIndex index, double walltime, double deadline) {
  QueuedJob job = make_job(index, 1, walltime);
  job.deadline_s = deadline;
  return job;
}

}  // namespace

// 4 free GPUs. Intensity 500 g until 3600, 50 g from 3600 to 7200, then 500 again. Job 1 (1 h,
// must end by 10,000): starts tried every 900 s up to 6,400, each run sampled at its start and
// every 900 s (4 samples). Only the start at 3600 sees 50 g in all four (mean 50; 2700 sees
// 500, 50, 50, 50: 162.5; 4500 sees 50, 50, 50, 500): released at 3600. Job 2 has no deadline:
// starts now. Job 3's latest start (100 - 3600) has passed: released now.
TEST_CASE("carbon-aware: releases each deferrable job at its cleanest start, others at once") {
  FakeClusterView view = one_cluster(4);
  view.carbon = [](double t) { return t >= 3600 && t < 7200 ? 50.0 : 500.0; };
  auto policy = make_policy("carbon-aware");
  policy->submit(deferrable(1, 3600, 10000));
  policy->submit(make_job(2, 1, 3600));
  policy->submit(deferrable(3, 3600, 100));
  CHECK(pairs(policy->schedule(view)) == Pairs{{2, 0}, {3, 0}});
  CHECK(policy->queued() == 1);
  CHECK(policy->wake_at_s() == 3600);
  view.time = 3600;
  CHECK(pairs(policy->schedule(view)) == Pairs{{1, 0}});
  CHECK(policy->queued() == 0);
}

TEST_CASE("carbon-aware: without an intensity, deferrable jobs start as under easy") {
  FakeClusterView view = one_cluster(4);
  auto policy = make_policy("carbon-aware");
  policy->submit(deferrable(1, 3600, 10000));
  CHECK(pairs(policy->schedule(view)) == Pairs{{1, 0}});
}
