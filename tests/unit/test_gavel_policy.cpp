// Gavel's LPs (max-min fairness, max sum of throughputs) and its round mechanism, on
// hand-derived cases (docs/policies.md, gavel and gavel-max-throughput).
#include <doctest/doctest.h>

#include <algorithm>
#include <map>

#include "policy_test_support.hpp"
#include "suanli/sched/policy_factories.hpp"

using namespace suanli::sched;
using namespace suanli::sched::testing;
using detail::GavelObjective;
using detail::solve_gavel_lp;

namespace {

// Applies plans to the view as the engine would; jobs never end unless a test says so.
struct Driver {
  FakeClusterView view;
  std::unique_ptr<Policy> policy;
  std::map<JobIndex, QueuedJob> jobs;
  std::map<JobIndex, int> on;  // running job -> cluster

  void submit(const QueuedJob& job) {
    jobs[job.index] = job;
    policy->submit(job);
  }
  Plan call(bool round) {
    view.round = round;
    const Plan plan = policy->plan(view);
    for (const JobIndex j : plan.preempt) stop(j);
    for (const Decision& d : plan.start) {
      REQUIRE(on.count(d.job) == 0);
      view.run(d.cluster, d.job, jobs.at(d.job).gpus, 1e9);
      on[d.job] = d.cluster;
    }
    return plan;
  }
  void stop(JobIndex j) {
    const int c = on.at(j);
    auto& list = view.running[std::size_t(c)];
    list.erase(
        std::find_if(list.begin(), list.end(), [&](const RunningJob& r) { return r.index == j; }));
    view.infos[std::size_t(c)].free_gpus += jobs.at(j).gpus;
    on.erase(j);
  }
  int where(JobIndex j) const { return on.count(j) ? on.at(j) : -1; }
};

// Pools: 0 "V100" (1 GPU), 1 "K80" (`k80_gpus` GPUs); each job's speed on them as given.
Driver two_pools(std::string_view policy, int k80_gpus,
                 std::initializer_list<std::tuple<JobIndex, double, double>> speeds) {
  Driver d;
  d.view.add_cluster(0, 1);
  d.view.add_cluster(1, k80_gpus);
  d.policy = make_policy(policy);
  for (const auto& [j, v100, k80] : speeds) {
    d.view.job_speed[{j, 0}] = v100;
    d.view.job_speed[{j, 1}] = k80;
    d.submit(make_job(j, 1, 1e6, 0));
  }
  return d;
}

// One pool of 1 GPU under gavel, two equal jobs 1 and 2 submitted at 0.
Driver one_gpu_two_jobs() {
  Driver d;
  d.view.add_cluster(0, 1);
  d.policy = make_policy("gavel");
  d.submit(make_job(1, 1, 1e6, 0));
  d.submit(make_job(2, 1, 1e6, 0));
  return d;
}

// Each job's throughput under x over its equal-share throughput (policy.py, proportional.py:
// pool c's share is gpus_c / sum of gpus).
double normalised(const std::vector<double>& speed, const std::vector<double>& x,
                  const std::vector<double>& gpus, std::size_t j) {
  double got = 0, share = 0, total = gpus[0] + gpus[1];
  for (std::size_t c = 0; c < 2; ++c) {
    got += speed[j * 2 + c] * x[j * 2 + c];
    share += speed[j * 2 + c] * gpus[c] / total;
  }
  return got / share;
}

}  // namespace

