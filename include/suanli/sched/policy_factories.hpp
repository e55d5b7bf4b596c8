#pragma once
// Internal to the sched module: the factories the two registries list, and the few helpers
// the policies share (constraint checks, the free-GPU tally, an ordered waiting queue).
// Policies and placements are reached by name through policies() / placements(); nothing
// outside src/sched and its tests should need this header.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <list>
#include <memory>
#include <set>
#include <span>
#include <unordered_map>
#include <vector>

#include "suanli/sched/allocation.hpp"
#include "suanli/sched/cluster_view.hpp"
#include "suanli/sched/policy.hpp"

namespace suanli::sched {

std::unique_ptr<Policy> make_fifo(const PolicyParams& params);
std::unique_ptr<Policy> make_sjf(const PolicyParams& params);
std::unique_ptr<Policy> make_easy(const PolicyParams& params);
std::unique_ptr<Policy> make_greedy(const PolicyParams& params);
std::unique_ptr<Policy> make_conservative(const PolicyParams& params);
std::span<const ParamSpec> conservative_params();
std::unique_ptr<Policy> make_srtf(const PolicyParams& params);
std::unique_ptr<Policy> make_las(const PolicyParams& params);
std::unique_ptr<Policy> make_tiresias(const PolicyParams& params);
std::span<const ParamSpec> tiresias_params();
std::unique_ptr<Policy> make_themis(const PolicyParams& params);
std::unique_ptr<Policy> make_qssf(const PolicyParams& params);
std::unique_ptr<Policy> make_gavel(const PolicyParams& params);
std::unique_ptr<Policy> make_gavel_max_throughput(const PolicyParams& params);
std::span<const ParamSpec> gavel_params();
std::unique_ptr<Policy> make_carbon_aware(const PolicyParams& params);
std::span<const ParamSpec> carbon_aware_params();

std::unique_ptr<Placement> make_first_fit();
std::unique_ptr<Placement> make_compact();
std::unique_ptr<Placement> make_topo();
std::unique_ptr<Placement> make_fgd();
std::unique_ptr<Placement> make_best_fit();
std::unique_ptr<Placement> make_dot_product();
std::unique_ptr<Placement> make_packing();
std::unique_ptr<Placement> make_clustering();
std::unique_ptr<Placement> make_random();

namespace detail {

inline bool model_matches(const QueuedJob& job, const ClusterInfo& cluster) {
  return allows(job, cluster.model);
}

// True when some cluster could hold the job if it were empty. Jobs spanning clusters are not
// supported, so a job failing this waits forever; the loader rejects such jobs, and the
// policies set them aside instead of letting them block the queue.
inline bool can_ever_fit(const QueuedJob& job, std::span<const ClusterInfo> clusters) {
  for (const ClusterInfo& c : clusters)
    if (model_matches(job, c) && c.total_gpus >= job.gpus) return true;
  return false;
}

// The policy's running count of free GPUs per cluster, decremented as it decides so that
// the decisions of one schedule() call fit together.
inline std::vector<FreeGpus> free_tally(const ClusterView& view) {
  std::vector<FreeGpus> free;
  free.reserve(view.clusters().size());
  const auto clusters = view.clusters();
  for (std::size_t c = 0; c < clusters.size(); ++c)
    free.push_back({clusters[c].free_gpus, clusters[c].share_room_milli, view.node_rooms(int(c))});
  return free;
}

// Whether any job at all could start on what the tally still has (a CPU-only pod needs no
// GPU: where the view describes nodes, one may still fit).
inline bool anything_free(const std::vector<FreeGpus>& free) {
  for (const FreeGpus& f : free)
    if (f.whole > 0 || f.share_room_milli > 0 || !f.nodes.empty()) return true;
  return false;
}

// Waiting jobs ordered by (key, arrival sequence): FIFO uses the submit time as key, SJF the
// walltime. A std::set gives O(log n) insertion and removal, O(1) access to the head and an
// iteration order that survives erasing the element being visited (EASY's backfill scan).
class OrderedQueue {
 public:
  struct Entry {
    double key = 0;
    std::uint64_t seq = 0;
    QueuedJob job;
  };
  struct ByKeyThenSeq {
    bool operator()(const Entry& a, const Entry& b) const {
      if (a.key != b.key) return a.key < b.key;
      return a.seq < b.seq;
    }
  };
  using Set = std::set<Entry, ByKeyThenSeq>;
  using iterator = Set::const_iterator;

  void push(double key, const QueuedJob& job) { entries_.insert(Entry{key, next_seq_++, job}); }
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  iterator begin() const { return entries_.begin(); }
  iterator end() const { return entries_.end(); }
  const QueuedJob& front() const { return entries_.begin()->job; }
  iterator erase(iterator it) { return entries_.erase(it); }
  void pop_front() { entries_.erase(entries_.begin()); }

