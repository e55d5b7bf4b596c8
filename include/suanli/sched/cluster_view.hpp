#pragma once
// What a policy may look at: clusters with their free GPU counts (and, for pods, what each
// node has free), the jobs running on them and every job's service so far. A policy never sees
// SimGrid; tests give it a fake view.
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <vector>

namespace suanli::sched {

using JobIndex = std::uint32_t;  // index of the job in the loaded workload

struct QueuedJob {
  JobIndex index = 0;
  double submit_s = 0;
  int gpus = 0;
  double walltime_s = 0;  // user's estimate on the job's reference GPU
  // GPU models the job may run on, one bit per model index (bit m = model m); 0 = any.
  std::uint64_t models = 0;
  int priority = 0;
  // A share of one GPU in thousandths (1..999, gpus == 1), run beside other shares on a GPU
  // (Alibaba's gpu_milli); 0 = whole GPUs, never shared.
  int share_milli = 0;
  // A pod's host resources (thousandths of a core, MiB; 0 = none asked): a job asking for
  // either runs on one node that holds its GPUs, CPUs and memory at once. gpus may be 0.
  int cpu_milli = 0;
  int memory_mib = 0;
  // Who submitted it and what it is (indices of interned names: equal names, equal indices;
  // 0 = not given), for fairness between users and estimates from a job's history.
  std::uint32_t user = 0;
  std::uint32_t name = 0;
  // A deferrable job: the time by which it must have finished (infinity: not deferrable).
  double deadline_s = std::numeric_limits<double>::infinity();

  bool is_pod() const { return cpu_milli > 0 || memory_mib > 0; }
};

// What one node has free: whole GPUs, the most thousandths free on one of its GPUs that holds
// shares, CPU (thousandths of a core) and memory (MiB). A resource the platform does not
// model counts as unlimited (kUnlimited).
struct NodeRoom {
  static constexpr int kUnlimited = 0x7fffffff;
  int gpus = 0;
  int share_room_milli = 0;
  int cpu_milli = kUnlimited;
  int memory_mib = kUnlimited;
};

// Whether `job` fits what `room` has free now: its CPUs and memory, and its GPUs (a share:
// room on a GPU holding shares, or a free GPU).
inline bool pod_fits(const QueuedJob& job, const NodeRoom& room) {
  if (job.cpu_milli > room.cpu_milli || job.memory_mib > room.memory_mib) return false;
  if (job.share_milli > 0) return room.share_room_milli >= job.share_milli || room.gpus >= 1;
  return room.gpus >= job.gpus;
}

struct ClusterInfo {
  int model = 0;  // GPU model index
  int total_gpus = 0;
  int free_gpus = 0;  // GPUs with nothing on them (a GPU holding any share is not free)
  // The most thousandths still free on one GPU that holds shares (0 when none does): a share
  // job fits if it is at least its share, or if a GPU is free.
  int share_room_milli = 0;
};

struct RunningJob {
  JobIndex index = 0;
  int gpus = 0;  // whole GPUs it frees when it ends: 0 for a share job (others may share its GPU)
  double expected_end_s = 0;  // start + walltime scaled to the cluster's speed
  double power_w = 0;         // facility power it frees when it ends (0 without a power budget)
};

// What the engine knows of a job's service so far (any job: queued, running or preempted).
struct Service {
  // GPU-seconds it has held GPUs for (a share counts its fraction): Tiresias's and LAS's
  // "attained service", counted as the public Tiresias simulator does (GPUs x time).
  double attained_gpu_s = 0;
  int preemptions = 0;
  double first_start_s = -1;  // -1: never started
  bool running = false;
};

// Whether a job may run on GPUs of model index `model`.
inline bool allows(const QueuedJob& job, int model) {
  return job.models == 0 || ((job.models >> model) & 1u) != 0;
}

class ClusterView {
 public:
  virtual ~ClusterView() = default;
  virtual double now() const = 0;
  virtual std::span<const ClusterInfo> clusters() const = 0;
  // Jobs running on a cluster, ordered by expected end (earliest first), handed to `visit`
  // until it returns false: a policy that needs only the next few ends (EASY's reservation)
  // stops early instead of copying every running job at every event.
  virtual void visit_running(int cluster,
                             const std::function<bool(const RunningJob&)>& visit) const = 0;
  // All of them, in the same order.
  std::vector<RunningJob> running_on(int cluster) const {
    std::vector<RunningJob> out;
    visit_running(cluster, [&](const RunningJob& r) {
      out.push_back(r);
      return true;
    });
    return out;
  }
  // The job's walltime estimate converted to wall seconds on this cluster's GPU model.
  virtual double estimated_runtime(const QueuedJob& job, int cluster) const = 0;
  // What each node of the cluster has free, in node order, for placing pods. Empty: the view
  // does not describe nodes (a test's fake), and a pod is judged by the cluster's GPUs alone.
  virtual std::span<const NodeRoom> node_rooms(int /*cluster*/) const { return {}; }
  // The job's service so far, at now(): cheap, from the engine's books.
  virtual Service service(JobIndex /*job*/) const { return {}; }
  // The share of the job's work done at now(), in [0, 1]. Costlier than service(): the
  // engine reads each running activity's remaining amount from SimGrid (a simcall each), so
  // policies that only rank by attained service must not ask for it.
  virtual double work_done(JobIndex /*job*/) const { return 0; }
  // Oracle: the true wall seconds the job still needs on this cluster (its remaining work at
  // the cluster's speed), which no real scheduler knows. Only for policies whose entry says
  // `oracle` (std::logic_error for the others), and docs/policies.md names them.
  virtual double oracle_remaining_s(JobIndex job, int cluster) const;
  // True when this call is a round (PolicyEntry::round_s), not an arrival or completion.
  virtual bool at_round() const { return false; }
  // A count that changes whenever room is made (GPUs, shares or host resources released,
  // and anything else that adds room): a job that did not fit at a call where the count was
  // the same does not fit now either. Empty when the view does not keep one (assume it
  // changed).
  virtual std::optional<std::uint64_t> releases() const { return std::nullopt; }
  // Under a facility power budget (docs/model.md, "Power budget"): the facility power the
  // budget leaves now, and what starting `job` on `cluster` would add. Without a budget,
  // infinity and 0.
  virtual double power_headroom_w() const { return std::numeric_limits<double>::infinity(); }
  virtual double start_power_w(const QueuedJob& /*job*/, int /*cluster*/) const { return 0; }
  // The grid's carbon intensity at the cluster's site at time t, gCO2e/kWh, from the
  // platform's series (a perfect forecast of the future); NaN when the site gives none.
  virtual double carbon_g_per_kwh(int /*cluster*/, double /*t_s*/) const {
    return std::numeric_limits<double>::quiet_NaN();
  }
};

}  // namespace suanli::sched
