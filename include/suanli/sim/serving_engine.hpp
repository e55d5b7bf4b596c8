#pragma once
// Replays an LLM request trace on serving replicas inside the SimGrid platform: each replica
// is a set of GPU hosts serving one model; an actor per replica forms iteration batches
// (serving::ReplicaScheduler over a paged KV cache), times each by the roofline
// (perf::iteration_cost) and runs it as SimGrid executions on its GPUs followed by the
// tensor-parallel all-reduce as SimGrid communications. One run per process.
#include <cstdint>
#include <vector>

#include "suanli/platform/platform.hpp"
#include "suanli/platform/topology.hpp"
#include "suanli/report/serving_recorder.hpp"
#include "suanli/serving/deployment.hpp"
#include "suanli/sim/engine.hpp"
#include "suanli/sim/simgrid_session.hpp"
#include "suanli/workload/request.hpp"

namespace suanli::sim {

struct ServingConfig {
  sim::ExecModel exec_model = sim::ExecModel::flows;
  std::uint64_t seed = 0;       // routers that draw (power-of-two)
  double sample_seconds = 1.0;  // timeline period
};

struct ServingOutcome {
  double makespan_s = 0;    // when the last request finished
  double gpu_energy_j = 0;  // all GPU hosts over [0, makespan]
  int replicas = 0;
  std::uint64_t preemptions = 0;
};

// Which deployment serves each request: the one whose model (or name) the request names, the
// first one for requests that name none. Throws InputError naming the request's line when a
// named model has no deployment.
std::vector<std::uint32_t> route_to_deployments(
    const workload::RequestWorkload& requests, const std::vector<serving::Deployment>& deployments);

// Throws InputError when the platform lacks the GPUs for every replica.
ServingOutcome run_serving(const platform::Platform& platform, const platform::Topology& topology,
                           const workload::RequestWorkload& requests,
                           const std::vector<serving::Deployment>& deployments,
                           const ServingConfig& config, report::ServingRecorder& recorder);

struct CombinedOutcome {
  RunOutcome jobs;
  ServingOutcome serving;
};

// Training jobs and serving replicas on one cluster, in one simulation: the replicas take
// their GPUs first and hold them for the whole run, jobs are scheduled on the rest, and both
// share the network (and the energy plugin). Both outcomes' gpu_energy_j are the whole
// cluster's. Throws InputError as the two runs do, and for a job larger than what the
// replicas leave of every cluster it may use.
CombinedOutcome run_combined(const platform::Platform& platform, const platform::Topology& topology,
                             const workload::Workload& workload,
                             const std::vector<perf::PreparedJob>& jobs,
                             const RunConfig& run_config, report::Recorder& recorder,
                             const workload::RequestWorkload& requests,
                             const std::vector<serving::Deployment>& deployments,
                             const ServingConfig& serving_config,
                             report::ServingRecorder& serving_recorder);

}  // namespace suanli::sim
