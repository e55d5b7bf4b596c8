// srtf, las, themis and qssf on fake views, each decision derived by hand (the end-to-end
// cases are in tests/e2e/test_preemptive_policies.cpp).
#include <doctest/doctest.h>

#include "policy_test_support.hpp"
#include "suanli/sched/policy.hpp"

using namespace suanli::sched;
using namespace suanli::sched::testing;

namespace {

// One cluster of 4 GPUs; job `first` (4 GPUs) was submitted and started by `policy` and now
// runs with `service`, `done` of its work done; then `second` (4 GPUs) arrives: the plan
// that follows.
struct Progress {
  Service service;
  double done = 0;
};
Plan after_arrival(const char* policy_name, const QueuedJob& first, const Progress& progress,
                   const QueuedJob& second, bool round = false) {
  FakeClusterView view = one_cluster(4);
  view.walltimes[first.index] = first.walltime_s;
  view.walltimes[second.index] = second.walltime_s;
  auto policy = make_policy(policy_name);
  policy->submit(first);
  REQUIRE(pairs(policy->plan(view).start) == Pairs{{first.index, 0}});
  view.run(0, first.index, 4, first.walltime_s);
  view.services[first.index] = progress.service;
  view.done[first.index] = progress.done;
  view.time = 50;
  view.round = round;
  policy->submit(second);
  return policy->plan(view);
}

Progress running(double done, double attained_gpu_s) {
  Progress p;
  p.service.running = true;
  p.service.attained_gpu_s = attained_gpu_s;
  p.done = done;
  return p;
}

}  // namespace

// a: 100 s, half done: 50 s left. b needs 20 s: shorter, it preempts a; b needing 60 s does
// not (a's 50 left are less).
TEST_CASE("srtf: the job with the least true work left runs") {
  const QueuedJob a = make_job(1, 4, 100), b = make_job(2, 4, 20, 50);
  Plan p = after_arrival("srtf", a, running(0.5, 200), b);
  CHECK(p.preempt == std::vector<JobIndex>{1});
  CHECK(pairs(p.start) == Pairs{{2, 0}});
  p = after_arrival("srtf", a, running(0.5, 200), make_job(2, 4, 60, 50));
  CHECK(p.preempt.empty());
  CHECK(p.start.empty());
}

// a has 200 GPU-s of service, b none: b preempts a. With a at 0 too (just started), the tie
// keeps arrival order: a stays.
TEST_CASE("las: the least attained service runs, ties by arrival") {
  const QueuedJob a = make_job(1, 4, 100), b = make_job(2, 4, 100, 50);
  Plan p = after_arrival("las", a, running(0.5, 200), b);
  CHECK(p.preempt == std::vector<JobIndex>{1});
  CHECK(pairs(p.start) == Pairs{{2, 0}});
  p = after_arrival("las", a, running(0, 0), b);
  CHECK(p.preempt.empty());
  CHECK(p.start.empty());
}

// At time 50, 2 jobs share 4 GPUs: a 1/N share is 2 GPUs, so ideal times are twice the run
// time alone. a (1000 s, 0.05 done: 950 s left, alone 1000): rho = (50 + 950) / 2000 = 0.5;
// b (100 s, submitted at 0, waiting): rho = (50 + 100) / 200 = 0.75, the worse. Between
// rounds nothing is preempted; at a round b takes the lease.
TEST_CASE("themis: leases go to the worst finish-time fairness, at rounds only") {
  const QueuedJob a = make_job(1, 4, 1000), b = make_job(2, 4, 100, 0);
  Plan p = after_arrival("themis", a, running(0.05, 200), b, /*round=*/false);
  CHECK(p.preempt.empty());
  CHECK(p.start.empty());
  p = after_arrival("themis", a, running(0.05, 200), b, /*round=*/true);
  CHECK(p.preempt == std::vector<JobIndex>{1});
  CHECK(pairs(p.start) == Pairs{{2, 0}});
}

// qssf predicts from completed jobs. On 4 GPUs: h1 (user 1, name 1, 4 GPUs) runs 0-100 and
// h2 (user 2, name 2, 1 GPU) 100-110, so (1, 1, 4 GPUs) predicts 100 s, (2, 2) 10 s. Then b
// (user 1, name 1, 4 GPUs) is predicted 4 x 100 = 400 GPU-s and c (user 2, name 2, 4 GPUs)
// 4 x 10 = 40 (no 4-GPU history for it: its user and name's): c goes first though b came
// first.
TEST_CASE("qssf: the predicted GPU service orders the queue") {
  FakeClusterView view = one_cluster(4);
  auto policy = make_policy("qssf");
  QueuedJob h1 = make_job(1, 4, 500), h2 = make_job(2, 1, 500);
  h1.user = 1, h1.name = 1, h2.user = 2, h2.name = 2;
  policy->submit(h1);
  REQUIRE(pairs(policy->schedule(view)) == Pairs{{1, 0}});
  view.time = 100;
  policy->ended(1, 100);
  policy->submit(h2);
  REQUIRE(pairs(policy->schedule(view)) == Pairs{{2, 0}});
  view.run(0, 2, 1, 500);
  view.time = 110;
  QueuedJob b = make_job(3, 4, 500, 110), c = make_job(4, 4, 500, 110);
  b.user = 1, b.name = 1, c.user = 2, c.name = 2;
  policy->submit(b);
  policy->ended(2, 110);
  view.running[0].clear();
  view.infos[0].free_gpus = 4;
  policy->submit(c);
  CHECK(pairs(policy->schedule(view)) == Pairs{{4, 0}});
  CHECK(policy->queued() == 1);
}

// A job stopped by something other than the policy's plan (a failure, issue 15's path) comes
// back through requeue(): the policy counts it as waiting again, does not take it for a
// second job, and starts it again once its GPUs are back (here at once: the cluster is empty).
TEST_CASE("preemptive policies: a requeued running job waits again, once") {
  for (const char* name : {"srtf", "las", "tiresias", "themis", "gavel"}) {
    CAPTURE(name);
    FakeClusterView view = one_cluster(4);
    const QueuedJob a = make_job(1, 4, 100);
    view.walltimes[a.index] = a.walltime_s;
    auto policy = make_policy(name);
    policy->submit(a);
    view.round = true;
    REQUIRE(pairs(policy->plan(view).start) == Pairs{{1, 0}});
    CHECK(policy->queued() == 0);
    view.time = 10;
    policy->requeue(a);  // its GPUs were taken back: the view's cluster is empty again
    CHECK(policy->queued() == 1);
    const Plan again = policy->plan(view);
    CHECK(again.preempt.empty());
    CHECK(pairs(again.start) == Pairs{{1, 0}});
    CHECK(policy->queued() == 0);
  }
}
