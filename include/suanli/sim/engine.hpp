#pragma once
// Runs one simulation in this process (SimGrid's engine is a process-wide singleton: one run
// per process; `compare` forks a child per policy).
#include <cstdint>
#include <string>
#include <vector>

#include "suanli/perf/prepared_job.hpp"
#include "suanli/platform/platform.hpp"
#include "suanli/platform/simgrid_session.hpp"
#include "suanli/platform/topology.hpp"
#include "suanli/report/recorder.hpp"
#include "suanli/workload/job.hpp"

namespace suanli::sim {

struct RunConfig {
  std::string policy = "fifo";
  std::string placement = "compact";
  // Each job runs as phases of about this many seconds of work on its GPUs; 0 = one phase.
  double phase_seconds = 0;
  platform::ExecModel exec_model = platform::ExecModel::flows;
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

}  // namespace suanli::sim
