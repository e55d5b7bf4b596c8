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
#include <functional>
#include <limits>
#include <vector>

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

// Times kept per running job in a min-heap, each a lower bound of the time it stands for:
// what the policy must find among the running jobs at a call (who reached a limit, the
// earliest wake-up) comes from the few items at the top, not from reading every job. An
// item is stale once its job stopped, moved queue or ended (`gen` no longer matches).
class LowerBounds {
 public:
  struct Item {
    double key;
    std::uint64_t gen;
    JobIndex job;
    bool operator>(const Item& o) const { return key > o.key; }
  };
  void push(double key, std::uint64_t gen, JobIndex job) {
    heap_.push_back({key, gen, job});
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>{});
  }
  bool empty() const { return heap_.empty(); }
  const Item& top() const { return heap_.front(); }
  Item pop() {
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>{});
    const Item item = heap_.back();
    heap_.pop_back();
    return item;
  }
  // Drops stale items once they outnumber the live ones (`live` keeps an item).
  template <class Live>
  void compact(std::size_t live_count, Live live) {
    if (heap_.size() < 4 * live_count + 1024) return;
    std::erase_if(heap_, [&](const Item& i) { return !live(i); });
    std::make_heap(heap_.begin(), heap_.end(), std::greater<>{});
  }

 private:
  std::vector<Item> heap_;
};

class TiresiasPolicy final : public Policy {
 public:
  explicit TiresiasPolicy(const PolicyParams& params)
      : limits_(params.numbers("thresholds")),
        starvation_(params.number("starvation")),
        queues_(limits_.size() + 1) {}

  void submit(const QueuedJob& job) override {
    Entry& e = active_.add(job);
    e.extra.seq = next_seq_++;
    queues_[0].push_back(&e);
  }
  // Back from a stop it did not plan (a failure): it waits in its queue, where it was, with
  // the service it had (read at the next call).
  void requeue(const QueuedJob& job) override {
    Entry* e = active_.find(job.index);
    if (!e) return submit(job);
    if (e->cluster >= 0) stopped(*e), reread_.push_back(job.index);
    active_.wait_again(job.index);
  }
  void ended(JobIndex job, double /*now_s*/) override {
    if (Entry* e = active_.find(job)) {
      erase(queues_[e->extra.queue], e);
      if (e->cluster >= 0) --running_;
    }
    active_.remove(job);
  }
  std::size_t queued() const override { return active_.waiting(); }
  double wake_at_s() const override { return wake_at_s_; }

