// sim::Core in this process with a fake service beside the real training service: the GPU
// pool, parked GPUs' power, the gpus_released wake-up and the service lifecycle. doctest
// cases run each in their own process under ctest (SimGrid's one engine per process).
#include <doctest/doctest.h>
#include <simgrid/s4u.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "suanli/perf/prepared_job.hpp"
#include "suanli/platform/platform_loader.hpp"
#include "suanli/report/recorder.hpp"
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
  const auto out = std::filesystem::temp_directory_path() / ("core_" + std::to_string(::getpid()));
  std::filesystem::create_directories(out);

  sim::RunConfig config;
  config.policy = sched::find_policy("fifo")->make();
  config.placement = sched::find_placement("compact")->make();
  config.policy_name = "fifo";
  sim::Core core(platform, topology, sim::ExecModel::flows);
  HoldingService holder(core);
  CHECK(core.allocation().free_in_cluster(0) == 0);
  double end_s = 0;
  const void* training_ptr = nullptr;
  {
    report::Recorder recorder(out.string(), 0);
    const auto training = sim::make_training_service(core, workload, jobs, config, recorder);
    core.add(holder);
    core.add(*training);
    core.run();
    end_s = training->outcome().makespan_s;
    training_ptr = dynamic_cast<const void*>(training.get());  // the object releases as itself
    CHECK(training->outcome().completed == 1);
    recorder.finish({});
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
  std::ifstream in(out / "jobs.csv");
  std::string header, row;
  std::getline(in, header);
  std::getline(in, row);
  CHECK(row.rfind("a,0,50,60,", 0) == 0);
  std::filesystem::remove_all(out);
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
