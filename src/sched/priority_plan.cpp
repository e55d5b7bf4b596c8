// The greedy, preemptive plan shared by the priority policies (policy_factories.hpp).
#include <algorithm>
#include <vector>

#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched::detail {

Plan plan_by_priority(std::span<ActiveJob* const> order, const ClusterView& view,
                      bool may_preempt) {
  const auto clusters = view.clusters();
  // What whole-GPU jobs may take: free GPUs and those of the policy's preemptible runners.
  std::vector<FreeGpus> room = free_tally(view);
  for (auto& r : room) r.share_room_milli = 0, r.nodes = {};
  bool unpreemptible_waits = false, gpu_less = false;
  for (const ActiveJob* a : order) {
    if (!preemptible(a->job)) {
      unpreemptible_waits |= a->cluster < 0;
      continue;
    }
    gpu_less |= a->job.gpus == 0;
    if (a->cluster >= 0) room[std::size_t(a->cluster)].whole += a->job.gpus;
  }

  Plan plan;
  std::vector<int> target(order.size(), -1);
  if (!may_preempt) {
    for (std::size_t i = 0; i < order.size(); ++i) {
      const ActiveJob& a = *order[i];
      if (a.cluster < 0 || !preemptible(a.job)) continue;
      room[std::size_t(a.cluster)].whole -= a.job.gpus;
      target[i] = a.cluster;
    }
  }
  // Once no GPU is left anywhere, the jobs further down get none (most calls of a busy
  // cluster stop here, well before the end of a long queue).
  int whole_left = 0;
  for (const FreeGpus& r : room) whole_left += r.whole;
  for (std::size_t i = 0; i < order.size() && (whole_left > 0 || gpu_less); ++i) {
    const ActiveJob& a = *order[i];
    if (!preemptible(a.job) || target[i] >= 0 || a.job.gpus > whole_left) continue;
    int c = a.cluster;
    if (c < 0 || room[std::size_t(c)].whole < a.job.gpus) c = pick_cluster(a.job, view, room);
    if (c < 0) continue;
    room[std::size_t(c)].whole -= a.job.gpus;
    whole_left -= a.job.gpus;
    target[i] = c;
  }
  std::vector<bool> whole_start(clusters.size(), false);
  for (std::size_t i = 0; i < order.size(); ++i) {
    ActiveJob& a = *order[i];
    if (!preemptible(a.job) || target[i] == a.cluster) continue;
    if (a.cluster >= 0) plan.preempt.push_back(a.job.index);
    if (target[i] >= 0) {
      plan.start.push_back({a.job.index, target[i]});
      whole_start[std::size_t(target[i])] = true;
    }
    a.cluster = target[i];
  }

  if (!unpreemptible_waits) return plan;
  std::vector<int> left(clusters.size());
  for (std::size_t c = 0; c < clusters.size(); ++c) left[c] = room[c].whole;
  start_unpreemptible(order, view, left, whole_start, plan);
  return plan;
}

void start_unpreemptible(std::span<ActiveJob* const> order, const ClusterView& view,
                         const std::vector<int>& whole_left, const std::vector<bool>& whole_start,
                         Plan& plan) {
  // On what is left, as the view says it (their rooms and nodes).
  std::vector<FreeGpus> left = free_tally(view);
  for (std::size_t c = 0; c < left.size(); ++c) {
    left[c].whole = whole_left[c];
    left[c].placed_elsewhere = whole_start[c];
  }
  for (ActiveJob* a : order) {
    if (preemptible(a->job) || a->cluster >= 0) continue;
    const int c = pick_cluster(a->job, view, left);
    if (c < 0) continue;
    std::vector<Started> started;
    start(a->job, c, left[std::size_t(c)], started);
    plan.start.push_back({a->job.index, c, started.front().node});
    a->cluster = c;
  }
}

Plan KeyedPreemptivePolicy::plan(const ClusterView& view) {
  std::vector<std::pair<double, ActiveJob*>> keyed;
  const std::size_t active = active_.all().size();
  for (ActiveJob& a : active_.all()) keyed.emplace_back(key_(a.job, view, active), &a);
  std::stable_sort(keyed.begin(), keyed.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<ActiveJob*> order;
  order.reserve(keyed.size());
  for (const auto& [key, a] : keyed) order.push_back(a);
  Plan plan = plan_by_priority(order, view, !leases_ || view.at_round());
  active_.planned(plan);
  return plan;
}

}  // namespace suanli::sched::detail
