#pragma once
// Runs one simulation in this process (SimGrid's engine is a process-wide singleton: one run
// per process; `compare` forks a child per policy).
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "suanli/energy/accountant.hpp"
#include "suanli/perf/prepared_job.hpp"
#include "suanli/platform/platform.hpp"
#include "suanli/platform/topology.hpp"
#include "suanli/report/recorder.hpp"
#include "suanli/sim/simgrid_platform.hpp"
#include "suanli/sim/simgrid_session.hpp"
#include "suanli/workload/job.hpp"

namespace suanli::sched {
class Policy;
class Placement;
}  // namespace suanli::sched

namespace suanli::sim {

// How a run schedules and executes jobs. The engine is handed the policy and placement
// objects (from the registries, or any other, e.g. a test's fake) and knows no policy by
// name; `policy_name` is for messages only.
struct RunConfig {
  std::shared_ptr<sched::Policy> policy;
  std::shared_ptr<sched::Placement> placement;
  std::string policy_name;
  // Each job runs as phases of about this many seconds of work on its GPUs; 0 = one phase.
  double phase_seconds = 0;
  sim::ExecModel exec_model = sim::ExecModel::flows;
  std::uint64_t seed = 0;
  bool progress = false;  // a live progress line on stderr
};

struct RunOutcome {
  double makespan_s = 0;
  double gpu_energy_j = 0;  // consumed by all GPU hosts over [0, makespan]
  int completed = 0;
};

RunOutcome run_simulation(const platform::Platform& platform, const platform::Topology& topology,
                          const workload::Workload& workload,
                          const std::vector<perf::PreparedJob>& jobs, const RunConfig& config,
                          report::Recorder& recorder);

// The training side of a run that shares its SimGrid engine with something else (serving
// replicas, sim/serving_engine.hpp): start() creates its actors, the caller runs the engine,
// finish() checks and returns the outcome.
class TrainingRun {
 public:
  virtual ~TrainingRun() = default;
  virtual void start() = 0;
  virtual RunOutcome finish() = 0;
};

// `accountant`: the run's one energy accountant, shared with the rest of the simulation.
// `reserved_gpus` are held by others for the whole run: jobs get the rest. Throws InputError
// for a job larger than what is left of every cluster it may use.
std::unique_ptr<TrainingRun> make_training_run(
    const platform::Platform& platform, const platform::Topology& topology,
    const workload::Workload& workload, const std::vector<perf::PreparedJob>& jobs,
    const RunConfig& config, report::Recorder& recorder, const sim::SimPlatform& sim,
    energy::Accountant& accountant, std::span<const int> reserved_gpus);

}  // namespace suanli::sim