 private:
  Set entries_;
  std::uint64_t next_seq_ = 0;
};

struct Started {
  QueuedJob job;
  int cluster = 0;
  int whole_gpus = 0;  // whole GPUs it took (0 for a share placed beside other shares)
  int node = -1;       // a pod's node (Decision::node)
};

// Takes a job that fits `free` off the tally and records its start.
inline void start(const QueuedJob& job, int cluster, FreeGpus& free,
                  std::vector<Started>& started) {
  const int whole = take(job, free);
  // take() put a pod's node last in pod_nodes.
  const int node = job.is_pod() && !free.nodes.empty() ? free.pod_nodes.back() : -1;
  started.push_back(Started{job, cluster, whole, node});
}

// The common first step of every queue policy: start jobs from the head while the head fits
// on some cluster (pick_cluster), decrementing `free`. Returns with the queue empty or its
// head not fitting now. A head that can never fit is moved to `set_aside` rather than
// blocking the queue forever; it still counts as queued.
// Under a power budget the head must also fit the facility power left (`power_room_w`, the
// view's headroom, lowered by each start): a head the budget holds back blocks the queue as
// one without GPUs does.
inline void start_from_head(OrderedQueue& queue, std::vector<QueuedJob>& set_aside,
                            const ClusterView& view, std::vector<FreeGpus>& free,
                            std::vector<Started>& started, double& power_room_w) {
  while (!queue.empty()) {
    const QueuedJob& head = queue.front();
    const int cluster = pick_cluster(head, view, free, power_room_w);
    if (cluster < 0) {
      if (can_ever_fit(head, view.clusters())) return;
      set_aside.push_back(head);
      queue.pop_front();
      continue;
    }
    if (power_room_w < std::numeric_limits<double>::infinity())
      power_room_w -= view.start_power_w(head, cluster);
    start(head, cluster, free[cluster], started);
    queue.pop_front();
  }
}
inline void start_from_head(OrderedQueue& queue, std::vector<QueuedJob>& set_aside,
                            const ClusterView& view, std::vector<FreeGpus>& free,
                            std::vector<Started>& started) {
  double power_room_w = view.power_headroom_w();
  start_from_head(queue, set_aside, view, free, started, power_room_w);
}

inline std::vector<Decision> to_decisions(const std::vector<Started>& started) {
  std::vector<Decision> out;
  out.reserve(started.size());
  for (const Started& s : started) out.push_back(Decision{s.job.index, s.cluster, s.node});
  return out;
}

// A strict-order policy: jobs start in the order of a key (ties: submit() order) and the
// first job that does not fit holds back every job behind it. FIFO and SJF differ only in
// the key.
class OrderedBlockingPolicy final : public Policy {
 public:
  using Key = double (*)(const QueuedJob&);
  explicit OrderedBlockingPolicy(Key key) : key_(key) {}

  void submit(const QueuedJob& job) override { queue_.push(key_(job), job); }

  std::vector<Decision> schedule(const ClusterView& view) override {
    std::vector<FreeGpus> free = free_tally(view);
    std::vector<Started> started;
    start_from_head(queue_, set_aside_, view, free, started);
    return to_decisions(started);
  }

  std::size_t queued() const override { return queue_.size() + set_aside_.size(); }

 private:
  Key key_;
  OrderedQueue queue_;
  std::vector<QueuedJob> set_aside_;  // can never fit any cluster
};

// A job a preemptive policy keeps from its arrival to its end: what it asks for and the
// cluster it runs on (-1: waiting).
struct ActiveJob {
  QueuedJob job;
  int cluster = -1;
};

// A preemptive policy's active jobs, in arrival order (ties of priority keep it), each with
// the policy's own state `Extra` (Tiresias's queue, say), so that a plan finds it without a
// lookup. Entries stay where they are until removed (pointers to them stay valid). The count
// of waiting jobs is kept for queued(), which the engine asks at every event: plans change
// ActiveJob::cluster directly, so a policy calls planned() with each plan it returns.
struct NoExtra {};
template <class Extra = NoExtra>
class ActiveJobsOf {
 public:
  struct Entry : ActiveJob {
    Extra extra{};
  };
  Entry& add(const QueuedJob& job) {
    jobs_.push_back(Entry{{job, -1}, {}});
    where_[job.index] = std::prev(jobs_.end());
    ++waiting_;
    return jobs_.back();
  }
  void remove(JobIndex job) {
    const auto it = where_.find(job);
    if (it == where_.end()) return;
    waiting_ -= it->second->cluster < 0;
    jobs_.erase(it->second);
    where_.erase(it);
  }
  Entry* find(JobIndex job) {
    const auto it = where_.find(job);
    return it == where_.end() ? nullptr : &*it->second;
  }
  std::list<Entry>& all() { return jobs_; }
  std::size_t waiting() const { return waiting_; }
  // A job stopped by something else than the policy's plan (Policy::requeue) waits again
  // where it is; false when the policy does not have it.
  bool wait_again(JobIndex job) {
    Entry* e = find(job);
    if (!e) return false;
    waiting_ += e->cluster >= 0;
    e->cluster = -1;
    return true;
  }
  // After a plan of the policy's own jobs: each start leaves the waiting, each preemption
  // joins them (a job that moves is in both).
  void planned(const Plan& plan) { waiting_ += plan.preempt.size() - plan.start.size(); }

