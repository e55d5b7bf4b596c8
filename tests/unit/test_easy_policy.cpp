// EASY backfilling, and the property every policy must keep: decisions never oversubscribe.
#include <doctest/doctest.h>

#include <cstdint>
#include <set>

#include "policy_test_support.hpp"
#include "suanli/sched/policy.hpp"

using namespace suanli::sched;
using namespace suanli::sched::testing;

namespace {

// The queue of the first cases, on 8 GPUs of which 6 are busy until t=100: H (8 GPUs),
// L (2 GPUs, 200 s), S (2 GPUs, 50 s).
std::unique_ptr<Policy> h_l_s(std::string_view name) {
  return policy_with(name, {make_job(1, 8, 500, 0),   // H
                            make_job(2, 2, 200, 1),   // L
                            make_job(3, 2, 50, 2)});  // S
}

}  // namespace

TEST_CASE("easy: a job ending before the shadow time backfills, a longer one does not") {
  // 8 GPUs, 6 busy until t=100, 2 free. Head H needs all 8: shadow time 100 on cluster 0,
  // extra = 8 - 8 = 0. L (2 GPUs, 200 s) would still hold 2 GPUs at t=100 and delay H: no.
  // S (2 GPUs, 50 s) ends at 50 <= 100: backfills.
  FakeClusterView view = one_cluster(8, 6, 100);
  auto policy = h_l_s("easy");
  CHECK(pairs(policy->schedule(view)) == Pairs{{3, 0}});
  CHECK(policy->queued() == 2);
}

TEST_CASE("easy: the same queue under fifo starts nothing") {
  FakeClusterView view = one_cluster(8, 6, 100);
  CHECK(h_l_s("fifo")->schedule(view).empty());
}

TEST_CASE("easy: long jobs backfill into the extra GPUs, and only as many as there are") {
  // 8 GPUs: R1 holds 3 until t=100, R2 holds 2 until t=200; 3 free. Head H needs 5:
  // at t=100, 3 + 3 = 6 free -> shadow 100, extra 6 - 5 = 1.
  // X (1 GPU, 1000 s) runs past 100 but fits in the extra GPU: starts, extra -> 0.
  // Y (1 GPU, 1000 s) would now delay H: stays. Z (1 GPU, 50 s) ends by 100: starts.
  // At t=100 H still finds 3 - 1 (X) + 3 (R1) = 5 GPUs.
  FakeClusterView view = one_cluster(8);
  view.run(0, 90, 3, 100);
  view.run(0, 91, 2, 200);
  auto policy = policy_with("easy", {make_job(1, 5, 500, 0),   // H
                                     make_job(2, 1, 1000, 1),  // X
                                     make_job(3, 1, 1000, 2),  // Y
                                     make_job(4, 1, 50, 3)});  // Z
  CHECK(pairs(policy->schedule(view)) == Pairs{{2, 0}, {4, 0}});
  CHECK(policy->queued() == 2);
}

TEST_CASE("easy: a job backfills on a cluster the head cannot use") {
  // Cluster 0: 8 GPUs all busy until t=100. Cluster 1: 4 GPUs, free. H needs 8: only
  // cluster 0 is large enough, reservation there at t=100. J (4 GPUs, 1000 s) would delay H
  // on cluster 0 but fits cluster 1 now: starts there.
  FakeClusterView view;
  view.add_cluster(0, 8);
  view.add_cluster(1, 4);
  view.run(0, 99, 8, 100);
  auto policy = policy_with("easy", {make_job(1, 8, 500, 0),     // H
                                     make_job(2, 4, 1000, 1)});  // J
  CHECK(pairs(policy->schedule(view)) == Pairs{{2, 1}});
}

TEST_CASE("easy: the reservation goes to the earliest cluster and backfill avoids delaying it") {
  // Both clusters: 8 GPUs, 6 busy, 2 free. Cluster 0 frees at t=300, cluster 1 at t=100,
  // so H (8 GPUs) is reserved on cluster 1 at t=100, extra 0. J (2 GPUs, walltime 200)
  // runs 200/1.5 = 133 s on the faster cluster 1 and would end at 133 > 100: not there. It
  // goes to cluster 0, slower but not reserved.
  FakeClusterView view;
  view.add_cluster(0, 8, 1.0);
  view.add_cluster(0, 8, 1.5);
  view.run(0, 90, 6, 300);
  view.run(1, 91, 6, 100);
  auto policy = policy_with("easy", {make_job(1, 8, 500, 0),    // H
                                     make_job(2, 2, 200, 1)});  // J
  CHECK(pairs(policy->schedule(view)) == Pairs{{2, 0}});
}

