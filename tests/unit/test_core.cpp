// sim::Core in this process with a fake service beside the real training service: the GPU
// pool, parked GPUs' power, the gpus_released wake-up, the service lifecycle and the records
// services emit. doctest cases run each in their own process under ctest (SimGrid's one engine
// per process).
#include <doctest/doctest.h>
#include <simgrid/s4u.hpp>

#include <array>
#include <memory>
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

// Holds GPUs 0-3 from before the run, parks GPUs 2-3, gives all four back at t = 50.
class HoldingService final : public sim::Service {
 public:
  explicit HoldingService(sim::Core& core) {
    core.acquire(gpus_);
    core.gpus_released.connect([this](const void* by) { released_by.push_back(by); });
  }
  void start(sim::Core& core) override {
    core.spawn("holder", [this, &core] {
      const std::vector<int> parked{2, 3};
      core.park(parked);  // held: they stay on
      on_while_held = core.sim().gpu_hosts[2]->is_on();
      simgrid::s4u::this_actor::sleep_for(50);
      core.release(gpus_, this);
      gpu2_on_after_release = core.sim().gpu_hosts[2]->is_on();
      gpu0_on_after_release = core.sim().gpu_hosts[0]->is_on();
    });
  }
  void finish() override { finished = true; }

  bool on_while_held = false;
  bool gpu2_on_after_release = true;
  bool gpu0_on_after_release = false;
  bool finished = false;
  std::vector<const void*> released_by;  // every release, in order

 private:
  std::vector<int> gpus_{0, 1, 2, 3};
};

}  // namespace

// single_node.yaml: one node of 4 V100. The job needs all 4 GPUs for 10 s and is submitted at
// 0, while the fake service holds them: it starts when they come back at 50 (the training
// scheduler is woken by gpus_released) and ends at 60. Parked GPUs power off once free, the
// others stay on; a job on a parked GPU powers it on again.
TEST_CASE("core: a service's released GPUs wake the training scheduler, parked GPUs power off") {
  const auto platform = platform::load_platform_file(SUANLI_FIXTURES "/platforms/single_node.yaml");
  const auto topology = platform::build_topology(platform);
  suanli::testing::TempFile trace("core", "w.csv",
                                  "job_id,submit_time,num_gpus,duration\na,0,4,10\n");
  const auto workload = workload::read_workload(trace.path(), "native", {});
  const auto jobs = perf::prepare_jobs(platform, workload, false, nullptr);

  sim::RunConfig config;
  config.policy = sched::make_policy("fifo");
  config.placement = sched::find_placement("compact")->make();
  config.policy_name = "fifo";
  sim::Core core(platform, topology, sim::ExecModel::flows);
  HoldingService holder(core);
  CHECK(core.allocation().free_in_cluster(0) == 0);
  double end_s = 0;
  const void* training_ptr = nullptr;
  // The records the training service emits, as a recorder would receive them.
  std::vector<report::JobRecord> ended;
  std::vector<report::ClusterState> states;
  core.job_ended.connect([&](const report::JobRecord& job) { ended.push_back(job); });
  core.training_state.connect([&](const report::ClusterState& s) { states.push_back(s); });
  {
    const auto training = sim::make_training_service(core, workload, jobs, config);
    core.add(holder);
    core.add(*training);
    core.run();
    end_s = training->outcome().makespan_s;
    training_ptr = dynamic_cast<const void*>(training.get());  // the object releases as itself
    CHECK(training->outcome().completed == 1);
  }
  CHECK(holder.finished);
  // The holder's release at 50, then the job's at 60 (by the training service).
  REQUIRE(holder.released_by.size() == 2);
  CHECK(holder.released_by[0] == &holder);
  CHECK(holder.released_by[1] == training_ptr);
  CHECK(holder.on_while_held);
  CHECK_FALSE(holder.gpu2_on_after_release);
  CHECK(holder.gpu0_on_after_release);
  CHECK(end_s == doctest::Approx(60));
  // The job took the parked GPUs too (powered on) and, when it ended, they went off again.
  CHECK_FALSE(core.sim().gpu_hosts[2]->is_on());
  CHECK(core.sim().gpu_hosts[1]->is_on());
  CHECK(core.allocation().free_in_cluster(0) == 4);
  REQUIRE(ended.size() == 1);
  CHECK(ended[0].id == "a");
  CHECK(ended[0].start_s == 50);
  CHECK(ended[0].end_s == 60);
  CHECK(ended[0].hosts == "0-3");
  CHECK(ended[0].final_state == "COMPLETED");
  // Its state after each change: the start (nothing submitted), the job queued at 0 (the
  // holder's 4 GPUs count as busy: not free), running at 50, done at 60.
  const std::vector<std::array<double, 4>> expected{
      {0, 0, 0, 4}, {0, 1, 0, 4}, {50, 0, 1, 4}, {60, 0, 0, 0}};  // time, queued, running, busy
  REQUIRE(states.size() == expected.size());
  for (std::size_t i = 0; i < states.size(); ++i) {
    CAPTURE(i);
    CHECK(states[i].time_s == expected[i][0]);
    CHECK(states[i].queued_jobs == expected[i][1]);
    CHECK(states[i].running_jobs == expected[i][2]);
    CHECK(states[i].busy_gpus == expected[i][3]);
    CHECK(states[i].total_gpus == 4);
  }
  CHECK(states.back().time_s == 60);
  CHECK(states.back().busy_gpus == 0);
  CHECK(states.back().running_jobs == 0);
  CHECK(std::any_of(states.begin(), states.end(), [](const report::ClusterState& s) {
    return s.time_s == 50 && s.busy_gpus == 4 && s.running_jobs == 1;
  }));
}

// An exception in any service's actor stops the run and comes out of Core::run.
TEST_CASE("core: an exception in an actor is rethrown by run") {
  const auto platform = platform::load_platform_file(SUANLI_FIXTURES "/platforms/single_node.yaml");
  const auto topology = platform::build_topology(platform);
  struct Throwing final : sim::Service {
    void start(sim::Core& core) override {
      core.spawn("thrower", [] {
        simgrid::s4u::this_actor::sleep_for(1);
        throw std::runtime_error("boom");
      });
      core.spawn("sleeper", [this] {
        simgrid::s4u::this_actor::sleep_for(100);
        woke = true;
      });
    }
    void finish() override { finished = true; }
    bool woke = false;
    bool finished = false;
  } service;
  sim::Core core(platform, topology, sim::ExecModel::flows);
  core.add(service);
  CHECK_THROWS_WITH_AS(core.run(), "boom", std::runtime_error);
  CHECK_FALSE(service.woke);
  CHECK_FALSE(service.finished);
}
