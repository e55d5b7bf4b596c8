// Carbon-aware temporal shifting (Wiesner et al., "Let's Wait Awhile: How Temporal Workload
// Shifting Can Reduce Carbon Emissions in the Cloud", Middleware'21): a deferrable job (the
// workload's `deadline`, seconds after submission by which it must have finished) waits for
// the hours when the grid at its site is cleanest, without missing its deadline; every other
// job goes straight to EASY backfilling, which also runs the released ones. As in the paper
// the forecast is perfect: the platform's carbon series (ClusterView::carbon_g_per_kwh).
//
// At its first call after a deferrable job's arrival the policy picks its release time: among
// now, now + step, ... up to its latest start (deadline - its estimated runtime on the fastest
// cluster it may use), the start whose run would see the lowest mean intensity at that
// cluster's site (sampled every step; ties: the earliest). The job is handed to EASY then
// (wake_at_s), with its submit time, so it queues ahead of later arrivals. A job whose latest
// start has passed, or whose site gives no intensity, is released at once.
#include <cmath>
#include <limits>
#include <map>

#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {
namespace {

constexpr ParamSpec kParams[] = {
    {.key = "step_s",
     .default_value = "900",
     .help = "seconds between the start times tried, and between intensity samples",
     .min = 1}};

class CarbonAwarePolicy final : public Policy {
 public:
  explicit CarbonAwarePolicy(const PolicyParams& params)
      : easy_(make_easy({})), step_s_(params.number("step_s")) {}

  void submit(const QueuedJob& job) override {
    if (std::isfinite(job.deadline_s))
      unplanned_.push_back(job);
    else
      easy_->submit(job);
  }
  void requeue(const QueuedJob& job) override { easy_->requeue(job); }
  void ended(JobIndex job, double now_s) override { easy_->ended(job, now_s); }
  std::size_t queued() const override {
    return easy_->queued() + unplanned_.size() + deferred_.size();
  }
  double wake_at_s() const override {
    const double mine =
        deferred_.empty() ? std::numeric_limits<double>::infinity() : deferred_.begin()->first;
    return std::min(mine, easy_->wake_at_s());
  }

  std::vector<Decision> schedule(const ClusterView& view) override {
    for (const QueuedJob& job : unplanned_) deferred_.emplace(release_time(job, view), job);
    unplanned_.clear();
    while (!deferred_.empty() && deferred_.begin()->first <= view.now()) {
      easy_->submit(deferred_.begin()->second);
      deferred_.erase(deferred_.begin());
    }
    return easy_->schedule(view);
  }

 private:
  double release_time(const QueuedJob& job, const ClusterView& view) const {
    const double now = view.now();
    // The fastest cluster the job may use, and its runtime there.
    int cluster = -1;
    double runtime = std::numeric_limits<double>::infinity();
    const auto clusters = view.clusters();
    for (std::size_t c = 0; c < clusters.size(); ++c) {
      if (!detail::model_matches(job, clusters[c]) || clusters[c].total_gpus < job.gpus) continue;
      const double r = view.estimated_runtime(job, int(c));
      if (cluster < 0 || r < runtime) cluster = int(c), runtime = r;
    }
    if (cluster < 0 || !std::isfinite(runtime)) return now;
    const double latest = job.deadline_s - runtime;
    if (latest <= now || std::isnan(view.carbon_g_per_kwh(cluster, now))) return now;
    double best = now;
    double best_mean = std::numeric_limits<double>::infinity();
    for (double start = now;; start = std::min(start + step_s_, latest)) {
      const double mean = mean_intensity(view, cluster, start, runtime);
      if (mean < best_mean) best = start, best_mean = mean;
      if (start >= latest) break;
    }
    return best;
  }

  // The run's mean intensity over [start, start + runtime], sampled every step.
  double mean_intensity(const ClusterView& view, int cluster, double start, double runtime) const {
    const int samples = std::max(1, int(std::ceil(runtime / step_s_)));
    double sum = 0;
    for (int k = 0; k < samples; ++k) sum += view.carbon_g_per_kwh(cluster, start + k * step_s_);
    return sum / samples;
  }

  std::unique_ptr<Policy> easy_;
  double step_s_;
  std::vector<QueuedJob> unplanned_;           // arrived since the last call
  std::multimap<double, QueuedJob> deferred_;  // by release time
};

}  // namespace

std::span<const ParamSpec> carbon_aware_params() {
  return kParams;
}

std::unique_ptr<Policy> make_carbon_aware(const PolicyParams& params) {
  return std::make_unique<CarbonAwarePolicy>(params);
}

}  // namespace suanli::sched
