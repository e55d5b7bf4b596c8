// EASY backfilling (Lifka 1995, "The ANL/IBM SP scheduling system"; Mu'alem & Feitelson
// 2001, "Utilization, predictability, workloads, and user runtime estimates in scheduling
// the IBM SP2 with backfilling"). FIFO order, but when the head does not fit it gets a
// reservation (the earliest time and cluster where enough GPUs will be free, judged from
// the running jobs' expected ends), and later jobs may jump ahead as long as they cannot
// delay that reservation. Only the head is protected: that is what makes it "aggressive"
// rather than conservative backfilling.
// Under a facility power budget (docs/model.md, "Power budget") power is a second resource,
// shared by all clusters: the head's reservation is also the time enough power frees up, and a
// backfilled job must fit the power left now and, if it runs past the shadow time, the power
// to spare then — EASY with two resources, as power-aware backfilling is usually built
// (e.g. Patki et al., "Exploring hardware overprovisioning in power-constrained, high
// performance computing", ICS'13; Sarood et al., "Maximizing throughput of overprovisioned HPC
// data centers under a strict power budget", SC'14).
#include <algorithm>
#include <iterator>
#include <limits>
#include <utility>
#include <vector>

#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {
namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();

// How many queued jobs one pass considers for backfilling, as production schedulers bound it
// (Slurm's bf_max_job_test, default 500). Without a bound an overloaded trace makes every
// event scan the whole queue: 100k single-node jobs at 1.5x load took 61 s instead of 6 s.
constexpr int kBackfillDepth = 500;

struct Reservation {
  int cluster = -1;        // -1: no shadow time could be computed, see `closed`
  double shadow = kNever;  // when the head can start on `cluster`
  int extra = 0;           // GPUs of `cluster` free at the shadow time beyond the head's need
  // Facility power to spare at the shadow time beyond the head's (infinite without a budget).
  double extra_power_w = kNever;
  // Without a reservation, every cluster that could run the head is closed to backfilling:
  // we cannot tell what would delay it, so nothing may (conservative, never starves it).
  std::vector<char> closed;
};

class EasyPolicy final : public Policy {
 public:
  void submit(const QueuedJob& job) override { queue_.push(job.submit_s, job); }

  std::vector<Decision> schedule(const ClusterView& view) override {
    std::vector<FreeGpus> free = detail::free_tally(view);
    std::vector<detail::Started> started;
    double power_room = view.power_headroom_w();
    detail::start_from_head(queue_, set_aside_, view, free, started, power_room);

    if (queue_.empty() || !detail::anything_free(free)) return detail::to_decisions(started);

    const QueuedJob head = queue_.front();
    Reservation reservation = reserve(head, view, free, started);
    if (power_room < kNever && reservation.cluster >= 0)
      reserve_power(head, view, started, power_room, reservation);

    // Backfill: later jobs in submit order, each on the fastest cluster where it fits now
    // without delaying the head. Stop once nothing is free (no later job could start) or
    // kBackfillDepth jobs have been considered.
    int considered = 0;
    for (auto it = std::next(queue_.begin());
         it != queue_.end() && considered < kBackfillDepth && detail::anything_free(free);
         ++considered) {
      const QueuedJob& job = it->job;
      const int cluster = backfill_cluster(job, view, free, reservation, power_room);
      if (cluster < 0) {
        ++it;
        continue;
      }
      detail::start(job, cluster, free[cluster], started);
      const int whole = started.back().whole_gpus;
      const bool past_shadow =
          view.now() + view.estimated_runtime(job, cluster) > reservation.shadow;
      if (cluster == reservation.cluster && past_shadow)
        reservation.extra -= whole;  // still running at the shadow time: uses the spare
      if (power_room < kNever) {
        const double power = view.start_power_w(job, cluster);
        power_room -= power;
        if (past_shadow) reservation.extra_power_w -= power;
      }
      it = queue_.erase(it);
    }
    return detail::to_decisions(started);
  }

  std::size_t queued() const override { return queue_.size() + set_aside_.size(); }

 private:
  static bool could_hold(const QueuedJob& job, const ClusterInfo& cluster) {
    return detail::model_matches(job, cluster) && cluster.total_gpus >= job.gpus;
  }

