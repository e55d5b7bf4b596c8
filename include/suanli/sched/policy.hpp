#pragma once
// A scheduling policy: it owns its waiting queue, is told about arrivals, and when asked
// returns a plan: which running jobs to preempt and which queued jobs to start now, on which
// cluster. Every started job leaves the policy's queue. Starting a job on a cluster needs only
// free_gpus >= gpus there: placement inside the cluster (which GPUs) is a separate,
// independent strategy. A policy is asked after every arrival and completion instant and, if
// it has rounds (PolicyEntry::round_s, --round-seconds), at every round too.
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "suanli/common/registry.hpp"
#include "suanli/sched/cluster_view.hpp"
#include "suanli/sched/policy_params.hpp"

namespace suanli::sched {

struct Decision {
  JobIndex job = 0;
  int cluster = 0;
  // A pod's node, as a position among the cluster's nodes (ClusterView::node_rooms), chosen
  // by the policy so that the pods of one schedule() call fit together; -1 for other jobs
  // (and for pods on a view without nodes), whose GPUs the placement picks.
  int node = -1;
};

// What a policy decides at one instant. The engine first preempts (each job keeps the work
// it has done, and its GPUs are free at once), then starts, in order; so the starts may use
// the GPUs of the jobs preempted here. A job preempted and started in the same plan moves.
struct Plan {
  std::vector<JobIndex> preempt;
  std::vector<Decision> start;
};

class Policy {
 public:
  virtual ~Policy() = default;
  virtual void submit(const QueuedJob& job) = 0;
  // A start-only policy answers schedule(): the jobs to start. The decisions must fit
  // together: their GPU counts per cluster add up to at most the free GPUs of that cluster.
  virtual std::vector<Decision> schedule(const ClusterView& /*view*/) { return {}; }
  // A preemptive policy answers plan() (the default is schedule()'s starts). The jobs it
  // preempts are its own to keep track of (they are not submitted again).
  virtual Plan plan(const ClusterView& view) { return {{}, schedule(view)}; }
  // A job that stopped running before its end for a reason that is not this policy's plan
  // (a failure, another service taking its GPUs) comes back here, with the work it has done.
  virtual void requeue(const QueuedJob& job) { submit(job); }
  // A job the policy started has finished, at now_s (for policies that keep state on jobs).
  virtual void ended(JobIndex /*job*/, double /*now_s*/) {}
  // Jobs waiting (not running) that the policy still has to start.
  virtual std::size_t queued() const = 0;
  // The next instant the policy wants to be asked at besides arrivals, completions and rounds
  // (Tiresias: when a running job reaches its queue's limit); infinity for none. Read after
  // every plan().
  virtual double wake_at_s() const { return std::numeric_limits<double>::infinity(); }
};

struct PolicyEntry {
  std::string_view name;
  std::string_view description;
  std::unique_ptr<Policy> (*make)(const PolicyParams& params);
  std::span<const ParamSpec> params = {};  // its --policy-param keys
  double round_s = 0;  // asked every round_s seconds besides events (0: events only)
  // Whether it reads what a scheduler cannot know (a job's true remaining time,
  // ClusterView::oracle_remaining_s): SRTF does, Tiresias must not. docs/policies.md says.
  bool oracle = false;
};

// The registry: one line per policy in src/sched/policy_registry.cpp.
const Registry<PolicyEntry>& policy_registry();
const std::vector<PolicyEntry>& policies();
// nullptr when unknown.
const PolicyEntry* find_policy(std::string_view name);
// The policy `name` with its parameters checked and set (InputError for an unknown policy,
// key or bad value).
std::unique_ptr<Policy> make_policy(std::string_view name, const ParamValues& params = {});

// What a policy counts as free on one cluster while it decides, so that the decisions of one
// schedule() call fit together: whole free GPUs, and the room for shares on a GPU that
// already holds some (ClusterInfo::share_room_milli). For pods, also the cluster's nodes as
// the view gives them (`nodes`; empty when the view has none), the nodes this call has
// already put a pod on, and whether it has started a job that is not a pod here (the
// placement picks its GPUs, on nodes the tally cannot know).
struct FreeGpus {
  int whole = 0;
  int share_room_milli = 0;
  std::span<const NodeRoom> nodes = {};
  std::vector<int> pod_nodes = {};
  bool placed_elsewhere = false;
};

// Whole GPUs the job would take from `free`: its GPU count; for a share job 0 when the share
// fits in the room on a partly used GPU, else 1 (a free GPU). -1 when it does not fit. A pod
// also needs a node (pod_node).
int whole_gpus_needed(const QueuedJob& job, const FreeGpus& free);
// The node a pod would go on: the first node of the cluster that holds it now and that this
// call has not put a pod on yet (one pod per node per call, so that what the view says of a
// node stays true). -1 when none does, or once a job that is not a pod has started on the
// cluster in this call. The engine asks again after starting pods, so this caution only
// costs another pass.
int pod_node(const QueuedJob& job, const FreeGpus& free);
// Inline: EASY's backfill scan asks it for hundreds of jobs per pass.
inline bool fits(const QueuedJob& job, const FreeGpus& free) {
  if (whole_gpus_needed(job, free) < 0) return false;
  return !job.is_pod() || free.nodes.empty() || pod_node(job, free) >= 0;
}
// Takes a fitting job off the tally and returns the whole GPUs it took (a pod: also marks its
// node, pod_node(), as used by appending it to pod_nodes). The tally never promises more than the
// engine can give: a share placed in the room lowers the room by the share (the GPU it lands on may
// not be the roomiest); a share on a free GPU leaves the room as it was (the engine may put it on a
// partly used GPU instead). The engine asks again after starting share jobs or pods, so this
// caution only costs another pass.
int take(const QueuedJob& job, FreeGpus& free);

// Among clusters that accept the job's model and where it fits in `free[c]`, the one where
// the job would run fastest (shortest estimated runtime; ties: lowest index). Returns -1 when
// none fits now. `free` is the policy's running tally.
// Under a power budget, also where its start fits in `power_room_w` (the policy's tally of
// ClusterView::power_headroom_w).
int pick_cluster(const QueuedJob& job, const ClusterView& view, const std::vector<FreeGpus>& free,
                 double power_room_w = std::numeric_limits<double>::infinity());

}  // namespace suanli::sched
