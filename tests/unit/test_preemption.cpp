// Preemption and rounds in the engine, in this process with a scripted policy: a job
// suspended keeps exactly the work it has done (SimGrid's progress of its activities, under
// both execution models, in phases, on a share of a GPU, when its ring is network-bound),
// resumes after the restart cost, and moves its checkpoint over the network when it lands
// on other GPUs. doctest cases run each in their own process under ctest (one SimGrid engine
// per process).
#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "suanli/perf/prepared_job.hpp"
#include "suanli/platform/platform_loader.hpp"
#include "suanli/report/records.hpp"
#include "suanli/sched/allocation.hpp"
#include "suanli/sched/policy.hpp"
#include "suanli/sim/core.hpp"
#include "suanli/sim/training_service.hpp"
#include "suanli/workload/trace_format.hpp"
#include "test_support.hpp"

namespace {

using namespace suanli;
using sched::JobIndex;

// Plays a script: at each call, every step whose time has come, in order. Each step preempts
// and starts the jobs it names (on cluster 0). What the view says of every job's service is
// kept at each step, for the checks.
class ScriptedPolicy final : public sched::Policy {
 public:
  struct Step {
    double at_s;
    std::vector<JobIndex> preempt;
    std::vector<JobIndex> start;
  };
  explicit ScriptedPolicy(std::vector<Step> steps) : steps_(std::move(steps)) {}

  void submit(const sched::QueuedJob& job) override { waiting_.push_back(job.index); }
  sched::Plan plan(const sched::ClusterView& view) override {
    sched::Plan plan;
    while (next_ < steps_.size() && steps_[next_].at_s <= view.now()) {
      const Step& step = steps_[next_++];
      for (JobIndex j = 0; j < 3; ++j) seen[{step.at_s, j}] = {view.service(j), view.work_done(j)};
      plan.preempt.insert(plan.preempt.end(), step.preempt.begin(), step.preempt.end());
      for (JobIndex j : step.start) plan.start.push_back({j, 0});
    }
    return plan;
  }
  std::size_t queued() const override { return 0; }

  struct Seen {
    sched::Service service;
    double done = 0;
  };
  std::map<std::pair<double, JobIndex>, Seen> seen;  // (step time, job) -> what it saw

