// The preemptive policies through the real binary: hand-derived cases, and the cross-check
// against the public Tiresias simulator on its own 60-job trace (when /work/shared is there;
// docs/results.md has the commands that made the reference figures).
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "run_binary.hpp"

namespace {

nlohmann::json summary_of(const std::string& out) {
  return nlohmann::json::parse(e2e::read_file(out + "/summary.json"));
}

// A fresh directory `name` holding the trace w.csv with `text`; returns the directory.
std::string with_trace(const std::string& name, const std::string& text) {
  const auto dir = e2e::fresh_dir(name);
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/w.csv") << text;
  return dir;
}

// Runs `policy` on `workload` (single_node.yaml: 4 V100) with extra arguments.
e2e::Result run_policy(const std::string& out, const std::string& workload,
                       const std::string& policy, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{
      "run",        "-q",     "--platform", e2e::fixture("platforms/single_node.yaml"),
      "--workload", workload, "--policy",   policy,
      "--out",      out};
  args.insert(args.end(), extra.begin(), extra.end());
  return e2e::run_suanli(args);
}

// Runs `policy` on a trace of `text` in a fresh directory `name` (its run in name/out): the
// rows of jobs.csv by job id.
std::map<std::string, e2e::Row> jobs_of(const std::string& name, const std::string& text,
                                        const std::string& policy,
                                        std::vector<std::string> extra = {}) {
  const auto dir = with_trace(name, text);
  const auto r = run_policy(dir + "/out", dir + "/w.csv", policy, std::move(extra));
  REQUIRE_MESSAGE(r.status == 0, r.err);
  return e2e::read_jobs(dir + "/out");
}

}  // namespace

// 4 V100. a: 4 GPUs, 100 s, at 0; b: 4 GPUs, 20 s, at 10. SRTF at 10: a has 90 s left, b 20:
// a is preempted, b runs 10-30, a resumes at 30 with 90 s left and ends at 120. (FIFO: a
// 0-100, b 100-120.) a: one preemption, 4 x 100 = 400 GPU-s attained; mean JCT (120 + 20)/2.
TEST_CASE("srtf: a short arrival preempts a long running job, which resumes where it was") {
  const auto dir =
      with_trace("srtf-preempt", "job_id,submit_time,num_gpus,duration\na,0,4,100\nb,10,4,20\n");
  const std::string trace = dir + "/w.csv";
  const auto r = run_policy(dir + "/out", trace, "srtf");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  auto jobs = e2e::read_jobs(dir + "/out");
  CHECK(e2e::num(jobs["a"], "start_time") == 0);
  CHECK(e2e::num(jobs["a"], "end_time") == doctest::Approx(120));
  CHECK(e2e::num(jobs["a"], "preemptions") == 1);
  CHECK(e2e::num(jobs["a"], "attained_gpu_s") == doctest::Approx(400));
  CHECK(e2e::num(jobs["b"], "start_time") == 10);
  CHECK(e2e::num(jobs["b"], "end_time") == doctest::Approx(30));
  CHECK(e2e::num(jobs["b"], "preemptions") == 0);
  const auto s = summary_of(dir + "/out");
  CHECK(s["mean_jct_s"].get<double>() == doctest::Approx(70));
  CHECK(s["preemptions"] == 1);
  CHECK(s["lost_gpu_hours"].get<double>() == 0);
}

