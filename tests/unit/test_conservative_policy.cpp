// Conservative backfilling: every queued job holds a reservation in the free-GPU profile.
#include <doctest/doctest.h>

#include "policy_test_support.hpp"
#include "suanli/common/input_error.hpp"
#include "suanli/sched/policy.hpp"

using namespace suanli::sched;
using namespace suanli::sched::testing;

namespace {

// Two 4-GPU clusters of model 0, speeds 1 and 2, with `busy0` / `busy1` GPUs held until
// `until0` / `until1`; the queue A (4 GPUs, walltime 400), P (2 GPUs, walltime 300).
std::vector<Decision> a_then_p(int busy0, double until0, int busy1, double until1) {
  FakeClusterView view;
  view.add_cluster(0, 4, 1.0);
  view.add_cluster(0, 4, 2.0);
  view.run(0, 90, busy0, until0);
  view.run(1, 91, busy1, until1);
  return policy_with("conservative", {make_job(1, 4, 400, 0), make_job(2, 2, 300, 1)})
      ->schedule(view);
}

}  // namespace

TEST_CASE("conservative: a job that would delay the second queued job does not backfill") {
  // 8 GPUs, 6 busy until t=100, 2 free. Queue H (4 GPUs, 100 s), J (8, 100), K (2, 300),
  // L (2, 100).
  // EASY: H's shadow time is 100 with extra 8 - 4 = 4. J does not fit now. K runs past 100
  //   but its 2 GPUs fit in the extra: it starts, and holds 2 GPUs until 300, so J (8 GPUs)
  //   cannot start at 200 any more. The 2 free GPUs are gone: L waits.
  // Conservative: profile [0,100) 2, [100,inf) 8. H reserves [100,200) -> [100,200) 4;
  //   J reserves [200,300) -> [200,300) 0. K needs 2 GPUs for 300 s: [0,300) crosses the 0
  //   at 200, so it is reserved at 300. L needs 2 GPUs for [0,100): free, it starts now.
  FakeClusterView view = one_cluster(8, 6, 100);
  const auto queue = {make_job(1, 4, 100, 0), make_job(2, 8, 100, 1), make_job(3, 2, 300, 2),
                      make_job(4, 2, 100, 3)};
  auto easy = make_policy("easy");
  auto conservative = make_policy("conservative");
  for (const QueuedJob& job : queue) {
    easy->submit(job);
    conservative->submit(job);
  }
  CHECK(pairs(easy->schedule(view)) == Pairs{{3, 0}});
  CHECK(pairs(conservative->schedule(view)) == Pairs{{4, 0}});
  CHECK(conservative->queued() == 3);
}

TEST_CASE("conservative: reservations go to the earliest start, ties to the faster cluster") {
  // Earliest start wins over speed. Cluster 0 (speed 1): 4 GPUs busy until 50. Cluster 1
  // (speed 2): 2 of 4 busy until 100. A (4 GPUs, walltime 400): cluster 0 [50,450), cluster 1
  // [100,300): reserved on cluster 0, though it would end later. P (2 GPUs, walltime 300, so
  // 150 s on cluster 1): cluster 1 has [0,100) 2 and then 4 free, P starts there now. Had A
  // been reserved on cluster 1, P would have met 0 free GPUs at 100 and waited.
  CHECK(pairs(a_then_p(4, 50, 2, 100)) == Pairs{{2, 1}});

  // A tie on the start goes to the shortest runtime. Cluster 0 (speed 1): 2 of 4 busy until
  // 100; cluster 1 (speed 2): 4 busy until 100. A can start at 100 on both: 400 s on cluster
  // 0, 200 s on cluster 1, so cluster 1. P (300 s on cluster 0) then finds [0,100) 2 and 4
  // after on cluster 0 and starts there now; with A on cluster 0 it would wait.
  CHECK(pairs(a_then_p(2, 100, 4, 100)) == Pairs{{2, 0}});
}

