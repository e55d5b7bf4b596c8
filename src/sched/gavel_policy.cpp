// Gavel (Narayanan et al., "Heterogeneity-Aware Cluster Scheduling Policies for Deep Learning
// Workloads", OSDI'20): an LP gives each job x_jc, the fraction of time it should spend on
// each pool of GPUs (gavel_lp.cpp; here a pool is a cluster), and a round mechanism makes the
// time jobs really get follow x (section 5; the public code's scheduler/scheduler.py,
// _update_priorities and _schedule_jobs_on_workers_helper):
//  - the LP is solved at the first call, then again at a round when the set of active jobs
//    has changed and at least `reset_s` (Gavel's minimum_time_between_allocation_resets,
//    1,920 s) have passed since the last solve; the time each job has received is then reset
//    to half a round on every pool, as _reset_time_run_so_far does. A job that arrived since
//    has x = 0 (priority 0) until the next solve and runs on what the others leave;
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
#include <tuple>

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
    {.key = "reset_s",
     .default_value = "1920",
     .help = "least seconds between two solves of the LP, which happen at rounds after the "
             "set of jobs changed (Gavel's minimum_time_between_allocation_resets; 0: at "
             "every such round)",
     .min = 0},
};

class GavelPolicy final : public Policy {
 public:
  GavelPolicy(detail::GavelObjective objective, const PolicyParams& params)
      : objective_(objective),
        lp_jobs_(std::size_t(params.number("lp_jobs"))),
        reset_s_(params.number("reset_s")) {}

  void submit(const QueuedJob& job) override {
    Entry& e = active_.add(job);
    e.extra.seq = next_seq_++;
    if (detail::preemptible(job))
      fresh_.push_back(&e);
    else
      ++unpreemptible_;
    dirty_ = true;
  }
  // Back from a stop it did not plan (a failure): it waits again, with the time it ran.
  void requeue(const QueuedJob& job) override {
    if (Entry* e = active_.find(job.index); e && e->cluster >= 0 && in_lp(*e))
      accrue(*e, last_now_s_);
    if (!active_.wait_again(job.index)) submit(job);
    ranked_valid_ = false;
  }
  void ended(JobIndex job, double /*now_s*/) override {
    if (const Entry* e = active_.find(job); e && !detail::preemptible(e->job)) --unpreemptible_;
    active_.remove(job);
    dirty_ = true;
  }
  std::size_t queued() const override { return active_.waiting(); }

  Plan plan(const ClusterView& view) override {
    const double now = view.now();
    const bool round = view.at_round();
    last_now_s_ = now;
    add_fresh(view);
    const bool solve_now =
        dirty_ && (last_solve_s_ < 0 || (round && now - last_solve_s_ >= reset_s_));
    if (round || solve_now)
      for (Entry& e : active_.all())
        if (e.cluster >= 0 && in_lp(e)) accrue(e, now);
    if (solve_now) {
      solve(view);
      dirty_ = false;
      last_solve_s_ = now;
      ranked_valid_ = false;
    }
    Plan plan = round ? plan_round(view) : plan_between_rounds(view);
    active_.planned(plan);
    return plan;
  }

 private:
  // Per whole-GPU job (the others have empty vectors and take no part).
  struct State {
    std::vector<double> speed;  // per pool: reference-GPU seconds of work per second, 0: never
    std::vector<double> x;      // the LP's time fractions
    std::vector<double> ran_s;  // seconds run on each pool since the last reset...
    double since_s = 0;         // ...besides those since this instant, while it runs
    int target = -1;            // the cluster this plan gives it (-1: none)
    std::uint64_t seq = 0;      // arrival rank
  };
  using Entry = detail::ActiveJobsOf<State>::Entry;
  static bool in_lp(const Entry& e) { return !e.extra.speed.empty(); }

  // Books the time a running job has run since `since_s` on its pool.
  static void accrue(Entry& e, double now) {
    e.extra.ran_s[std::size_t(e.cluster)] += now - e.extra.since_s;
    e.extra.since_s = now;
  }

