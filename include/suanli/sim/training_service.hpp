#pragma once
// The training service: replays a job trace on the core's GPU pool. Jobs arrive at their
// submit times, the policy object decides which start where, the placement picks their GPUs
// from the pool (the same pool serving replicas take theirs from), and each job runs its
// phases as SimGrid activities on its GPUs.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "suanli/perf/prepared_job.hpp"
#include "suanli/platform/time_series.hpp"
#include "suanli/sim/core.hpp"
#include "suanli/workload/job.hpp"

namespace suanli::sched {
class Policy;
class Placement;
}  // namespace suanli::sched

namespace suanli::sim {

// How the training service schedules and executes jobs. It is handed the policy and
// placement objects (from the registries, or any other, e.g. a test's fake) and knows no
// policy by name; `policy_name` is for messages only.
struct RunConfig {
  std::shared_ptr<sched::Policy> policy;
  std::shared_ptr<sched::Placement> placement;
  std::string policy_name;
  // Each job runs as phases of about this many seconds of work on its GPUs; 0 = one phase.
  double phase_seconds = 0;
  bool progress = false;  // a live progress line on stderr
  // The policy is asked every round_seconds besides events (0: events only).
  double round_seconds = 0;
  // Seconds without progress a preempted job spends when it resumes (--preempt-cost-s).
  double preempt_cost_s = 0;
  // The policy may ask ClusterView::oracle_remaining_s (its registry entry says so).
  bool oracle = false;
  // --seed, for placements that draw (Placement::prepare).
  std::uint64_t seed = 0;
  // A facility power budget in watts (--power-budget-w; empty: none): a start that would take
  // the facility's power above it waits, and when the budget falls below the power drawn, the
  // jobs started last are suspended (docs/model.md, "Power budget").
  platform::TimeSeries power_budget_w;
};

struct RunOutcome {
  double makespan_s = 0;  // when the last job ended
  int completed = 0;
  std::uint64_t preemptions = 0;
  // The policy's own cost: wall seconds inside plan() in all, and the 99th percentile of one
  // call (nearest rank), in milliseconds.
  double decision_wall_s = 0;
  double decision_p99_ms = 0;
  // Under a power budget: starts the budget held back, and jobs it suspended.
  std::uint64_t power_holds = 0;
  std::uint64_t power_suspensions = 0;
};

class TrainingService : public Service {
 public:
  virtual RunOutcome outcome() const = 0;
};

// Throws InputError for a job larger than every cluster it may use has GPUs beside those
// other services hold for the whole run (Core::hold_for_run): create it after them.
std::unique_ptr<TrainingService> make_training_service(Core& core,
                                                       const workload::Workload& workload,
                                                       const std::vector<perf::PreparedJob>& jobs,
                                                       const RunConfig& config);

}  // namespace suanli::sim