 private:
  std::vector<Step> steps_;
  std::size_t next_ = 0;
  std::vector<JobIndex> waiting_;
};

// Runs `trace` on `platform_file` under the script; returns each job's record by id.
std::map<std::string, report::JobRecord> run_script(const std::string& platform_file,
                                                    const std::string& trace,
                                                    std::shared_ptr<ScriptedPolicy> policy,
                                                    sim::ExecModel model, double round_s,
                                                    double preempt_cost_s,
                                                    double phase_seconds = 0) {
  const auto platform = platform::load_platform_file(platform_file);
  const auto topology = platform::build_topology(platform);
  suanli::testing::TempFile file("preemption", "w.csv", trace);
  const auto workload = workload::read_workload(file.path(), "native", {});
  const auto jobs = perf::prepare_jobs(platform, workload, false, nullptr);
  sim::RunConfig config;
  config.policy = policy;
  config.placement = sched::find_placement("compact")->make();
  config.policy_name = "script (test)";
  config.round_seconds = round_s;
  config.preempt_cost_s = preempt_cost_s;
  config.phase_seconds = phase_seconds;
  sim::Core core(platform, topology, model);
  std::map<std::string, report::JobRecord> records;
  core.job_ended.connect([&](const report::JobRecord& r) { records[std::string(r.id)] = r; });
  const auto training = sim::make_training_service(core, workload, jobs, config);
  core.add(*training);
  core.run();
  REQUIRE(training->outcome().completed == int(workload.jobs.size()));
  for (auto& [id, r] : records) r.id = r.gpu_type = {};  // they point into the workload
  return records;
}

constexpr const char* kOneNode = SUANLI_FIXTURES "/platforms/single_node.yaml";
// V100 (the device catalog): 125 TFLOP/s, 40 W idle, 300 W TDP. Busy: a duration job's compute
// share is the default MFU over the V100's compute efficiency, 0.4 / 0.7 = 0.571, whose power
// state is share 0.55 (steps of 0.05); the curve there is 0.98 + 0.02 x (0.55 - 0.35) / 0.65
// = 0.98615 of the way from idle to TDP (docs/model.md): 40 + 0.98615 x 260 = 296.4 W.
constexpr double kBusyW = 296.4, kIdleW = 40;

// single_node.yaml: 4 V100. Job a (4 GPUs, 100 s) starts at 0, is preempted at the round at
// 40 (40 s done: 0.4 of its work) and started again at the round at 80; it restores for 5 s
// (--preempt-cost-s), then runs its 60 s left: it ends at 80 + 5 + 60 = 145. Its record:
// first start 0, one preemption, 5 s lost, attained 4 x (40 + 65) = 420 GPU-s, ran 105 s;
// energy 4 GPUs x (100 s x 296.4 W + 5 s x 40 W idle while restoring) = 119,360 J.
void check_preempted_and_resumed(sim::ExecModel model, double phase_seconds) {
  auto policy = std::make_shared<ScriptedPolicy>(
      std::vector<ScriptedPolicy::Step>{{0, {}, {0}}, {40, {0}, {}}, {80, {}, {0}}});
  const auto jobs = run_script(kOneNode, "job_id,submit_time,num_gpus,duration\na,0,4,100\n",
                               policy, model, 40, 5, phase_seconds);
  const auto& a = jobs.at("a");
  CHECK(a.start_s == 0);
  CHECK(a.end_s == doctest::Approx(145));
  CHECK(a.preemptions == 1);
  CHECK(a.lost_work_s == doctest::Approx(5));
  CHECK(a.attained_gpu_s == doctest::Approx(420));
  CHECK(a.ran_s == doctest::Approx(105));
  CHECK(a.energy_j == doctest::Approx(4 * (100 * kBusyW + 5 * kIdleW)));
  // What the policy saw: at 40, before the preemption, 0.4 done, 160 GPU-s; at 80, waiting
  // with the same.
  const auto at40 = policy->seen.at({40, 0});
  CHECK(at40.service.running);
  CHECK(at40.done == doctest::Approx(0.4));
  CHECK(at40.service.attained_gpu_s == doctest::Approx(160));
  const auto at80 = policy->seen.at({80, 0});
  CHECK_FALSE(at80.service.running);
  CHECK(at80.done == doctest::Approx(0.4));
  CHECK(at80.service.attained_gpu_s == doctest::Approx(160));
  CHECK(at80.service.preemptions == 1);
  CHECK(at80.service.first_start_s == 0);
}

}  // namespace

TEST_CASE("preemption: a job keeps its work and resumes after the restart cost (flows)") {
  check_preempted_and_resumed(sim::ExecModel::flows, 0);
}

TEST_CASE("preemption: the same under ptask (a parallel task's remaining ratio)") {
  check_preempted_and_resumed(sim::ExecModel::ptask, 0);
}

// --phase-seconds 30: a 100 s job runs as 4 phases of 25 s; at 40 one phase is done and the
// second is 15/25 done: (1 + 0.6) / 4 = 0.4 of the work, as without phases.
TEST_CASE("preemption: the work done counts whole phases and part of the current one") {
  check_preempted_and_resumed(sim::ExecModel::flows, 30);
}

// Half a V100 (gpu_milli 500) for 100 s: preempted at 40 (0.4 done), resumed at 80 without
// cost, it ends at 80 + 60 = 140; attained 0.5 x (40 + 60) = 50 GPU-s. Under ptask the
// engine times a share by hand.
namespace {
void check_share_resumed(sim::ExecModel model) {
  auto policy = std::make_shared<ScriptedPolicy>(
      std::vector<ScriptedPolicy::Step>{{0, {}, {0}}, {40, {0}, {}}, {80, {}, {0}}});
  const auto jobs =
      run_script(kOneNode, "job_id,submit_time,num_gpus,duration,gpu_milli\na,0,1,100,500\n",
                 policy, model, 40, 0);
  CHECK(jobs.at("a").end_s == doctest::Approx(140));
  CHECK(jobs.at("a").attained_gpu_s == doctest::Approx(50));
  CHECK(jobs.at("a").lost_work_s == 0);
}
}  // namespace

