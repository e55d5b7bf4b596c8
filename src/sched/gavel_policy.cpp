// Gavel (Narayanan et al., "Heterogeneity-Aware Cluster Scheduling Policies for Deep Learning
// Workloads", OSDI'20): an LP gives each job x_jc, the fraction of time it should spend on
// each pool of GPUs (gavel_lp.cpp; here a pool is a cluster), and a round mechanism makes the
// time jobs really get follow x (section 5; the public code's scheduler/scheduler.py,
// _update_priorities and _schedule_jobs_on_workers_helper):
//  - the LP is solved again at the first call after the set of active jobs changed, and the
//    time each job has received is then reset to half a round on every pool, as
//    _reset_time_run_so_far does;
//  - priority_jc = x_jc / (time j ran on c / time all jobs ran on c) since that reset, x_jc *
//    1e9 while c has run nothing, 0 where x_jc = 0 (_update_priorities);
//  - at a round, pools in order, fastest first, each pool's jobs by priority: a job takes a
//    pool if it is not placed yet and its GPUs fit what the pool has free or held by the
//    policy's own jobs (_schedule_jobs_on_workers_helper); a running job picked for its own
//    pool stays on its GPUs, the others are preempted or moved;
//  - between rounds (arrivals, completions) waiting jobs start, by the same order, only on
//    GPUs that are free: nothing is preempted.
// Shares of a GPU and pods take no part in the LP and are never preempted: they start, in
// arrival order, on what the whole-GPU jobs leave, as in the other preemptive policies.
#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {

namespace {

using detail::ActiveJob;

// Gavel's round length (scheduler.py, time_per_iteration=360): the registry asks every 360 s,
// and a reset credits every job with half a round on every pool, as Gavel does.
constexpr double kRoundS = 360;

constexpr ParamSpec kParams[] = {
    {.key = "lp_jobs",
     .default_value = "1000",
     .help = "most jobs in the LP, those with the least attained GPU-seconds; the others get "
             "x = 0 and run on what is left",
     .min = 1,
     .integer = true},
};

class GavelPolicy final : public Policy {
 public:
  GavelPolicy(detail::GavelObjective objective, const PolicyParams& params)
      : objective_(objective), lp_jobs_(std::size_t(params.number("lp_jobs"))) {}

  void submit(const QueuedJob& job) override {
    active_.add(job);
    dirty_ = true;
  }
  void requeue(const QueuedJob& job) override {
    if (ActiveJob* a = active_.find(job.index))
      a->cluster = -1;
    else
      submit(job);
  }
  void ended(JobIndex job, double /*now_s*/) override {
    active_.remove(job);
    state_.erase(job);
    dirty_ = true;
  }
  std::size_t queued() const override { return active_.waiting(); }

  Plan plan(const ClusterView& view) override {
    const std::size_t pools = view.clusters().size();
    account(view.now(), pools);
    if (dirty_) {
      solve(view);
      dirty_ = false;
    }
    const bool round = view.at_round();
    // What whole-GPU jobs may take: free GPUs, and at a round those of the policy's own.
    std::vector<int> room(pools);
    for (std::size_t c = 0; c < pools; ++c) room[c] = view.clusters()[c].free_gpus;
    std::unordered_set<JobIndex> placed;
    std::unordered_map<JobIndex, int> target;
    for (ActiveJob& a : active_.all()) {
      if (!detail::preemptible(a.job) || a.cluster < 0) continue;
      if (round)
        room[std::size_t(a.cluster)] += a.job.gpus;
      else
        placed.insert(a.job.index), target[a.job.index] = a.cluster;  // kept between rounds
    }
    for (const auto& [a, c] : by_priority(pools)) {
      if (placed.count(a->job.index) || room[c] < a->job.gpus) continue;
      room[c] -= a->job.gpus;
      placed.insert(a->job.index);
      target[a->job.index] = int(c);
    }

    Plan plan;
    std::vector<ActiveJob*> starts, order;
    for (ActiveJob& a : active_.all()) {
      order.push_back(&a);
      if (!detail::preemptible(a.job)) continue;
      const auto t = target.find(a.job.index);
      const int to = t == target.end() ? -1 : t->second;
      if (to == a.cluster) continue;
      if (a.cluster >= 0) plan.preempt.push_back(a.job.index);
      a.cluster = to;
      if (to >= 0) starts.push_back(&a);
    }
    // Largest first, as Gavel assigns workers, so that big jobs find whole nodes.
    std::stable_sort(starts.begin(), starts.end(), [](const ActiveJob* x, const ActiveJob* y) {
      return x->job.gpus > y->job.gpus;
    });
    std::vector<bool> whole_start(pools, false);
    for (const ActiveJob* a : starts) {
      plan.start.push_back({a->job.index, a->cluster});
      whole_start[std::size_t(a->cluster)] = true;
    }
    detail::start_unpreemptible(order, view, room, whole_start, plan);
    return plan;
  }

 private:
  struct State {
    std::vector<double> speed;  // per pool: reference-GPU seconds of work per second, 0: never
    std::vector<double> x;      // the LP's time fractions
    std::vector<double> ran_s;  // seconds run on each pool since the last reset
  };

  // The time the running jobs received since the last call.
  void account(double now, std::size_t pools) {
    const double dt = now - last_now_s_;
    last_now_s_ = now;
    if (dt <= 0) return;
    for (const ActiveJob& a : active_.all()) {
      const auto s = state_.find(a.job.index);
      if (a.cluster < 0 || s == state_.end() || std::size_t(a.cluster) >= pools) continue;
      s->second.ran_s[std::size_t(a.cluster)] += dt;
      pool_ran_s_[std::size_t(a.cluster)] += dt;
    }
  }