TEST_CASE("easy: jobs started in the same call count towards the shadow time") {
  // 8 free GPUs, nothing running. A (6 GPUs, 100 s) starts. H (4 GPUs) does not fit the 2
  // left; the view lists no running job, but A ends at 100: shadow 100, extra 2 + 6 - 4 = 4.
  // L (2 GPUs, 500 s) fits in the extra GPUs and starts.
  FakeClusterView view = one_cluster(8);
  auto policy = policy_with("easy", {make_job(1, 6, 100, 0),    // A
                                     make_job(2, 4, 100, 1),    // H
                                     make_job(3, 2, 500, 2)});  // L
  CHECK(pairs(policy->schedule(view)) == Pairs{{1, 0}, {3, 0}});
}

TEST_CASE("easy: without a computable shadow time the head's clusters stay closed") {
  // The view says 2 free and nothing running on 8 GPUs (6 unaccounted for, e.g. failed):
  // no shadow time for H. Backfilling there could starve H, so S does not start.
  FakeClusterView view = one_cluster(8);
  view.infos[0].free_gpus = 2;
  CHECK(
      policy_with("easy", {make_job(1, 8, 100, 0), make_job(2, 2, 10, 1)})->schedule(view).empty());
}

TEST_CASE("easy: a head no cluster can hold is set aside, the next job becomes head") {
  FakeClusterView view = one_cluster(8, 6, 100);
  auto policy = policy_with("easy", {make_job(1, 64, 10, 0),   // can never run
                                     make_job(2, 8, 10, 1),    // the real head: reserved at t=100
                                     make_job(3, 2, 500, 2),   // would delay job 2
                                     make_job(4, 2, 50, 3)});  // ends before 100
  CHECK(pairs(policy->schedule(view)) == Pairs{{4, 0}});
  CHECK(policy->queued() == 3);
}

namespace {

// Small deterministic generator (no <random>: its distributions differ between libraries).
struct Lcg {
  std::uint64_t state;
  int below(int n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>((state >> 33) % static_cast<std::uint64_t>(n));
  }
};

}  // namespace

// Every policy of the registry, on random views, over three calls with the plans applied as
// the engine would (preempted jobs give their GPUs back, started ones take theirs): a plan
// never needs more GPUs on a cluster than are free there or held by the jobs it preempts,
// preempts only jobs it started, starts only waiting jobs, respects the GPU model, and
// queued() counts the jobs it has not started.
TEST_CASE("every policy: decisions never oversubscribe and respect the model") {
  for (const PolicyEntry& entry : policies()) {
    CAPTURE(entry.name);
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
      CAPTURE(seed);
      Lcg rng{seed};
      FakeClusterView view;
      view.time = rng.below(100);
      const int clusters = 1 + rng.below(3);
      for (int c = 0; c < clusters; ++c) {
        view.add_cluster(rng.below(2), 4 * (1 + rng.below(4)), 1.0 + rng.below(3));
        for (int busy = rng.below(view.infos[c].total_gpus + 1); busy > 0;) {
          const int gpus = 1 + rng.below(busy);
          view.run(c, 1000 + c, gpus, rng.below(300));
          busy -= gpus;
        }
      }
      auto policy = make_policy(entry.name);
      std::map<JobIndex, QueuedJob> jobs;
      std::map<JobIndex, int> running_on;  // the policy's jobs the view runs
      const int n = rng.below(20);
      for (int j = 0; j < n; ++j) {
        const QueuedJob job = make_job(static_cast<JobIndex>(j), 1 + rng.below(16),
                                       1 + rng.below(400), rng.below(50), rng.below(3) - 1);
        jobs[job.index] = job;
        view.walltimes[job.index] = job.walltime_s;
        policy->submit(job);
      }
      for (int call = 0; call < 3; ++call) {
        CAPTURE(call);
        const Plan plan = policy->plan(view);
        std::vector<int> room(clusters);
        for (int c = 0; c < clusters; ++c) room[c] = view.infos[c].free_gpus;
        for (const JobIndex j : plan.preempt) {
          REQUIRE(running_on.count(j) == 1);
          const int c = running_on.at(j);
          room[c] += jobs.at(j).gpus;
          auto& list = view.running[c];
          list.erase(std::find_if(list.begin(), list.end(),
                                  [&](const RunningJob& r) { return r.index == j; }));
          view.infos[c].free_gpus += jobs.at(j).gpus;
          running_on.erase(j);
          view.services[j].running = false;
        }
        std::set<JobIndex> seen;
        for (const Decision& d : plan.start) {
          REQUIRE(d.cluster >= 0);
          REQUIRE(d.cluster < clusters);
          CHECK(seen.insert(d.job).second);
          CHECK(running_on.count(d.job) == 0);
          const QueuedJob& job = jobs.at(d.job);
          CHECK(allows(job, view.infos[d.cluster].model));
          room[d.cluster] -= job.gpus;
          view.run(d.cluster, d.job, job.gpus, view.time + job.walltime_s);
          running_on[d.job] = d.cluster;
          view.services[d.job].running = true;
        }
        for (int c = 0; c < clusters; ++c) CHECK(room[c] >= 0);
        CHECK(policy->queued() == jobs.size() - running_on.size());
        // Time passes: the running jobs attain service and get some work done.
        view.time += 1 + rng.below(100);
        for (const auto& [j, c] : running_on) {
          view.services[j].attained_gpu_s += jobs.at(j).gpus * double(1 + rng.below(50));
          view.done[j] = std::min(0.9, view.done[j] + 0.1);
        }
      }
    }
  }
}

