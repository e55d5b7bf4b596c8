// The cost of one scheduling decision, for every policy of the registry (not a test): 10,000
// queued jobs on 10,000 GPUs (two clusters of 5,000, a fast and a slow model). The first call
// fills the cluster from the queue (cold); then, 300 times, time advances 10 s, one of the
// policy's running jobs ends, one job arrives, and the policy is asked again (a round every
// 36th call, for the policies that have rounds). Prints the cold call and the p50 / p99 /
// max of the event calls, in milliseconds, and each p50 as a ratio to FIFO's cold call (one
// pass over the queue that starts jobs until the cluster is full), measured in the same run.
//   usage: suanli_decision_cost [QUEUED] [GPUS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <vector>

#include "suanli/sched/cluster_view.hpp"
#include "suanli/sched/policy.hpp"

namespace {

using namespace suanli::sched;

// A cluster view kept by this loop: what the policy started runs until this loop ends it.
class LoopView final : public ClusterView {
 public:
  LoopView(int gpus_per_cluster) {
    infos_ = {{0, gpus_per_cluster, gpus_per_cluster}, {1, gpus_per_cluster, gpus_per_cluster}};
  }
  double now() const override { return time; }
  std::span<const ClusterInfo> clusters() const override { return infos_; }
  void visit_running(int cluster,
                     const std::function<bool(const RunningJob&)>& visit) const override {
    for (const auto& [end, r] : by_end_[cluster])
      if (!visit(r)) return;
  }
  double estimated_runtime(const QueuedJob& job, int cluster) const override {
    return job.walltime_s / kSpeed[cluster];
  }
  Service service(JobIndex job) const override {
    Service s;
    const auto it = running_.find(job);
    if (it != running_.end()) {
      s.running = true;
      s.attained_gpu_s = it->second.job.gpus * (time - it->second.start_s);
    }
    return s;
  }
  double work_done(JobIndex job) const override {
    const auto it = running_.find(job);
    if (it == running_.end()) return 0;
    return std::min(
        0.99, (time - it->second.start_s) / estimated_runtime(it->second.job, it->second.cluster));
  }
  double oracle_remaining_s(JobIndex job, int cluster) const override {
    const auto it = running_.find(job);
    const QueuedJob& q = it != running_.end() ? it->second.job : queued_.at(job);
    return estimated_runtime(q, cluster) * (1 - work_done(job));
  }
  bool at_round() const override { return round; }

  void add(const QueuedJob& job) { queued_[job.index] = job; }
  void apply(const Plan& plan) {
    for (JobIndex j : plan.preempt) {
      const Running r = running_.at(j);
      auto& ends = by_end_[r.cluster];
      for (auto it = ends.lower_bound(r.end_s); it != ends.end(); ++it)
        if (it->second.index == j) {
          ends.erase(it);
          break;
        }
      infos_[r.cluster].free_gpus += r.job.gpus;
      queued_[j] = r.job;
      running_.erase(j);
    }
    for (const Decision& d : plan.start) {
      const QueuedJob job = queued_.at(d.job);
      queued_.erase(d.job);
      const double end = time + estimated_runtime(job, d.cluster);
      running_[d.job] = {job, d.cluster, time, end};
      by_end_[d.cluster].insert({end, {d.job, job.gpus, end}});
      infos_[d.cluster].free_gpus -= job.gpus;
    }
  }
  // Ends the running job that ends first; returns it.
  JobIndex end_one() {
    int c = by_end_[0].empty()                                       ? 1
            : by_end_[1].empty()                                     ? 0
            : by_end_[0].begin()->first <= by_end_[1].begin()->first ? 0
                                                                     : 1;
    const JobIndex j = by_end_[c].begin()->second.index;
    const Running r = running_.at(j);
    by_end_[c].erase(by_end_[c].begin());
    infos_[c].free_gpus += r.job.gpus;
    running_.erase(j);
    return j;
  }
  bool any_running() const { return !running_.empty(); }

  double time = 0;
  bool round = false;

 private:
  static constexpr double kSpeed[2] = {1.0, 0.3};
  struct Running {
    QueuedJob job;
    int cluster;
    double start_s, end_s;
  };
  std::vector<ClusterInfo> infos_;
  std::map<JobIndex, Running> running_;
  std::map<JobIndex, QueuedJob> queued_;
  std::multimap<double, RunningJob> by_end_[2];
};

QueuedJob make_job(JobIndex i, std::mt19937_64& rng, double submit) {
  static constexpr int kSizes[] = {1, 1, 1, 1, 2, 2, 4, 8, 8, 16};  // Philly-like: most small
  std::lognormal_distribution<double> walltime(7.5, 1.8);           // median ~30 min
  QueuedJob q;
  q.index = i;
  q.submit_s = submit;
  q.gpus = kSizes[rng() % 10];
  q.walltime_s = std::clamp(walltime(rng), 60.0, 1e6);
  q.user = std::uint32_t(1 + rng() % 50);
  return q;
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, std::size_t(q * double(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  const int queued = argc > 1 ? std::atoi(argv[1]) : 10000;
  const int gpus = argc > 2 ? std::atoi(argv[2]) : 10000;
  std::printf("%-22s %9s %9s %9s %9s %8s\n", "policy", "cold_ms", "p50_ms", "p99_ms", "max_ms",
              "p50/fifo0");
  double fifo_cold = 0;
  for (const PolicyEntry& entry : policies()) {
    std::mt19937_64 rng(1);
    LoopView view(gpus / 2);
    auto policy = make_policy(entry.name);
    JobIndex next = 0;
    for (; next < JobIndex(queued); ++next) {
      const QueuedJob q = make_job(next, rng, -double(queued - int(next)));
      view.add(q);
      policy->submit(q);
    }
    const auto timed = [&] {
      const auto t0 = std::chrono::steady_clock::now();
      const Plan plan = policy->plan(view);
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      view.apply(plan);
      return ms;
    };
    const double cold = timed();
    std::vector<double> calls;
    for (int k = 1; k <= 300 && view.any_running(); ++k) {
      view.time += 10;
      view.round = entry.round_s > 0 && k % 36 == 0;
      policy->ended(view.end_one(), view.time);
      const QueuedJob q = make_job(next++, rng, view.time);
      view.add(q);
      policy->submit(q);
      calls.push_back(timed());
    }
    const double p50 = quantile(calls, 0.5);
    if (entry.name == "fifo") fifo_cold = cold;
    std::printf("%-22s %9.2f %9.3f %9.3f %9.3f %8.1f\n", std::string(entry.name).c_str(), cold, p50,
                quantile(calls, 0.99), *std::max_element(calls.begin(), calls.end()),
                fifo_cold > 0 ? p50 / fifo_cold : 0.0);
  }
}