  // A round: every whole-GPU job is ranked, running or not, and may be preempted or moved.
  Plan plan_round(const ClusterView& view) {
    const std::size_t pools = view.clusters().size();
    // What whole-GPU jobs may take: free GPUs and those of the policy's own.
    std::vector<int> room(pools);
    for (std::size_t c = 0; c < pools; ++c) room[c] = view.clusters()[c].free_gpus;
    for (Entry& e : active_.all()) {
      e.extra.target = -1;
      if (detail::preemptible(e.job) && e.cluster >= 0) room[std::size_t(e.cluster)] += e.job.gpus;
    }
    rank(/*waiting_only=*/false);
    for (const std::size_t c : pool_order_)
      for (Entry* e : ranked_[c]) {
        if (e->extra.target >= 0 || room[c] < e->job.gpus) continue;
        room[c] -= e->job.gpus;
        e->extra.target = int(c);
      }
    Plan plan;
    std::vector<Entry*> starts;
    for (Entry& e : active_.all()) {
      if (!detail::preemptible(e.job) || e.extra.target == e.cluster) continue;
      if (e.cluster >= 0) plan.preempt.push_back(e.job.index);
      e.cluster = e.extra.target;
      if (e.cluster >= 0) starts.push_back(&e);
    }
    finish(view, starts, room, plan);
    // Until the next round the waiting jobs keep this order (their x and time run do not
    // change, and running jobs keep their GPUs): the calls in between only walk it.
    drop_running_from_ranked();
    ranked_valid_ = true;
    return plan;
  }

  // Between rounds (arrivals, completions): running jobs keep their GPUs; waiting jobs start,
  // in the round's order, on GPUs that are free.
  Plan plan_between_rounds(const ClusterView& view) {
    const std::size_t pools = view.clusters().size();
    if (!ranked_valid_) {
      rank(/*waiting_only=*/true);
      ranked_valid_ = true;
    }
    std::vector<int> room(pools);
    int free = 0;
    for (std::size_t c = 0; c < pools; ++c) free += room[c] = view.clusters()[c].free_gpus;
    Plan plan;
    std::vector<Entry*> starts;
    for (const std::size_t c : pool_order_) {
      if (room[c] == 0) continue;
      for (Entry* e : ranked_[c]) {
        if (free == 0 || room[c] == 0) break;
        if (e->cluster >= 0 || room[c] < e->job.gpus) continue;
        room[c] -= e->job.gpus;
        free -= e->job.gpus;
        e->cluster = int(c);
        starts.push_back(e);
      }
    }
    if (!starts.empty()) drop_running_from_ranked();
    // In arrival order, as a round lists them, before the sort by size.
    std::sort(starts.begin(), starts.end(),
              [](const Entry* a, const Entry* b) { return a->extra.seq < b->extra.seq; });
    finish(view, starts, room, plan);
    return plan;
  }

  void drop_running_from_ranked() {
    for (auto& ranked : ranked_)
      std::erase_if(ranked, [](const Entry* e) { return e->cluster >= 0; });
  }

  // Starts go largest first, as Gavel assigns workers, so that big jobs find whole nodes;
  // then shares and pods on what is left.
  void finish(const ClusterView& view, std::vector<Entry*>& starts, const std::vector<int>& room,
              Plan& plan) {
    std::stable_sort(starts.begin(), starts.end(),
                     [](const Entry* x, const Entry* y) { return x->job.gpus > y->job.gpus; });
    std::vector<bool> whole_start(room.size(), false);
    for (Entry* e : starts) {
      plan.start.push_back({e->job.index, e->cluster});
      whole_start[std::size_t(e->cluster)] = true;
      e->extra.since_s = view.now();
    }
    if (unpreemptible_ == 0) return;
    std::vector<ActiveJob*> order;
    order.reserve(active_.all().size());
    for (Entry& e : active_.all()) order.push_back(&e);
    detail::start_unpreemptible(order, view, room, whole_start, plan);
  }

  // Jobs that arrived since the last call: their speeds, x = 0 and, as Gavel's add_job
  // does, half a round received on every pool. With x = 0 they rank last (by arrival) in
  // every pool they may use.
  void add_fresh(const ClusterView& view) {
    const std::size_t pools = view.clusters().size();
    ranked_.resize(pools);
    for (Entry* e : fresh_) {
      State& s = e->extra;
      s.speed.assign(pools, 0);
      for (std::size_t c = 0; c < pools; ++c) s.speed[c] = speed_on(e->job, view, c);
      s.x.assign(pools, 0);
      s.ran_s.assign(pools, kRoundS / 2);
      if (ranked_valid_)
        for (std::size_t c = 0; c < pools; ++c)
          if (s.speed[c] > 0) ranked_[c].push_back(e);
    }
    fresh_.clear();
  }