  static double speed_on(const QueuedJob& job, const ClusterView& view, std::size_t c) {
    const ClusterInfo& info = view.clusters()[c];
    if (!detail::model_matches(job, info) || info.total_gpus < job.gpus) return 0;
    const double runtime = view.estimated_runtime(job, int(c));
    return job.walltime_s > 0 && runtime > 0 ? job.walltime_s / runtime : 1;
  }

  void solve(const ClusterView& view) {
    const std::size_t pools = view.clusters().size();
    std::vector<ActiveJob*> jobs;
    for (ActiveJob& a : active_.all()) {
      if (!detail::preemptible(a.job)) continue;
      State& s = state_[a.job.index];
      s.speed.assign(pools, 0);
      for (std::size_t c = 0; c < pools; ++c) s.speed[c] = speed_on(a.job, view, c);
      s.x.assign(pools, 0);
      jobs.push_back(&a);
    }
    // The LP's cost grows faster than its size (docs/policies.md has timings): beyond
    // lp_jobs, the jobs that have received the least service so far take part.
    if (jobs.size() > lp_jobs_) {
      std::stable_sort(jobs.begin(), jobs.end(), [&](const ActiveJob* a, const ActiveJob* b) {
        return view.service(a->job.index).attained_gpu_s <
               view.service(b->job.index).attained_gpu_s;
      });
      jobs.resize(lp_jobs_);
    }
    detail::GavelLpInput in;
    for (const ClusterInfo& c : view.clusters()) in.capacity.push_back(c.total_gpus);
    for (const ActiveJob* a : jobs) {
      const State& s = state_.at(a->job.index);
      in.speed.insert(in.speed.end(), s.speed.begin(), s.speed.end());
      in.scale.push_back(a->job.gpus);
    }
    const std::vector<double> x = detail::solve_gavel_lp(in, objective_);
    for (std::size_t j = 0; j < jobs.size(); ++j)
      std::copy_n(x.begin() + std::ptrdiff_t(j * pools), pools,
                  state_.at(jobs[j]->job.index).x.begin());

    // _reset_time_run_so_far: every job starts again from half a round on every pool.
    pool_ran_s_.assign(pools, 0);
    for (auto& [job, s] : state_) {
      s.ran_s.assign(pools, kRoundS / 2);
      for (std::size_t c = 0; c < pools; ++c) pool_ran_s_[c] += kRoundS / 2;
    }
    // Gavel fills its fastest worker type first (v100, p100, k80): here the pools by the
    // active jobs' mean speed there, fastest first (ties: lowest index).
    std::vector<double> mean(pools, 0);
    for (const auto& [job, s] : state_)
      for (std::size_t c = 0; c < pools; ++c) mean[c] += s.speed[c];
    pool_order_.resize(pools);
    for (std::size_t c = 0; c < pools; ++c) pool_order_[c] = c;
    std::stable_sort(pool_order_.begin(), pool_order_.end(),
                     [&](std::size_t a, std::size_t b) { return mean[a] > mean[b]; });
  }

  double priority(const State& s, std::size_t c) const {
    if (s.x[c] <= 0) return 0;
    if (pool_ran_s_[c] <= 0 || s.ran_s[c] <= 0) return s.x[c] * 1e9;
    return s.x[c] / (s.ran_s[c] / pool_ran_s_[c]);
  }

  // (job, pool) pairs where the job may run: pools fastest first, in each by priority, then
  // allocation, then arrival (Gavel breaks ties by its deficit, then allocation).
  std::vector<std::pair<ActiveJob*, std::size_t>> by_priority(std::size_t pools) {
    std::vector<std::pair<ActiveJob*, std::size_t>> out;
    for (const std::size_t c : pool_order_) {
      std::vector<std::pair<double, ActiveJob*>> keyed;
      for (ActiveJob& a : active_.all()) {
        const auto s = state_.find(a.job.index);
        if (s == state_.end() || c >= pools || s->second.speed[c] <= 0) continue;
        keyed.emplace_back(priority(s->second, c), &a);
      }
      std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
        if (a.first != b.first) return a.first > b.first;
        return state_.at(a.second->job.index).x[c] > state_.at(b.second->job.index).x[c];
      });
      for (const auto& [p, a] : keyed) out.emplace_back(a, c);
    }
    return out;
  }

  detail::GavelObjective objective_;
  std::size_t lp_jobs_;
  detail::ActiveJobs active_;
  std::unordered_map<JobIndex, State> state_;  // the preemptible active jobs
  std::vector<double> pool_ran_s_;             // per pool: sum of its jobs' ran_s
  std::vector<std::size_t> pool_order_;
  double last_now_s_ = 0;
  bool dirty_ = true;
};

}  // namespace

std::span<const ParamSpec> gavel_params() {
  return kParams;
}

std::unique_ptr<Policy> make_gavel(const PolicyParams& params) {
  return std::make_unique<GavelPolicy>(detail::GavelObjective::max_min_fairness, params);
}

std::unique_ptr<Policy> make_gavel_max_throughput(const PolicyParams& params) {
  return std::make_unique<GavelPolicy>(detail::GavelObjective::max_sum_throughput, params);
}

}  // namespace suanli::sched
