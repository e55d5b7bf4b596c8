// Conservative backfilling (Mu'alem & Feitelson 2001, "Utilization, predictability, workloads,
// and user runtime estimates in scheduling the IBM SP2 with backfilling"): every queued job, in
// submit order, gets a reservation at the earliest time some allowed cluster has its GPUs free
// for its whole estimated runtime, given the running jobs' expected ends and the reservations
// of the jobs ahead of it. A job reserved for now starts now, so a job jumps ahead only when it
// delays no job before it, not only the head (EASY). The free GPUs over time are an interval
// map per cluster, as in WRENCH's and batsched's conservative_bf, and are rebuilt at every call
// from what runs, so early completions pull the later reservations forward.
#include <algorithm>
#include <iterator>
#include <limits>
#include <map>
#include <tuple>
#include <vector>

#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {
namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();

constexpr ParamSpec kParams[] = {
    {.key = "depth",
     .default_value = "500",
     .help = "queued jobs given a reservation per call; the ones behind them wait",
     .min = 1,
     .integer = true},
};

// Free whole GPUs of one cluster over time: each key's value holds until the next key; the
// first key is now and the last value lasts forever.
using Profile = std::map<double, int>;

// The earliest key at which `gpus` stay free for `duration`: one pass over the profile.
double earliest(const Profile& profile, int gpus, double duration) {
  double start = kNever;
  for (auto it = profile.begin(); it != profile.end(); ++it) {
    if (it->second < gpus) {
      start = kNever;
      continue;
    }
    if (start == kNever) start = it->first;
    const auto next = std::next(it);
    if (next == profile.end() || next->first >= start + duration) return start;
  }
  return kNever;
}

// Takes `gpus` off [start, start + duration), splitting the intervals at both ends.
void hold(Profile& profile, double start, double duration, int gpus) {
  auto split = [&](double t) {
    auto it = std::prev(profile.upper_bound(t));
    return it->first == t ? it : profile.emplace_hint(std::next(it), t, it->second);
  };
  const double end = start + duration;
  const auto last = end == kNever ? profile.end() : split(end);
  for (auto it = split(start); it != last; ++it) it->second -= gpus;
}

class ConservativePolicy final : public Policy {
 public:
  explicit ConservativePolicy(const PolicyParams& params)
      : depth_(static_cast<int>(params.number("depth"))) {}

  void submit(const QueuedJob& job) override { queue_.push(job.submit_s, job); }
  std::size_t queued() const override { return queue_.size() + set_aside_.size(); }

  std::vector<Decision> schedule(const ClusterView& view) override {
    std::vector<FreeGpus> free = detail::free_tally(view);
    std::vector<detail::Started> started;
    if (queue_.empty() || !detail::anything_free(free)) return {};
    profiles_.assign(free.size(), {});
    closed_.assign(free.size(), 0);
    for (std::size_t c = 0; c < free.size(); ++c) build_profile(view, int(c), free[c].whole);

    // Jobs past depth_ wait. The scan also stops once no cluster could start anything now:
    // the reservations of the jobs behind decide nothing in this call.
    int considered = 0;
    for (auto it = queue_.begin(); it != queue_.end() && considered < depth_ && open(free);) {
      const QueuedJob& job = it->job;
      if (!detail::can_ever_fit(job, view.clusters())) {
        set_aside_.push_back(job);
        it = queue_.erase(it);
        continue;
      }
      ++considered;
      if (reserve(job, view, free, started))
        it = queue_.erase(it);
      else
        ++it;
    }
    return detail::to_decisions(started);
  }

 private:
  // Free GPUs now, plus each running job's GPUs from its expected end on; a job past its
  // expected end is assumed to end now, never in the past.
  void build_profile(const ClusterView& view, int c, int free_now) {
    Profile& p = profiles_[c];
    p[view.now()] = free_now;
    view.visit_running(c, [&](const RunningJob& r) {
      if (r.gpus > 0) p[std::max(r.expected_end_s, view.now())] += r.gpus;
      return true;
    });
    int sum = 0;  // deltas to running totals
    for (auto& [t, v] : p) v = sum += v;
  }

  // Whether some cluster could still start a job now: GPUs free both in the tally and in the
  // profile (after the reservations made so far), room for a share, or nodes for a pod.
  bool open(const std::vector<FreeGpus>& free) const {
    for (std::size_t c = 0; c < free.size(); ++c) {
      if (closed_[c]) continue;
      if (std::min(free[c].whole, profiles_[c].begin()->second) > 0 ||
          free[c].share_room_milli > 0 || !free[c].nodes.empty())
        return true;
    }
    return false;
  }

  // Gives `job` its reservation and returns true when it starts now. A share is reserved as
  // one whole GPU; in the room beside other shares it takes none and delays nobody. A pod on
  // a view with nodes starts now or not at all (which node a running job frees is not
  // known). A job reserved nowhere closes its clusters to the jobs behind it, as EASY closes
  // them for its head; a share that is not such a pod does not, as any ending job may make
  // room for it.
  bool reserve(const QueuedJob& job, const ClusterView& view, std::vector<FreeGpus>& free,
               std::vector<detail::Started>& started) {
    const auto clusters = view.clusters();
    const double now = view.now();
    const bool share = job.share_milli > 0;
    const int gpus = share ? 1 : job.gpus;
    // (start, cannot start now, runtime, cluster): the smallest wins.
    std::tuple<double, bool, double, int> best{kNever, true, kNever, -1};
    bool pod_waits = false;  // a pod that no node holds now
    for (std::size_t i = 0; i < clusters.size(); ++i) {
      const int c = static_cast<int>(i);
      if (closed_[c] || !detail::model_matches(job, clusters[c]) || clusters[c].total_gpus < gpus)
        continue;
      const double runtime = view.estimated_runtime(job, c);
      double start = earliest(profiles_[c], gpus, runtime);
      // Now only if the tally has the GPUs too (an overdue job's are in the profile alone).
      const bool fits_now =
          fits(job, free[c]) && (whole_gpus_needed(job, free[c]) == 0 || start == now);
      if (fits_now) start = now;
      if (job.is_pod() && !free[c].nodes.empty() && !fits_now) {
        pod_waits = true;
        continue;
      }
      best = std::min(best, decltype(best){start, !fits_now, runtime, c});
    }
    const auto [start, waits, runtime, c] = best;
    if (start == kNever) {
      if (!share || pod_waits)
        for (std::size_t i = 0; i < clusters.size(); ++i)
          if (detail::model_matches(job, clusters[i]) && clusters[i].total_gpus >= gpus)
            closed_[i] = 1;
      return false;
    }
    if (waits) {
      hold(profiles_[c], start, runtime, gpus);
      return false;
    }
    detail::start(job, c, free[c], started);
    hold(profiles_[c], now, runtime, started.back().whole_gpus);
    return true;
  }

  int depth_;
  detail::OrderedQueue queue_;
  std::vector<QueuedJob> set_aside_;  // can never fit any cluster
  std::vector<Profile> profiles_;     // per cluster, rebuilt at every call
  std::vector<char> closed_;          // per cluster: a job ahead could not be reserved
};

}  // namespace

std::span<const ParamSpec> conservative_params() {
  return kParams;
}

std::unique_ptr<Policy> make_conservative(const PolicyParams& params) {
  return std::make_unique<ConservativePolicy>(params);
}

}  // namespace suanli::sched
