// The engine run in this process with a policy object it does not know by name: a fake LIFO
// policy (not in the registry) decides, and the schedule follows it. doctest cases run each
// in their own process under ctest, so SimGrid's one engine per process is respected.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <vector>

#include "suanli/perf/prepared_job.hpp"
#include "suanli/platform/platform_loader.hpp"
#include "suanli/report/recorder.hpp"
#include "suanli/sched/allocation.hpp"
#include "suanli/sched/policy.hpp"
#include "suanli/sim/scenario.hpp"
#include "suanli/workload/trace_format.hpp"
#include "test_support.hpp"

namespace {

using namespace suanli;

// Last submitted, first started; a job that does not fit holds back the older ones.
class LifoPolicy final : public sched::Policy {
 public:
  void submit(const sched::QueuedJob& job) override { stack_.push_back(job); }
  std::vector<sched::Decision> schedule(const sched::ClusterView& view) override {
    ++calls;
    std::vector<sched::Decision> out;
    int free = view.clusters()[0].free_gpus;
    while (!stack_.empty() && stack_.back().gpus <= free) {
      free -= stack_.back().gpus;
      out.push_back({stack_.back().index, 0});
      stack_.pop_back();
    }
    return out;
  }
  std::size_t queued() const override { return stack_.size(); }
  int calls = 0;

 private:
  std::vector<sched::QueuedJob> stack_;
};

}  // namespace

// single_node.yaml: one node of 4 V100. Jobs a (100 s), b (10 s), c (50 s), all 4 GPUs, all
// submitted at 0 in that order. LIFO starts c at 0 (ends 50), then b at 50 (ends 60), then a
// at 60 (ends 160); FIFO would have started a first.
TEST_CASE("engine: runs in process with a policy object handed to it") {
  const auto platform = platform::load_platform_file(SUANLI_FIXTURES "/platforms/single_node.yaml");
  const auto topology = platform::build_topology(platform);
  suanli::testing::TempFile trace("engine_in_process", "w.csv",
                                  "job_id,submit_time,num_gpus,duration\n"
                                  "a,0,4,100\nb,0,4,10\nc,0,4,50\n");
  const auto workload = workload::read_workload(trace.path(), "native", {});
  const auto jobs = perf::prepare_jobs(platform, workload, false, nullptr);
  const auto out =
      std::filesystem::temp_directory_path() / ("engine_in_process_" + std::to_string(::getpid()));
  std::filesystem::create_directories(out);

  auto policy = std::make_shared<LifoPolicy>();
  sim::RunConfig config;
  config.policy = policy;
  config.placement = sched::find_placement("compact")->make();
  config.policy_name = "lifo (test)";
  sim::RunOutcome outcome;
  {
    report::Recorder recorder(out.string(), 0);
    sim::Scenario scenario;
    scenario.platform = &platform;
    scenario.topology = &topology;
    scenario.workload = &workload;
    scenario.jobs = &jobs;
    scenario.training = config;
    outcome = *sim::run_scenario(scenario, {.training = &recorder}).training;
    recorder.finish({});
  }
  CHECK(outcome.completed == 3);
  CHECK(outcome.makespan_s == doctest::Approx(160));
  CHECK(policy->calls >= 3);

  std::map<std::string, std::pair<double, double>> times;  // job -> (start, end)
  std::ifstream in(out / "jobs.csv");
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::vector<std::string> f;
    for (std::string cell; std::getline(row, cell, ',');) f.push_back(cell);
    REQUIRE(f.size() >= 4);
    times[f[0]] = {std::stod(f[2]), std::stod(f[3])};
  }
  std::filesystem::remove_all(out);
  CHECK(times["c"].first == doctest::Approx(0));
  CHECK(times["c"].second == doctest::Approx(50));
  CHECK(times["b"].first == doctest::Approx(50));
  CHECK(times["a"].first == doctest::Approx(60));
  CHECK(times["a"].second == doctest::Approx(160));
}