  Plan plan(const ClusterView& view) override {
    const double now = view.now();
    for (const JobIndex j : reread_)
      if (Entry* e = active_.find(j)) read(*e, view);
    reread_.clear();
    demote(view, now);
    if (starvation_ > 0) promote(view, now);
    std::vector<ActiveJob*> order;
    order.reserve(active_.all().size());
    for (const auto& queue : queues_) order.insert(order.end(), queue.begin(), queue.end());
    Plan plan = detail::plan_by_priority(order, view);
    active_.planned(plan);
    // The preempted keep the service they have now (the view still shows them running).
    for (const JobIndex j : plan.preempt) {
      Entry& e = *active_.find(j);
      read(e, view);
      stopped(e);
    }
    for (const Decision& d : plan.start) started(*active_.find(d.job), now);
    // Only a queue whose jobs started, stopped or arrived by demotion can be out of order.
    for (std::size_t q = 0; q < queues_.size(); ++q) {
      if (!touched_[q]) continue;
      std::stable_partition(queues_[q].begin(), queues_[q].end(),
                            [](const Entry* e) { return e->cluster >= 0; });
      touched_[q] = false;
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
    // Service counted towards its queue when last read: exact for a waiting job (read when
    // it stopped; it has not run since).
    double counted_gpu_s = 0;
    std::uint64_t seq = 0;  // arrival rank
    std::uint64_t gen = 0;  // changes at each start, stop and demotion: older items are stale
  };
  using Entry = detail::ActiveJobsOf<State>::Entry;

  static void erase(std::vector<Entry*>& queue, const Entry* e) {
    queue.erase(std::find(queue.begin(), queue.end(), e));
  }
  void read(Entry& e, const ClusterView& view) {
    e.extra.counted_gpu_s = view.service(e.job.index).attained_gpu_s - e.extra.service_base_gpu_s;
  }
  bool has_next_queue(const Entry& e) const { return e.extra.queue + 1 < queues_.size(); }
  // Items of a job that runs at `now`, from its counted service then: when it may reach its
  // queue's limit (attained service grows at most GPUs x 1 per second, so this is never
  // later than the real time; a hair earlier, for rounding) and the public code's wake-up
  // less 1 s: t + floor((limit - ran(t)) / GPUs) without the floor grows as the job runs on
  // (slope 1 - share / GPUs >= 0), and the floor takes less than 1 off.
  void push_items(const Entry& e, double now) {
    if (e.job.gpus == 0 || !has_next_queue(e)) return;
    const double limit = limits_[e.extra.queue];
    const double reach = now + (limit - e.extra.counted_gpu_s) / e.job.gpus;
    limit_at_.push(reach - 1e-9 * std::max(1.0, std::abs(reach)), e.extra.gen, e.job.index);
    wakes_.push(wake_of(e, now) - 1, e.extra.gen, e.job.index);
  }
  double wake_of(const Entry& e, double now) const {
    const double ran_s = e.extra.counted_gpu_s / e.job.gpus;
    return now + std::floor((limits_[e.extra.queue] - ran_s) / e.job.gpus);
  }
  Entry* live(const LowerBounds::Item& item) {
    Entry* e = active_.find(item.job);
    return e && e->cluster >= 0 && e->extra.gen == item.gen ? e : nullptr;
  }
  void started(Entry& e, double now) {
    ++running_;
    ++e.extra.gen;
    touched_[e.extra.queue] = true;
    push_items(e, now);
  }
  void stopped(Entry& e) {
    --running_;
    ++e.extra.gen;
    touched_[e.extra.queue] = true;
  }

  // Running jobs that reached their queue's limit move to the end of the next queue, one
  // queue a call, in arrival order. Only those whose lower bound has passed are read.
  void demote(const ClusterView& view, double now) {
    std::vector<Entry*> due;
    while (!limit_at_.empty() && limit_at_.top().key <= now)
      if (Entry* e = live(limit_at_.pop())) due.push_back(e);
    std::sort(due.begin(), due.end(),
              [](const Entry* a, const Entry* b) { return a->extra.seq < b->extra.seq; });
    due.erase(std::unique(due.begin(), due.end()), due.end());
    for (Entry* e : due) {
      read(*e, view);
      ++e->extra.gen;  // its wake item goes too: both come back below
      if (e->extra.counted_gpu_s >= limits_[e->extra.queue]) move(*e, e->extra.queue + 1);
    }
    for (Entry* e : due) push_items(*e, now);
    const auto is_live = [&](const LowerBounds::Item& i) { return live(i) != nullptr; };
    limit_at_.compact(running_, is_live);
    wakes_.compact(running_, is_live);
  }

  // The starvation guard: a waiting job below queue 0 that waited `starvation` times as
  // long as it ran goes back to queue 0 with its count restarted.
  void promote(const ClusterView& view, double now) {
    for (Entry& e : active_.all()) {
      State& s = e.extra;
      if (e.cluster >= 0 || s.queue == 0 || s.counted_gpu_s <= 0 || e.job.gpus == 0) continue;
      s.waited_s += now - last_call_s_;
      if (s.waited_s >= s.counted_gpu_s / e.job.gpus * starvation_) {
        move(e, 0);
        s.service_base_gpu_s = view.service(e.job.index).attained_gpu_s;
        s.counted_gpu_s = 0;
        s.waited_s = 0;
      }
    }
  }

  void move(Entry& e, std::size_t to) {
    erase(queues_[e.extra.queue], &e);
    queues_[to].push_back(&e);
    e.extra.queue = to;
    touched_[to] = true;
  }

  // The next call: when a running job may reach its queue's limit, or when the guard may
  // promote a waiting job. The running jobs read are those whose bound is below the least
  // exact wake-up found so far (the few within 1 s of the earliest).
  void plan_wake(const ClusterView& view, double now) {
    wake_at_s_ = std::numeric_limits<double>::infinity();
    std::vector<LowerBounds::Item> read_now;  // back in the heap after the search
    while (!wakes_.empty() && wakes_.top().key < wake_at_s_) {
      LowerBounds::Item item = wakes_.pop();
      Entry* e = live(item);
      if (!e) continue;
      read(*e, view);
      const double exact = wake_of(*e, now);
      wake_at_s_ = std::min(wake_at_s_, exact);
      item.key = exact - 1;
      read_now.push_back(item);
    }
    for (const LowerBounds::Item& item : read_now) wakes_.push(item.key, item.gen, item.job);
    if (starvation_ <= 0) return;
    for (const Entry& e : active_.all()) {
      const State& s = e.extra;
      if (e.cluster >= 0 || e.job.gpus == 0 || s.queue == 0 || s.counted_gpu_s <= 0) continue;
      const double ran_s = s.counted_gpu_s / e.job.gpus;
      wake_at_s_ = std::min(wake_at_s_, now + ran_s * starvation_ - s.waited_s);
    }
  }

  std::vector<double> limits_;
  double starvation_;
  detail::ActiveJobsOf<State> active_;
  std::vector<std::vector<Entry*>> queues_;  // each queue's jobs, in its order
  std::vector<bool> touched_ = std::vector<bool>(queues_.size(), false);
  LowerBounds limit_at_, wakes_;
  std::vector<JobIndex> reread_;  // requeued since the last call: service to read
  std::size_t running_ = 0;
  std::uint64_t next_seq_ = 0;
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