// tiresias with one limit of 100 GPU-seconds (two queues), --preempt-cost-s 5. a: 4 GPUs,
// 100 s, at 0, in queue 0; the policy asks to be woken at 0 + floor(100 / 4) = 25, when a has
// 100 GPU-s and moves to queue 1. b: 4 GPUs, 10 s, at 50, enters queue 0 and preempts a. b
// runs 50-60; a resumes at 60, restores 5 s, runs its 50 s left and ends at 115. a lost 5 s
// (4 x 5 = 20 GPU-s), attained 4 x (50 + 55) = 420 GPU-s.
TEST_CASE("tiresias: a job moves down a queue at its limit and a newcomer preempts it") {
  const auto dir =
      with_trace("tiresias-demote", "job_id,submit_time,num_gpus,duration\na,0,4,100\nb,50,4,10\n");
  const std::string trace = dir + "/w.csv";
  const auto r = run_policy(dir + "/out", trace, "tiresias",
                            {"--policy-param", "thresholds=100", "--preempt-cost-s", "5"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  auto jobs = e2e::read_jobs(dir + "/out");
  CHECK(e2e::num(jobs["b"], "start_time") == 50);
  CHECK(e2e::num(jobs["b"], "end_time") == doctest::Approx(60));
  CHECK(e2e::num(jobs["a"], "end_time") == doctest::Approx(115));
  CHECK(e2e::num(jobs["a"], "preemptions") == 1);
  CHECK(e2e::num(jobs["a"], "lost_work_s") == doctest::Approx(5));
  CHECK(e2e::num(jobs["a"], "attained_gpu_s") == doctest::Approx(420));
  CHECK(summary_of(dir + "/out")["lost_gpu_hours"].get<double>() == doctest::Approx(20 / 3600.0));
  // Without the limit reached (the default limits: 3,250 GPU-s), b waits for a: FIFO order.
  const auto d = run_policy(dir + "/default", trace, "tiresias");
  REQUIRE(d.status == 0);
  CHECK(e2e::num(e2e::read_jobs(dir + "/default")["b"], "start_time") == doctest::Approx(100));
}

// themis with leases of 100 s (--round-seconds 100) on 4 V100. a: 4 GPUs, 1,000 s, at 0,
// runs alone; b: 4 GPUs, 100 s, at 10, waits (no preemption between rounds). At the round at
// 100: N = 2 jobs share 4 GPUs, a 1/N share is 2 GPUs, so each job's ideal time is twice its
// run time alone. a: 0.1 done, 900 s left, rho = (100 + 900) / (2 x 1000) = 0.5; b: rho =
// (90 + 100) / (2 x 100) = 0.95, the worse: b takes the GPUs (100-200), a is preempted and
// resumes at b's end with its 900 s left: it ends at 1,100.
TEST_CASE("themis: at a round the worst finish-time fairness gets the lease") {
  auto jobs =
      jobs_of("themis-lease", "job_id,submit_time,num_gpus,duration\na,0,4,1000\nb,10,4,100\n",
              "themis", {"--round-seconds", "100"});
  CHECK(e2e::num(jobs["b"], "start_time") == 100);
  CHECK(e2e::num(jobs["b"], "end_time") == doctest::Approx(200));
  CHECK(e2e::num(jobs["a"], "end_time") == doctest::Approx(1100));
  CHECK(e2e::num(jobs["a"], "preemptions") == 1);
}

// qssf learns run times from the jobs that complete; 4 V100, every job takes all 4 GPUs.
// a (user u1, type train, 100 s) and d (u2, other, 20 s) at 0: nothing has completed, both
// are predicted 1 s x 4 GPUs, a goes first (0-100), then d (100-120). x (u3, blocker, 25 s)
// at 100 waits for d, then runs 120-145. b (u1, train, 30 s) at 105 is predicted like a:
// 100 s x 4 = 400 GPU-s; c (u2, other, 60 s) at 125, after d completed, like d: 20 x 4 = 80.
// When x ends at 145, c goes first (145-205), then b (205-235); FIFO would run b at 145.
TEST_CASE("qssf: jobs are ordered by the GPU-time their history predicts") {
  auto jobs = jobs_of("qssf-history",
                      "job_id,submit_time,num_gpus,duration,user,job_type\n"
                      "a,0,4,100,u1,train\nd,0,4,20,u2,other\nx,100,4,25,u3,blocker\n"
                      "b,105,4,30,u1,train\nc,125,4,60,u2,other\n",
                      "qssf");
  CHECK(e2e::num(jobs["d"], "start_time") == 100);
  CHECK(e2e::num(jobs["x"], "start_time") == 120);
  CHECK(e2e::num(jobs["c"], "start_time") == 145);
  CHECK(e2e::num(jobs["b"], "start_time") == 205);
}

// The policy-suite metrics of summary.json, on 4 V100 under fifo: a (user u1, 3 GPUs, 100 s)
// and b (u2, 2 GPUs, 50 s) at 0. a runs 0-100; b waits while 1 GPU is idle, which cannot
// serve it; b runs 100-150.
//   fragmentation = 1 GPU x 100 s / (4 GPUs x 150 s) = 1/6;
//   allocation_rate (while a job waits, [0, 100]) = 3 x 100 / (4 x 100) = 0.75;
//   jain_fairness over the users' GPU-seconds 300 and 100 = 400^2 / (2 x (300^2 + 100^2)) = 0.8;
//   finish-time fairness rho = JCT / (run time x max(1, GPUs x N / 4)), N the mean number of
//   active jobs over the job's life: a: N = 2, 100 / (100 x 1.5) = 2/3; b: N = (2 x 100 +
//   1 x 50) / 150 = 5/3, 2 x 5/3 / 4 < 1, so 150 / 50 = 3: mean 11/6, max 3.
TEST_CASE("summary.json: fragmentation, allocation rate, Jain's fairness, finish-time fairness") {
  const auto dir = with_trace(
      "suite-metrics", "job_id,submit_time,num_gpus,duration,user\na,0,3,100,u1\nb,0,2,50,u2\n");
  const auto r = run_policy(dir + "/out", dir + "/w.csv", "fifo");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const auto s = summary_of(dir + "/out");
  CHECK(s["fragmentation"].get<double>() == doctest::Approx(1.0 / 6));
  CHECK(s["allocation_rate"].get<double>() == doctest::Approx(0.75));
  CHECK(s["jain_fairness"].get<double>() == doctest::Approx(0.8));
  CHECK(s["mean_ftf_rho"].get<double>() == doctest::Approx(11.0 / 6));
  CHECK(s["max_ftf_rho"].get<double>() == doctest::Approx(3));
  CHECK(s["decision_wall_s"].get<double>() >= 0);
  CHECK(s["decision_p99_ms"].get<double>() >= 0);
}

TEST_CASE("policy parameters and round options are checked before anything runs") {
  const auto dir = e2e::fresh_dir("policy-param-errors");
  const std::string trace = e2e::fixture("e2e/backfill.csv");
  auto r = run_policy(dir, trace, "tiresias", {"--policy-param", "threshold=100"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--policy-param threshold: policy tiresias has no such key (its keys: "
                   "thresholds, starvation); did you mean 'thresholds'?") != std::string::npos);
  r = run_policy(dir, trace, "tiresias", {"--policy-param", "thresholds=9:3"});
  CHECK(r.status == 2);
  CHECK(r.err.find("the numbers must be ascending") != std::string::npos);
  r = run_policy(dir, trace, "fifo", {"--round-seconds", "-3"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--round-seconds: must be >= 0") != std::string::npos);
  r = run_policy(dir, trace, "fifo", {"--preempt-cost-s", "inf"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--preempt-cost-s: must be >= 0") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir));
  // compare: a key belongs to some policy compared, and applies to those declaring it.
  r = e2e::run_suanli({"compare", "-q", "--platform", e2e::fixture("platforms/single_node.yaml"),
                       "--workload", trace, "--policies", "fifo,easy", "--policy-param",
                       "thresholds=100", "--out", dir});
  CHECK(r.status == 2);
  CHECK(r.err.find("--policy-param thresholds: no policy compared has such a key (fifo: "
                   "(none); easy: (none))") != std::string::npos);
}

// The public Tiresias simulator (SymbioticLab/Tiresias simulator/, run as docs/results.md
// says) on its 60_job.csv with 1 switch x 2 nodes x 4 GPUs, --scheme=count: fifo mean JCT
// 1,556.483 s, makespan 5,747 s; dlas-gpu 715.267 s, 4,806 s, no preemption (no job reaches
// 3,250 GPU-s); dlas-gpu with its queue limits set to 500 and 2,000 GPU-s (jobs.py:104):
// 839.817 s, 4,880 s, 14 preemptions. The trace's times are whole seconds and its jobs do not
// communicate, so suanli must give the same figures.
TEST_CASE("tiresias and fifo reproduce the public Tiresias simulator on its 60-job trace") {
  const std::string trace = "/work/shared/traces/tiresias_sim/60_job.csv";
  if (!std::filesystem::exists(trace)) return;
  struct Case {
    std::string policy;
    std::vector<std::string> extra;
    double mean_jct, makespan;
    int preemptions;
  };
  for (const Case& c :
       {Case{"fifo", {}, 1556.483, 5747, 0}, Case{"tiresias", {}, 715.267, 4806, 0},
        Case{"tiresias", {"--policy-param", "thresholds=500:2000"}, 839.817, 4880, 14}}) {
    CAPTURE(c.policy);
    const auto out = e2e::fresh_dir("tiresias-60-" + c.policy + std::to_string(c.extra.size()));
    std::vector<std::string> args{
        "run",        "-q",  "--platform", e2e::fixture("e2e/tiresias_2x4.yaml"),
        "--workload", trace, "--policy",   c.policy,
        "--out",      out};
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    const auto r = e2e::run_suanli(args);
    REQUIRE_MESSAGE(r.status == 0, r.err);
    const auto s = summary_of(out);
    CHECK(s["mean_jct_s"].get<double>() == doctest::Approx(c.mean_jct).epsilon(1e-6));
    CHECK(s["makespan_s"].get<double>() == doctest::Approx(c.makespan));
    CHECK(s["preemptions"] == c.preemptions);
  }
}

// gavel on tests/fixtures/e2e/gavel_v100_k80.yaml: one V100, one K80 (k = 4.365 / 125 as
// fast, the peak ratio). a: 1 GPU, 600 s, V100 only; b: 1 GPU, 600 s, any GPU; both at 0.
// The LP (equal shares: a (1 + 0) / 2, b (1 + k) / 2): na = 2 aV, nb = 2 (bV + k bK) / (1 + k),
// aV + bV <= 1, bV + bK <= 1. t >= 1 needs aV >= 1/2 and bV >= 1/2, so aV = bV = bK = 1/2,
// t = 1 (unique). Rounds every 360 s, V100 first (the faster pool):
//   0:    equal priorities 2 x 1/2 on the V100, a (first) takes it, b the K80.
//   360:  V100 time a 180 + 360, b 180 of 720: priorities 2/3 and 2, b moves to the V100;
//         a may not use the K80 and waits (the K80 idles, as in Gavel).
//   720:  V100 time equal (540 each): a again, b back to the K80 (priority 1/2 / (540 / 720)).
//   960:  a ends (360 + 240 s on the V100). Between rounds b stays on the K80.
//   1080: re-solved for b alone, x_bV = 1: b moves to the V100 with 600 - 360 - 720 k s left.
TEST_CASE("gavel: two jobs share a V100 round by round, one of them also a K80") {
  const auto dir = e2e::fresh_dir("gavel-rounds");
  std::filesystem::create_directories(dir);
  const std::string trace = dir + "/w.csv";
  {
    std::ofstream(trace) << "job_id,submit_time,num_gpus,duration,gpu_type\n"
                            "a,0,1,600,V100\nb,0,1,600,\n";
  }
  const auto r =
      e2e::run_suanli({"run", "-q", "--platform", e2e::fixture("e2e/gavel_v100_k80.yaml"),
                       "--workload", trace, "--policy", "gavel", "--out", dir + "/out"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  auto jobs = e2e::read_jobs(dir + "/out");
  const double k = 4.365 / 125;
  CHECK(e2e::num(jobs["a"], "start_time") == 0);
  CHECK(e2e::num(jobs["a"], "end_time") == doctest::Approx(960));
  CHECK(e2e::num(jobs["a"], "preemptions") == 1);
  CHECK(e2e::num(jobs["b"], "start_time") == 0);
  CHECK(e2e::num(jobs["b"], "end_time") == doctest::Approx(1080 + 600 - 360 - 720 * k));
  CHECK(jobs["b"].at("gpu_type") == "V100");
}

// Alibaba's openb gpushare20 pod list (7,312 pods, shares and CPU-only pods) on its own node
// list, all arriving within 13 ms (workload scale --time-factor 1e-9), under las: pods start
// pass after pass at nearly one instant while the policy reads every running job's progress.
// Reading an activity's remaining work is a simcall, during which the job actors ran and
// grew their activity lists: the engine read freed memory and crashed (fixed by reading a
// copy). The run must complete every pod.
TEST_CASE("las on the real openb pod list at saturation completes (when /work/shared is there)") {
  const std::string root = "/work/shared/traces/alibaba_gpu_v2023/";
  if (!std::filesystem::exists(root + "openb_pod_list_gpushare20.csv")) return;
  const auto dir = e2e::fresh_dir("openb-las");
  std::filesystem::create_directories(dir);
  auto r = e2e::run_suanli({"workload", "scale", root + "openb_pod_list_gpushare20.csv",
                            "--time-factor", "1e-9", "-o", dir + "/pods.csv"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  r = e2e::run_suanli({"run", "-q", "--platform", root + "openb_node_list_gpu_node.csv",
                       "--workload", dir + "/pods.csv", "--policy", "las", "--out", dir + "/out"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(summary_of(dir + "/out")["jobs_completed"] == 7312);
}
