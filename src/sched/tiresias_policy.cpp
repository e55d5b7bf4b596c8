// Tiresias's discretised two-dimensional LAS (Gu et al., "Tiresias: A GPU Cluster Manager for
// Distributed Deep Learning", NSDI'19, sections 3.1-3.2), with the semantics of the public
// simulator's `dlas-gpu` (SymbioticLab/Tiresias, simulator/run_sim.py, dlas_sim_jobs with
// gputime=True) so that its results can be reproduced (docs/policies.md, docs/results.md):
//  - queues by attained GPU-seconds (GPUs x time run): a job enters queue 0 and, at a call
//    where it has reached its queue's limit, moves to the end of the next queue, one queue a
//    call (the limits are `thresholds`; the public code's are 3,250 and 7,200, jobs.py:104);
//  - every call plans from scratch: queues in order, each in its list order, every job that
//    fits takes its GPUs, the others are passed over (backfilling); running jobs not picked
//    are preempted. After the call, each queue lists its running jobs first, then its waiting
//    ones, each in their order (run_sim.py:1133-1143), so a newcomer never preempts a running
//    job of its own queue;
//  - it asks to be woken when a running job may reach its queue's limit, by the public
//    code's own formula, now + floor((limit - wall seconds run) / GPUs) (run_sim.py:1226);
//  - starvation guard `starvation` (run_sim.py's solve_starvation; 0, off, for dlas-gpu): a
//    waiting job below queue 0 that has waited `starvation` times as long as it has run
//    goes back to queue 0 with its count of service restarted.
#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {

namespace {

using detail::ActiveJob;

constexpr ParamSpec kParams[] = {
    {.key = "thresholds",
     .default_value = "3250:7200",
     .help = "queue limits in GPU-seconds, ascending (n limits: n + 1 queues)",
     .min = 0,
     .list = true},
    {.key = "starvation",
     .default_value = "0",
     .help = "a waiting job below queue 0 returns to it after waiting this many times as long "
             "as it ran (0: never)",
     .min = 0},
};

class TiresiasPolicy final : public Policy {
 public:
  explicit TiresiasPolicy(const PolicyParams& params)
      : limits_(params.numbers("thresholds")),
        starvation_(params.number("starvation")),
        queues_(limits_.size() + 1) {}

  void submit(const QueuedJob& job) override {
    active_.add(job);
    state_[job.index] = {};
    queues_[0].push_back(job.index);
  }
  void ended(JobIndex job, double /*now_s*/) override {
    auto& queue = queues_[state_.at(job).queue];
    queue.erase(std::find(queue.begin(), queue.end(), job));
    state_.erase(job);
    active_.remove(job);
  }
  std::size_t queued() const override { return active_.waiting(); }
  double wake_at_s() const override { return wake_at_s_; }

  Plan plan(const ClusterView& view) override {
    const double now = view.now();
    update_queues(view, now);
    std::vector<ActiveJob*> order;
    for (const auto& queue : queues_)
      for (const JobIndex j : queue) order.push_back(active_.find(j));
    Plan plan = detail::plan_by_priority(order, view);
    for (auto& queue : queues_) {
      std::stable_partition(queue.begin(), queue.end(),
                            [&](JobIndex j) { return active_.find(j)->cluster >= 0; });
    }
    plan_wake(view, now);
    last_call_s_ = now;
    return plan;
  }

 private:
  struct State {
    std::size_t queue = 0;
    double service_base_gpu_s = 0;  // attained service when it last returned to queue 0
    double waited_s = 0;            // starvation guard: time waited below queue 0
  };

  double counted_gpu_s(JobIndex j, const ClusterView& view) const {
    return view.service(j).attained_gpu_s - state_.at(j).service_base_gpu_s;
  }

  // Demotions of running jobs and the starvation guard's promotions, in arrival order.
  void update_queues(const ClusterView& view, double now) {
    for (ActiveJob& a : active_.all()) {
      State& s = state_.at(a.job.index);
      const double counted = counted_gpu_s(a.job.index, view);
      if (a.cluster >= 0) {
        if (s.queue + 1 < queues_.size() && counted >= limits_[s.queue])
          move(a.job.index, s.queue + 1);
        continue;
      }
      if (starvation_ <= 0 || s.queue == 0 || counted <= 0 || a.job.gpus == 0) continue;
      s.waited_s += now - last_call_s_;
      if (s.waited_s >= counted / a.job.gpus * starvation_) {
        move(a.job.index, 0);
        s.service_base_gpu_s = view.service(a.job.index).attained_gpu_s;
        s.waited_s = 0;
      }
    }
  }

  void move(JobIndex j, std::size_t to) {
    State& s = state_.at(j);
    auto& from = queues_[s.queue];
    from.erase(std::find(from.begin(), from.end(), j));
    queues_[to].push_back(j);
    s.queue = to;
  }

  void plan_wake(const ClusterView& view, double now) {
    wake_at_s_ = std::numeric_limits<double>::infinity();
    for (ActiveJob& a : active_.all()) {
      if (a.job.gpus == 0) continue;  // a CPU-only pod attains no GPU service
      const State& s = state_.at(a.job.index);
      const double ran_s = counted_gpu_s(a.job.index, view) / a.job.gpus;
      if (a.cluster >= 0 && s.queue + 1 < queues_.size())
        wake_at_s_ =
            std::min(wake_at_s_, now + std::floor((limits_[s.queue] - ran_s) / a.job.gpus));
      else if (a.cluster < 0 && starvation_ > 0 && s.queue > 0 && ran_s > 0)
        wake_at_s_ = std::min(wake_at_s_, now + ran_s * starvation_ - s.waited_s);
    }
  }

  std::vector<double> limits_;
  double starvation_;
  std::vector<std::vector<JobIndex>> queues_;
  std::unordered_map<JobIndex, State> state_;
  detail::ActiveJobs active_;
  double last_call_s_ = 0;
  double wake_at_s_ = std::numeric_limits<double>::infinity();
};

}  // namespace

std::span<const ParamSpec> tiresias_params() {
  return kParams;
}

std::unique_ptr<Policy> make_tiresias(const PolicyParams& params) {
  return std::make_unique<TiresiasPolicy>(params);
}

}  // namespace suanli::sched