// Pools V100 (1 GPU) and K80 (2 GPUs); A: speed 1 on the V100, 0.25 on the K80 (4x speedup);
// B: 1 and 0.5 (2x). Equal shares (1/3 V100, 2/3 K80): A (1 + 2 x 0.25)/3 = 0.5, B (1 + 2 x
// 0.5)/3 = 2/3. Normalised: nA = 2 (aV + 0.25 aK), nB = 1.5 (bV + 0.5 bK), with aV + aK <= 1,
// bV + bK <= 1, aV + bV <= 1 (the K80s never bind: each job uses at most 1). Filling each job
// up, nA = 0.5 + 1.5 aV and nB = 0.75 + 0.75 bV; with aV + bV = 1 they are equal at
// aV = 4/9: t = 7/6. Unique: t >= 7/6 needs aV >= 4/9 and bV >= 5/9, so both are equal.
// Max-throughput: aV + 0.25 (1 - aV) + bV + 0.5 (1 - bV) = 0.75 + 0.75 aV + 0.5 bV, best at
// aV = 1: A on the V100, B on the K80.
TEST_CASE("gavel: the LP on a fast and a slow pool, derived by hand") {
  const detail::GavelLpInput in{{1, 0.25, 1, 0.5}, {1, 1}, {1, 2}};
  const auto fair = solve_gavel_lp(in, GavelObjective::max_min_fairness);
  REQUIRE(fair.size() == 4);
  CHECK(fair[0] == doctest::Approx(4.0 / 9));
  CHECK(fair[1] == doctest::Approx(5.0 / 9));
  CHECK(fair[2] == doctest::Approx(5.0 / 9));
  CHECK(fair[3] == doctest::Approx(4.0 / 9));
  CHECK(normalised(in.speed, fair, in.capacity, 0) == doctest::Approx(7.0 / 6));
  CHECK(normalised(in.speed, fair, in.capacity, 1) == doctest::Approx(7.0 / 6));
  const auto sum = solve_gavel_lp(in, GavelObjective::max_sum_throughput);
  CHECK(sum == std::vector<double>{1, 0, 0, 1});
}

// The same case through the policy: every round both jobs run (one on the V100, the other
// on a K80), and the V100 goes to A in 4/9 of the rounds, as x says (the priorities x / share
// of time received make the rounds follow x, as stride scheduling does).
TEST_CASE("gavel: over rounds, the V100 is shared as the allocation says") {
  Driver d = two_pools("gavel", 2, {{1, 1, 0.25}, {2, 1, 0.5}});
  d.call(false);
  int a_on_v100 = 0;
  const int rounds = 90;
  for (int r = 1; r <= rounds; ++r) {
    d.view.time = 360.0 * r;
    d.call(true);
    CHECK(d.where(1) >= 0);
    CHECK(d.where(2) >= 0);
    CHECK(d.where(1) != d.where(2));
    a_on_v100 += d.where(1) == 0;
  }
  CHECK(std::abs(a_on_v100 - rounds * 4 / 9) <= 2);
}

// Pools V100 (1 GPU) and K80 (1 GPU); A (1, 0.25), B (0.8, 0.5), C (0.3, 0.28): C is slow
// everywhere, with little speedup. Max-throughput is an assignment (the ≤ 1 rows make the
// polytope integral): A-V100 + B-K80 = 1.5 beats A+C 1.28, B+C 1.08, B+A 1.05, C+B 0.8,
// C+A 0.55, so C gets nothing. Max-min: x_jc = 1/3 everywhere is feasible (rows 2/3, pools 1)
// and gives every job (sum_c speed / 3) / (sum_c speed / 2) = 2/3, so the optimum gives every
// job at least 2/3 of its equal share, C included: 0.3 x_CV + 0.28 x_CK >= 2/3 x 0.29, so
// x_CV + x_CK >= 0.644, and C runs in at least 64 % of the rounds (19 of 30, less 2 for
// rounding).
TEST_CASE("gavel and gavel-max-throughput differ: max throughput starves the slow job") {
  const detail::GavelLpInput in{{1, 0.25, 0.8, 0.5, 0.3, 0.28}, {1, 1, 1}, {1, 1}};
  const auto sum = solve_gavel_lp(in, GavelObjective::max_sum_throughput);
  CHECK(sum == std::vector<double>{1, 0, 0, 1, 0, 0});
  const auto fair = solve_gavel_lp(in, GavelObjective::max_min_fairness);
  for (std::size_t j = 0; j < 3; ++j) {
    CAPTURE(j);
    CHECK(normalised(in.speed, fair, in.capacity, j) >= 2.0 / 3 - 1e-9);
  }

  // Through the policies: over 30 rounds C never runs under max-throughput, and does under gavel.
  for (const std::string_view name : {"gavel-max-throughput", "gavel"}) {
    CAPTURE(name);
    Driver d = two_pools(name, 1, {{1, 1, 0.25}, {2, 0.8, 0.5}, {3, 0.3, 0.28}});
    int c_rounds = 0;
    d.call(false);
    for (int r = 1; r <= 30; ++r) {
      d.view.time = 360.0 * r;
      d.call(true);
      c_rounds += d.where(3) >= 0;
    }
    if (name == "gavel")
      CHECK(c_rounds >= 17);
    else
      CHECK(c_rounds == 0);
  }
}