 private:
  std::list<Entry> jobs_;
  std::unordered_map<JobIndex, typename std::list<Entry>::iterator> where_;
  std::size_t waiting_ = 0;
};
using ActiveJobs = ActiveJobsOf<>;

// The plan of a preemptive priority policy (SRTF, LAS, Tiresias). `order` holds the policy's
// active jobs, highest priority first. In that order, each whole-GPU job takes GPUs from what
// a cluster has free or held by the policy's own running whole-GPU jobs: a running job keeps
// its cluster while it still fits there, else goes where it fits first (pick_cluster: the
// fastest), else is preempted; a job that fits nowhere is passed over and later ones may
// still fit (backfilling, as the public Tiresias simulator does). Share jobs and pods are
// never preempted: they start, in the same order, on what the whole-GPU jobs leave (pods
// only on a cluster where no whole-GPU job starts in this plan, whose nodes the view still
// describes). Each job's `cluster` is updated to the plan. With `may_preempt` false (a
// lease-based policy between its rounds), running jobs keep their GPUs whatever their rank
// and only waiting jobs start, in order, on what is free.
Plan plan_by_priority(std::span<ActiveJob* const> order, const ClusterView& view,
                      bool may_preempt = true);

// Whether the preemptive policies may preempt (and plan the GPUs of) a job: whole GPUs, no pod.
inline bool preemptible(const QueuedJob& job) {
  return job.share_milli == 0 && !job.is_pod();
}

// The last step of those plans: share jobs and pods of `order` that wait start, in that order,
// on what the whole-GPU jobs leave (`whole_left` free GPUs per cluster; pods only where no
// whole-GPU job starts in this plan, `whole_start`, whose nodes the view still describes).
void start_unpreemptible(std::span<ActiveJob* const> order, const ClusterView& view,
                         const std::vector<int>& whole_left, const std::vector<bool>& whole_start,
                         Plan& plan);

// Gavel's allocation LP (src/sched/gavel_lp.cpp): `jobs` rows of `pools` relative speeds
// (speed[j * pools + c], 0 where the job may not run), each job's GPU count and each pool's
// GPUs.
struct GavelLpInput {
  std::vector<double> speed;
  std::vector<double> scale;
  std::vector<double> capacity;
};
enum class GavelObjective { max_min_fairness, max_sum_throughput };
// x[j * pools + c] in [0, 1]: the fraction of time job j should spend on pool c.
std::vector<double> solve_gavel_lp(const GavelLpInput& in, GavelObjective objective);

// Oracle: the true time `job` still needs on the fastest cluster it may use (srtf, themis).
inline double oracle_remaining_fastest(const QueuedJob& job, const ClusterView& view) {
  double best = std::numeric_limits<double>::infinity();
  const auto clusters = view.clusters();
  for (std::size_t c = 0; c < clusters.size(); ++c)
    if (allows(job, clusters[c].model))
      best = std::min(best, view.oracle_remaining_s(job.index, int(c)));
  return best;
}

// A preemptive policy ordered by a key of each active job, lowest first (ties: arrival
// order), recomputed at every call: SRTF (remaining time), LAS (attained service), Themis
// (finish-time fairness, whose key needs `active`, how many jobs the policy has). With
// `leases`, it preempts only at rounds; between them waiting jobs only take free GPUs.
class KeyedPreemptivePolicy final : public Policy {
 public:
  using Key = double (*)(const QueuedJob& job, const ClusterView& view, std::size_t active);
  explicit KeyedPreemptivePolicy(Key key, bool leases = false) : key_(key), leases_(leases) {}

  void submit(const QueuedJob& job) override { active_.add(job); }
  // Back from a stop it did not plan (a failure): it waits, keeping its arrival rank.
  void requeue(const QueuedJob& job) override {
    if (!active_.wait_again(job.index)) submit(job);
  }
  void ended(JobIndex job, double /*now_s*/) override { active_.remove(job); }
  std::size_t queued() const override { return active_.waiting(); }
  Plan plan(const ClusterView& view) override;

 private:
  Key key_;
  bool leases_;
  ActiveJobs active_;
};

}  // namespace detail
}  // namespace suanli::sched