TEST_CASE("easy: backfilling considers at most 500 queued jobs per pass") {
  // As in the first case: 2 GPUs free until t=100, head H needs all 8. Behind it, long jobs
  // that would delay H (2 GPUs, 200 s), then one short job S (2 GPUs, 50 s) that could
  // backfill. S is job 1 + `before` + 1 in the queue; the scan looks at the 500 jobs after
  // the head, so S starts when 499 long jobs stand before it and not when 500 do.
  for (int before : {499, 500}) {
    CAPTURE(before);
    FakeClusterView view = one_cluster(8);
    view.run(0, 99999, 6, 100);
    auto policy = make_policy("easy");
    policy->submit(make_job(0, 8, 500, 0));  // H
    for (int i = 1; i <= before; ++i) policy->submit(make_job(JobIndex(i), 2, 200, i));
    const JobIndex short_job = JobIndex(before + 1);
    policy->submit(make_job(short_job, 2, 50, before + 1));
    const auto decisions = pairs(policy->schedule(view));
    if (before == 499)
      CHECK(decisions == Pairs{{short_job, 0}});
    else
      CHECK(decisions.empty());
  }
}

// Under a facility power budget power is a second resource (docs/model.md, "Power budget"):
// 100 W per GPU started; running job R (index 90) frees 300 W at t=100. Queue: H (8 GPUs,
// 500 s), A (2 GPUs, 50 s), B (3 GPUs, 1000 s), C (1 GPU, 1000 s).
std::unique_ptr<Policy> h_a_b_c(std::string_view name) {
  return policy_with(name, {make_job(1, 8, 500, 0), make_job(2, 2, 50, 1), make_job(3, 3, 1000, 2),
                            make_job(4, 1, 1000, 3)});
}

FakeClusterView budgeted(int total_gpus, int r_gpus, double headroom_w) {
  FakeClusterView view = one_cluster(total_gpus);
  view.running[0].push_back(RunningJob{90, r_gpus, 100, 300});
  view.infos[0].free_gpus = total_gpus - r_gpus;
  view.headroom_w = headroom_w;
  view.watts_per_gpu = 100;
  return view;
}

// 16 GPUs, R holds 10 until t=100, 6 free; 500 W of headroom now.
//   H needs 8 GPUs: at t=100, 16 free, 8 spare (GPU shadow 100). Its 800 W: 500 + 300 freed
//   at t=100 = 800: power shadow 100 too, 0 W to spare then.
//   A (200 W, ends at 50, before the shadow) backfills: 300 W left now.
//   B (300 W) and C (100 W) fit the GPUs now and the spare GPUs at t=100, and the power now,
//   but run past t=100 and would take power H needs then: they wait.
// With 1,000 W of headroom: H's 800 W are there at t=100 with 1000 + 300 - 800 = 500 W to
// spare: A, B (500 - 300 = 200 left at the shadow) and C (100) all backfill.
// FIFO holds the queue behind H whatever the power.
TEST_CASE("easy: under a power budget the head's reservation counts power, and backfill keeps it") {
  FakeClusterView tight = budgeted(16, 10, 500);
  CHECK(pairs(h_a_b_c("easy")->schedule(tight)) == Pairs{{2, 0}});
  CHECK(h_a_b_c("fifo")->schedule(tight).empty());
  FakeClusterView roomy = budgeted(16, 10, 1000);
  CHECK(pairs(h_a_b_c("easy")->schedule(roomy)) == Pairs{{2, 0}, {3, 0}, {4, 0}});
}

// A head that fits the GPUs but not the power waits, and FIFO's queue waits behind it:
// 8 free GPUs, 250 W of headroom. Job 1 (200 W) starts, 50 W left; job 2 (300 W) does not
// fit, so job 3 (100 W) waits under FIFO. EASY: job 2's reservation needs 300 W that nothing
// running frees (no power shadow): only jobs ending before its GPU shadow (now) may backfill,
// and job 3 needs 100 W of the 50 left anyway: nothing more starts.
TEST_CASE("fifo: under a power budget the head waits for power as for GPUs") {
  const auto three = [](std::string_view name) {
    return policy_with(name,
                       {make_job(1, 2, 100, 0), make_job(2, 3, 100, 1), make_job(3, 1, 100, 2)});
  };
  FakeClusterView view = one_cluster(8);
  view.headroom_w = 250;
  view.watts_per_gpu = 100;
  CHECK(pairs(three("fifo")->schedule(view)) == Pairs{{1, 0}});
  CHECK(pairs(three("easy")->schedule(view)) == Pairs{{1, 0}});
}