// One pool of 1 GPU, two equal jobs: x = 1/2 each (max-min of xA, xB with xA + xB <= 1).
// After the reset both have 180 s: equal priorities, A (first to arrive) starts. At the round
// at 360, A has 540 s and B 180 s of 720: priorities 0.5 / (540/720) = 2/3 and 0.5 / (180/720)
// = 2: B, which got fewer rounds than its half, takes the GPU and A is preempted. At 720 both
// have 540 s: A again, and so on.
TEST_CASE("gavel: at a round, the job that got less than its allocation gets priority") {
  Driver d = one_gpu_two_jobs();
  CHECK(pairs(d.call(false).start) == Pairs{{1, 0}});
  d.view.time = 360;
  const Plan plan = d.call(true);
  CHECK(plan.preempt == std::vector<JobIndex>{1});
  CHECK(pairs(plan.start) == Pairs{{2, 0}});
  int a_rounds = 0;
  for (int r = 2; r <= 11; ++r) {
    d.view.time = 360.0 * r;
    d.call(true);
    a_rounds += d.where(1) == 0;
  }
  CHECK(a_rounds == 5);
}

// The same pool after the round at 360 (B runs, A waits with the higher priority). A job C
// arriving at 400 and A's turn do not preempt B between rounds; B ending at 500 frees the GPU
// and the waiting job with the highest priority starts on it, still without preempting.
TEST_CASE("gavel: between rounds nothing is preempted") {
  Driver d = one_gpu_two_jobs();
  d.call(false);
  d.view.time = 360;
  d.call(true);
  REQUIRE(d.where(2) == 0);
  d.view.time = 400;
  d.submit(make_job(3, 1, 1e6, 400));
  const Plan arrival = d.call(false);
  CHECK(arrival.preempt.empty());
  CHECK(arrival.start.empty());
  CHECK(d.policy->queued() == 2);
  d.view.time = 500;
  d.stop(2);
  d.policy->ended(2, 500);
  const Plan completion = d.call(false);
  CHECK(completion.preempt.empty());
  // Not re-solved (not a round): A keeps x = 1/2, C has x = 0 (priority 0) until the next
  // solve: A starts.
  CHECK(pairs(completion.start) == Pairs{{1, 0}});
  CHECK(d.policy->queued() == 1);
}

// The LP is re-solved only at a round, after a change, and at least reset_s after the last
// solve (Gavel's minimum_time_between_allocation_resets). One GPU; A and B at 0 (solved at
// 0: x = 1/2 each, 180 s each after the reset); C arrives at 400 with x = 0.
//  reset_s = 0: at 720 the LP gives 1/3 each and resets (180 s each): ties, A. At 1080 A has
//  540 of 900: B and C have 1/3 / (180/900) = 1.67, B first by arrival. At 1440 A and B have
//  540 of 1260 (0.78), C 1/3 / (180/1260) = 2.33: C runs first at 1440.
//  reset_s = 1920 (default): no solve before the round at 2160; until then C's priority is 0
//  and A and B alternate. At 2160: solve and reset, A; 2520 B; C runs first at 2880.
TEST_CASE("gavel: a newcomer enters the LP at the first round reset_s after the last solve") {
  for (const auto& [reset, first_c_round] :
       std::vector<std::pair<const char*, double>>{{"0", 1440}, {"1920", 2880}}) {
    CAPTURE(reset);
    Driver d;
    d.view.add_cluster(0, 1);
    d.policy = make_policy("gavel", {{"reset_s", reset}});
    d.submit(make_job(1, 1, 1e6, 0));
    d.submit(make_job(2, 1, 1e6, 0));
    d.call(false);
    double c_first = -1;
    for (int r = 1; r <= 10 && c_first < 0; ++r) {
      d.view.time = 360.0 * r;
      d.call(true);
      if (r == 1) {
        d.view.time = 400;
        d.submit(make_job(3, 1, 1e6, 400));
        d.call(false);
      }
      if (d.where(3) == 0) c_first = 360.0 * r;
    }
    CHECK(c_first == first_c_round);
  }
}