  // The head's reservation: on each cluster that could ever hold it, walk the jobs in order
  // of expected end (running ones, plus the ones started earlier in this call, which the
  // view does not list yet), adding their GPUs to what is free now until the head fits.
  // The earliest such time over clusters wins (ties: lowest index).
  static Reservation reserve(const QueuedJob& head, const ClusterView& view,
                             const std::vector<FreeGpus>& free,
                             const std::vector<detail::Started>& started) {
    const auto clusters = view.clusters();
    const double now = view.now();
    Reservation best;
    // A pod waits for one node to hold it, and which node a running job frees is not known
    // here: no shadow time, so the clusters it could use are closed (below).
    const bool pod_on_nodes =
        head.is_pod() &&
        std::any_of(free.begin(), free.end(), [](const FreeGpus& f) { return !f.nodes.empty(); });
    std::vector<std::pair<double, int>> mine;  // (expected end, GPUs) started in this call
    for (std::size_t i = 0; i < clusters.size(); ++i) {
      const int c = static_cast<int>(i);
      if (pod_on_nodes || !could_hold(head, clusters[c])) continue;
      mine.clear();
      for (const detail::Started& s : started)
        if (s.cluster == c) mine.emplace_back(now + view.estimated_runtime(s.job, c), s.whole_gpus);
      std::stable_sort(mine.begin(), mine.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });

      // A share head waits for room on some GPU, which any ending job may make; which one
      // will is not known, so its shadow time is the first end (an estimate, like walltimes).
      const bool share_head = head.share_milli > 0;
      int available = free[c].whole;
      double shadow = fits(head, free[c]) ? now : kNever;
      // Takes the next end in time order; false once it is past the shadow time (nothing
      // later frees GPUs in time for the head).
      auto take = [&](double end, int gpus) {
        if (shadow != kNever && end > shadow) return false;
        available += gpus;
        if (shadow == kNever && (available >= head.gpus || share_head)) shadow = end;
        return true;
      };
      // Merge the running jobs (already in order) with this call's starts; on equal ends the
      // running job comes first. A job past its expected end is still running: it is taken
      // to end now, not in the past.
      std::size_t k = 0;
      bool open = true;
      view.visit_running(c, [&](const RunningJob& r) {
        const double end = std::max(r.expected_end_s, now);
        for (; open && k < mine.size() && mine[k].first < end; ++k)
          open = take(mine[k].first, mine[k].second);
        if (open) open = take(end, r.gpus);
        return open;
      });
      for (; open && k < mine.size(); ++k) open = take(mine[k].first, mine[k].second);
      if (shadow < best.shadow) {
        best.cluster = c;
        best.shadow = shadow;
        best.extra = available - head.gpus;
      }
    }
    if (best.cluster < 0) {
      // The running jobs never free enough (the view's free + running GPUs fall short of
      // the total, e.g. failed GPUs), or the head is a pod: close every cluster the head
      // could use.
      best.closed.assign(clusters.size(), 0);
      for (std::size_t c = 0; c < clusters.size(); ++c)
        best.closed[c] = could_hold(head, clusters[c]) ? 1 : 0;
    }
    return best;
  }

  // Under a budget, when the head's power is there too: walk every running job (and this
  // call's starts) in order of expected end, adding the power each frees to what is left now,
  // until the head's start fits; the shadow time is the later of that and the GPUs'. When
  // nothing that ends frees enough (the budget is low for now), no power is spare at the
  // shadow time: only jobs that end before it may backfill.
  static void reserve_power(const QueuedJob& head, const ClusterView& view,
                            const std::vector<detail::Started>& started, double power_room,
                            Reservation& reservation) {
    const double need = view.start_power_w(head, reservation.cluster);
    std::vector<std::pair<double, double>> ends;  // (expected end, power freed)
    const double now = view.now();
    for (std::size_t c = 0; c < view.clusters().size(); ++c)
      view.visit_running(int(c), [&](const RunningJob& r) {
        ends.emplace_back(std::max(r.expected_end_s, now), r.power_w);
        return true;
      });
    for (const detail::Started& s : started)
      ends.emplace_back(now + view.estimated_runtime(s.job, s.cluster),
                        view.start_power_w(s.job, s.cluster));
    std::stable_sort(ends.begin(), ends.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    double available = power_room;
    double power_shadow = available >= need ? now : kNever;
    for (const auto& [end, power] : ends) {
      if (power_shadow != kNever && end > std::max(power_shadow, reservation.shadow)) break;
      available += power;
      if (power_shadow == kNever && available >= need) power_shadow = end;
    }
    if (power_shadow == kNever) {  // the budget is too low for the head now, whatever ends
      reservation.extra_power_w = 0;
      return;
    }
    reservation.shadow = std::max(reservation.shadow, power_shadow);
    reservation.extra_power_w = available - need;
  }

  // The fastest cluster where `job` fits now and starting it cannot delay the head: any
  // cluster but the reserved one; on the reserved one, only if the job ends by the shadow
  // time or fits in the spare GPUs. Under a budget it must also fit the power left now and, if
  // it runs past the shadow time, the power to spare then. -1 when none.
  static int backfill_cluster(const QueuedJob& job, const ClusterView& view,
                              const std::vector<FreeGpus>& free, const Reservation& reservation,
                              double power_room) {
    const auto clusters = view.clusters();
    int best = -1;
    double best_runtime = kNever;
    for (std::size_t i = 0; i < clusters.size(); ++i) {
      const int c = static_cast<int>(i);
      if (!detail::model_matches(job, clusters[c]) || !fits(job, free[c])) continue;
      if (!reservation.closed.empty() && reservation.closed[c]) continue;
      const double runtime = view.estimated_runtime(job, c);
      if (c == reservation.cluster && view.now() + runtime > reservation.shadow &&
          whole_gpus_needed(job, free[c]) > reservation.extra)
        continue;
      if (power_room < kNever) {
        const double power = view.start_power_w(job, c);
        if (power > power_room) continue;
        if (view.now() + runtime > reservation.shadow && power > reservation.extra_power_w)
          continue;
      }
      if (best < 0 || runtime < best_runtime) {
        best = c;
        best_runtime = runtime;
      }
    }
    return best;
  }

  detail::OrderedQueue queue_;
  std::vector<QueuedJob> set_aside_;  // can never fit any cluster
};

}  // namespace

std::unique_ptr<Policy> make_easy(const PolicyParams& /*params*/) {
  return std::make_unique<EasyPolicy>();
}

}  // namespace suanli::sched
