#pragma once
// The serving service: replays an LLM request trace on serving replicas. Each replica is a set
// of GPUs taken from the core's pool serving one model; an actor per replica forms iteration
// batches (serving::ReplicaScheduler over a paged KV cache), times each by the roofline
// (perf::iteration_cost) and runs it as SimGrid executions on its GPUs followed by the
// tensor-parallel all-reduce as SimGrid communications.
//
// GPUs and autoscaling (docs/serving-model.md): every replica has home GPUs (each pipeline
// stage tp GPUs of one node, the first nodes with room in platform order, deployment after
// deployment). A replica that is on holds its GPUs; one that is off holds none, and its home
// GPUs are parked: powered off while nobody holds them, free for training jobs meanwhile. A
// scale-up takes the home GPUs if they are free, else tp free GPUs per stage on the first
// nodes of the deployment's clusters that have them; when there are none it does not happen,
// and the autoscaler tries again at its next evaluation (the next arrival or timeline sample).
// Non-autoscaled replicas and the first `min` of an autoscaled deployment are held for the
// whole run (Core::hold_for_run).
#include <cstdint>
#include <memory>
#include <vector>

#include "suanli/serving/deployment.hpp"
#include "suanli/sim/core.hpp"
#include "suanli/workload/request.hpp"

namespace suanli::sim {

struct ServingConfig {
  std::uint64_t seed = 0;       // routers that draw (power-of-two)
  double sample_seconds = 1.0;  // timeline period
  // Training runs on the same cluster (a combined run). Then, when the trace ends, autoscaled
  // replicas above `min` power off and give their GPUs back (as the autoscaler would with no
  // load left) for the jobs that run on; and the timeline is the whole simulation's: its rows
  // carry the training columns (Core::timeline_sample) and go on to the engine's end. Alone,
  // serving's run and timeline end with its last request.
  bool beside_training = false;
};

// What serving used, IT side: its replicas' GPUs while they held them for serving (busy and
// idle) and those GPUs' share of their nodes' static power. Cooling is the caller's (PUE).
struct ServingEnergy {
  double gpu_j = 0;
  double node_static_j = 0;
  double it_j() const { return gpu_j + node_static_j; }
};

struct ServingOutcome {
  double makespan_s = 0;  // when the last request finished
  int replicas = 0;
  std::uint64_t preemptions = 0;
  ServingEnergy energy;
};

class ServingService : public Service {
 public:
  virtual ServingOutcome outcome() const = 0;
};

// Which deployment serves each request: the one whose model (or name) the request names, the
// first one for requests that name none. Throws InputError naming the request's line when a
// named model has no deployment.
std::vector<std::uint32_t> route_to_deployments(
    const workload::RequestWorkload& requests, const std::vector<serving::Deployment>& deployments);

// Places the replicas' home GPUs at once (create it before the training service, so that
// training knows what serving holds for the whole run). Throws InputError when the platform
// lacks the GPUs for every replica.
std::unique_ptr<ServingService> make_serving_service(
    Core& core, const workload::RequestWorkload& requests,
    const std::vector<serving::Deployment>& deployments, const ServingConfig& config);

}  // namespace suanli::sim