TEST_CASE("conservative: a job behind a reservation starts if it ends by the reserved start") {
  // 8 GPUs, 4 busy until 100, 4 free. H (8 GPUs, 500 s) is reserved [100,600). L (2 GPUs,
  // 101 s) would still run at 100: reserved at 600. S (2 GPUs, 100 s) ends exactly at 100,
  // when H starts: it starts now.
  FakeClusterView view = one_cluster(8, 4, 100);
  auto policy = policy_with(
      "conservative", {make_job(1, 8, 500, 0), make_job(2, 2, 101, 1), make_job(3, 2, 100, 2)});
  CHECK(pairs(policy->schedule(view)) == Pairs{{3, 0}});

  // The reservations are rebuilt at every call: the busy job and S both end early, at 40.
  // All 8 GPUs are free, so H starts at 40 rather than at its reserved 100.
  view.time = 40;
  view.running[0].clear();
  view.infos[0].free_gpus = 8;
  CHECK(pairs(policy->schedule(view)) == Pairs{{1, 0}});
  CHECK(policy->queued() == 1);
}

TEST_CASE("conservative: only the first `depth` queued jobs are considered") {
  // 8 GPUs, 6 busy until 100. H (8 GPUs) is reserved at 100; long jobs (2 GPUs, 200 s) would
  // cross 100 and are reserved later; S (2 GPUs, 50 s) behind them could start now. It does
  // when it is within the first `depth` queued jobs, and waits when it is not.
  auto run = [](int depth, int long_jobs) {
    FakeClusterView view = one_cluster(8, 6, 100);
    auto policy = make_policy(
        "conservative", depth > 0 ? ParamValues{{"depth", std::to_string(depth)}} : ParamValues{});
    policy->submit(make_job(0, 8, 500, 0));
    for (int i = 1; i <= long_jobs; ++i) policy->submit(make_job(JobIndex(i), 2, 200, i));
    policy->submit(make_job(JobIndex(long_jobs + 1), 2, 50, long_jobs + 1));
    return policy->schedule(view).size();
  };
  CHECK(run(2, 1) == 0);  // H, one long job: S is third
  CHECK(run(3, 1) == 1);
  CHECK(run(0, 498) == 1);  // the default, 500: S is job 500
  CHECK(run(0, 499) == 0);
  CHECK_THROWS_AS(make_policy("conservative", {{"depth", "0"}}), suanli::InputError);
  CHECK_THROWS_AS(make_policy("conservative", {{"depth", "2.5"}}), suanli::InputError);
}

TEST_CASE("conservative: a running job past its expected end counts as ending now") {
  // now = 100, 6 GPUs: R1 holds 2 and was expected to end at 50, R2 holds 2 until 200, 2 free.
  // Profile: [100,200) 2 + 2 (R1, taken to end now) = 4, [200,inf) 6. A (4 GPUs, 300 s) is
  // reserved now, though it cannot start (2 GPUs really free): [100,200) 0, [200,400) 2.
  // B (2 GPUs, 50 s) would delay A: reserved at 200. Nothing starts. Had R1 been ignored, A
  // would be reserved at 200 and B would have started now.
  FakeClusterView view = one_cluster(6);
  view.time = 100;
  view.run(0, 90, 2, 50);
  view.run(0, 91, 2, 200);
  auto policy = policy_with("conservative", {make_job(1, 4, 300, 0), make_job(2, 2, 50, 1)});
  CHECK(policy->schedule(view).empty());
  CHECK(policy->queued() == 2);
}

TEST_CASE("conservative: a share starts in the room beside other shares, one without room waits") {
  // 3 GPUs: 2 held by a whole job until 200, the third by a 0.5 share until 300 (frees no
  // whole GPU). H (2 GPUs, 100 s) is reserved [200,300). Shares of 0.4 and 0.1 fit in the
  // room and take no whole GPU: they start. Then nothing is free in the tally, the profile or
  // the room: the scan stops and the 0.6 share waits.
  FakeClusterView view;
  view.add_cluster(0, 3);
  view.run(0, 10, 2, 200);
  view.running[0].push_back(RunningJob{11, 0, 300});
  view.infos[0].free_gpus = 0;
  view.infos[0].share_room_milli = 500;
  auto share = [](JobIndex index, int milli, double walltime) {
    QueuedJob job = make_job(index, 1, walltime, index);
    job.share_milli = milli;
    return job;
  };
  auto policy = policy_with("conservative", {make_job(1, 2, 100, 0), share(2, 400, 10),
                                             share(3, 100, 1000), share(4, 600, 10)});
  CHECK(pairs(policy->schedule(view)) == Pairs{{2, 0}, {3, 0}});
  CHECK(policy->queued() == 2);
}