  static double speed_on(const QueuedJob& job, const ClusterView& view, std::size_t c) {
    const ClusterInfo& info = view.clusters()[c];
    if (!detail::model_matches(job, info) || info.total_gpus < job.gpus) return 0;
    const double runtime = view.estimated_runtime(job, int(c));
    return job.walltime_s > 0 && runtime > 0 ? job.walltime_s / runtime : 1;
  }

  void solve(const ClusterView& view) {
    const std::size_t pools = view.clusters().size();
    std::vector<std::pair<double, Entry*>> jobs;
    for (Entry& e : active_.all()) {
      if (!in_lp(e)) continue;
      e.extra.x.assign(pools, 0);
      jobs.emplace_back(0, &e);
    }
    // The LP's cost grows faster than its size (docs/policies.md has timings): beyond
    // lp_jobs, the jobs that have received the least service so far take part.
    if (jobs.size() > lp_jobs_) {
      for (auto& [attained, e] : jobs) attained = view.service(e->job.index).attained_gpu_s;
      std::stable_sort(jobs.begin(), jobs.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      jobs.resize(lp_jobs_);
    }
    detail::GavelLpInput in;
    for (const ClusterInfo& c : view.clusters()) in.capacity.push_back(c.total_gpus);
    for (const auto& [attained, e] : jobs) {
      in.speed.insert(in.speed.end(), e->extra.speed.begin(), e->extra.speed.end());
      in.scale.push_back(e->job.gpus);
    }
    const std::vector<double> x = detail::solve_gavel_lp(in, objective_);
    for (std::size_t j = 0; j < jobs.size(); ++j)
      std::copy_n(x.begin() + std::ptrdiff_t(j * pools), pools, jobs[j].second->extra.x.begin());

    // _reset_time_run_so_far: every job starts again from half a round on every pool.
    // Gavel fills its fastest worker type first (v100, p100, k80): here the pools by the
    // active jobs' mean speed there, fastest first (ties: lowest index).
    std::vector<double> mean(pools, 0);
    for (Entry& e : active_.all()) {
      if (!in_lp(e)) continue;
      e.extra.ran_s.assign(pools, kRoundS / 2);
      for (std::size_t c = 0; c < pools; ++c) mean[c] += e.extra.speed[c];
    }
    pool_order_.resize(pools);
    for (std::size_t c = 0; c < pools; ++c) pool_order_[c] = c;
    std::stable_sort(pool_order_.begin(), pool_order_.end(),
                     [&](std::size_t a, std::size_t b) { return mean[a] > mean[b]; });
  }

  // Gavel's priority of (job, pool), x / (its share of the pool's time since the reset), over
  // the pool's total time, which is the same for every job of the pool: the order within a
  // pool, all that is compared, is that of x / time run (at least the half round credited).
  static double priority(const State& s, std::size_t c) {
    return s.x[c] <= 0 ? 0 : s.x[c] / s.ran_s[c];
  }

  // Each pool's jobs (all whole-GPU jobs that may use it, or only the waiting ones) by
  // priority, then allocation, then arrival (Gavel breaks ties by its deficit, then
  // allocation); pools are walked fastest first (pool_order_).
  void rank(bool waiting_only) {
    std::vector<std::tuple<double, double, Entry*>> keyed;
    for (std::size_t c = 0; c < ranked_.size(); ++c) {
      keyed.clear();
      for (Entry& e : active_.all()) {
        if (!in_lp(e) || e.extra.speed[c] <= 0 || (waiting_only && e.cluster >= 0)) continue;
        keyed.emplace_back(priority(e.extra, c), e.extra.x[c], &e);
      }
      std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
        if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a) > std::get<0>(b);
        return std::get<1>(a) > std::get<1>(b);
      });
      ranked_[c].clear();
      for (const auto& [p, x, e] : keyed) ranked_[c].push_back(e);
    }
  }

  detail::GavelObjective objective_;
  std::size_t lp_jobs_;
  double reset_s_;
  detail::ActiveJobsOf<State> active_;
  std::vector<Entry*> fresh_;  // submitted since the last call (not yet started)
  std::vector<std::size_t> pool_order_;
  std::vector<std::vector<Entry*>> ranked_;  // per pool, rank()'s order
  bool ranked_valid_ = false;      // between rounds: ranked_ holds the waiting jobs in order
  std::size_t unpreemptible_ = 0;  // shares and pods among the active jobs
  std::uint64_t next_seq_ = 0;
  double last_now_s_ = 0;
  double last_solve_s_ = -1;  // -1: never solved
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