TEST_CASE("preemption: a share of a GPU resumes with its work left") {
  check_share_resumed(sim::ExecModel::flows);
}

TEST_CASE("preemption: a share of a GPU under ptask") {
  check_share_resumed(sim::ExecModel::ptask);
}

namespace {

// Two nodes of one V100 each behind a star switch, NICs of 8 Gbit/s (1e9 B/s) without
// latency; the V100's NVLink (300 GB/s, 1 us) is each GPU's link to its NIC.
const std::string kTwoNodes =
    "sites:\n"
    "  - name: lab\n"
    "    clusters:\n"
    "      - name: pair\n"
    "        nodes: 2\n"
    "        node:\n"
    "          gpu: {model: v100, count: 1}\n"
    "          nic: {bandwidth: 8Gbps, latency: 0s}\n"
    "        fabric: {type: star}\n";

}  // namespace

// A job whose ring is network-bound: 2 GPUs on two nodes, 1e9 parameters, 2e6 tokens at MFU
// 0.48 in steps of 2e4 tokens. Compute: 6 x 1e9 x 2e6 / (2 x 0.48) = 1.25e16 FLOPs per GPU,
// 100 s at 125 TFLOP/s. Ring: 100 steps x 2 (n-1)/n x 2 bytes x 1e9 = 2e11 bytes per GPU,
// each edge alone on its NIC direction (split duplex): 200 s. Preempted at 50, the ring is a
// quarter done and the compute half: the job has done the least of the two, 0.25. Resumed at
// 100 on the same GPUs, it has 0.75 of each left, 150 s of ring: it ends at 250 (a rule that
// counted compute alone would end it at 200).
TEST_CASE("preemption: a network-bound job keeps the work its slowest part has done") {
  suanli::testing::TempFile platform("preemption", "pair.yaml", kTwoNodes);
  auto policy = std::make_shared<ScriptedPolicy>(
      std::vector<ScriptedPolicy::Step>{{0, {}, {0}}, {50, {0}, {}}, {100, {}, {0}}});
  const auto jobs = run_script(
      platform.path(),
      "job_id,submit_time,num_gpus,params,tokens,mfu,batch_tokens\nj,0,2,1e9,2e6,0.48,2e4\n",
      policy, sim::ExecModel::flows, 50, 0);
  CHECK(policy->seen.at({50, 0}).done == doctest::Approx(0.25).epsilon(1e-6));
  CHECK(jobs.at("j").end_s == doctest::Approx(250).epsilon(1e-6));
}

// One job j (1 GPU, 1e9 parameters, 1.2e6 tokens at MFU 0.48: 6 x 1e9 x 1.2e6 / 0.48 =
// 1.5e16 FLOPs, 120 s on a V100) starts on GPU 0 at 0. At 60 k (1 GPU, 30 s) arrives; the
// script preempts j and starts k, then j: k takes GPU 0 (compact placement, lowest first), j
// moves to GPU 1. Its checkpoint, 16 bytes a parameter (16e9 bytes), crosses the NICs at
// 1e9 B/s: 16 s (plus 2 us of NVLink latency); then its 60 s left: it ends at 136.
TEST_CASE("preemption: a job that moves sends its checkpoint over the network") {
  suanli::testing::TempFile platform("preemption", "pair.yaml", kTwoNodes);
  auto policy = std::make_shared<ScriptedPolicy>(
      std::vector<ScriptedPolicy::Step>{{0, {}, {0}}, {60, {0}, {1, 0}}});
  const auto jobs = run_script(platform.path(),
                               "job_id,submit_time,num_gpus,duration,params,tokens,mfu\n"
                               "j,0,1,,1e9,1.2e6,0.48\nk,60,1,30,,,\n",
                               policy, sim::ExecModel::flows, 0, 0);
  const auto& j = jobs.at("j");
  CHECK(j.hosts == "1");
  CHECK(j.preemptions == 1);
  CHECK(j.lost_work_s == doctest::Approx(16).epsilon(1e-6));
  CHECK(j.end_s == doctest::Approx(136).epsilon(1e-6));
  CHECK(jobs.at("k").end_s == doctest::Approx(90));
}
