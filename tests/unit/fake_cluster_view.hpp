#pragma once
// Fixtures for the sched tests. A ClusterView the policy tests fill in by hand: clusters,
// the jobs running on them, the current time and a speed factor per cluster (runtime =
// walltime / speed). And a small hand-built platform for the allocation/placement tests.
#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "suanli/platform/platform.hpp"
#include "suanli/sched/cluster_view.hpp"
#include "suanli/sched/policy.hpp"

namespace suanli::sched::testing {

class FakeClusterView : public ClusterView {
 public:
  double time = 0;
  std::vector<ClusterInfo> infos;
  std::vector<std::vector<RunningJob>> running;
  std::vector<double> speed;

  // Adds an empty cluster and returns its index.
  int add_cluster(int model, int total_gpus, double speed_factor = 1.0) {
    infos.push_back(ClusterInfo{model, total_gpus, total_gpus});
    running.emplace_back();
    speed.push_back(speed_factor);
    return static_cast<int>(infos.size()) - 1;
  }
  // A job already running on `cluster`: takes its GPUs off the free count.
  void run(int cluster, JobIndex job, int gpus, double expected_end) {
    running[cluster].push_back(RunningJob{job, gpus, expected_end});
    infos[cluster].free_gpus -= gpus;
  }

  double now() const override { return time; }
  std::span<const ClusterInfo> clusters() const override { return infos; }
  void visit_running(int cluster,
                     const std::function<bool(const RunningJob&)>& visit) const override {
    std::vector<RunningJob> sorted = running[cluster];
    std::stable_sort(sorted.begin(), sorted.end(), [](const RunningJob& a, const RunningJob& b) {
      return a.expected_end_s < b.expected_end_s;
    });
    for (const RunningJob& r : sorted)
      if (!visit(r)) return;
  }
  // A job's own speed on a cluster, where a test gives one (Gavel's per-job throughputs),
  // else the cluster's.
  std::map<std::pair<JobIndex, int>, double> job_speed;
  double estimated_runtime(const QueuedJob& job, int cluster) const override {
    const auto it = job_speed.find({job.index, cluster});
    return job.walltime_s / (it == job_speed.end() ? speed[cluster] : it->second);
  }
  // Set by a test to make the next calls rounds (ClusterView::at_round).
  bool round = false;
  bool at_round() const override { return round; }
  // Each job's service, as a test sets it (absent: none yet).
  std::map<JobIndex, Service> services;
  Service service(JobIndex job) const override {
    const auto it = services.find(job);
    return it == services.end() ? Service{} : it->second;
  }
  // The release count a test sets (absent: the view keeps none).
  std::optional<std::uint64_t> release_count;
  std::optional<std::uint64_t> releases() const override { return release_count; }
  // Each job's share of work done, as a test sets it (absent: none).
  std::map<JobIndex, double> done;
  double work_done(JobIndex job) const override {
    const auto it = done.find(job);
    return it == done.end() ? 0 : it->second;
  }
  // The oracle of a test: the walltime is the true run time, less the work done.
  std::map<JobIndex, double> walltimes;
  double oracle_remaining_s(JobIndex job, int cluster) const override {
    return walltimes.at(job) * (1 - work_done(job)) / speed[cluster];
  }
  // A power budget, as a test sets it: the headroom now and each GPU's start power (a job's
  // start power = GPUs x watts_per_gpu); running jobs carry their own (RunningJob::power_w).
  double headroom_w = std::numeric_limits<double>::infinity();
  double watts_per_gpu = 0;
  double power_headroom_w() const override { return headroom_w; }
  double start_power_w(const QueuedJob& job, int /*cluster*/) const override {
    return job.gpus * watts_per_gpu;
  }
  // The grid's intensity by time, as a test sets it (absent: none given).
  std::function<double(double)> carbon;
  double carbon_g_per_kwh(int cluster, double t_s) const override {
    return carbon ? carbon(t_s) : ClusterView::carbon_g_per_kwh(cluster, t_s);
  }
};

inline QueuedJob make_job(JobIndex index, int gpus, double walltime, double submit = 0,
                          int model = -1) {
  QueuedJob job;
  job.index = index;
  job.submit_s = submit;
  job.gpus = gpus;
  job.walltime_s = walltime;
  job.models = model < 0 ? 0 : std::uint64_t{1} << model;
  return job;
}

// The (job, cluster) pairs of a schedule() answer, in order, for compact CHECKs.
inline std::vector<std::pair<JobIndex, int>> pairs(const std::vector<Decision>& decisions) {
  std::vector<std::pair<JobIndex, int>> out;
  for (const Decision& d : decisions) out.emplace_back(d.job, d.cluster);
  return out;
}

// Starts the decided jobs in the view as the engine would, so the next schedule() sees them.
inline void apply(FakeClusterView& view, const std::vector<Decision>& decisions,
                  const std::map<JobIndex, QueuedJob>& jobs) {
  for (const Decision& d : decisions) {
    const QueuedJob& job = jobs.at(d.job);
    view.run(d.cluster, d.job, job.gpus, view.time + view.estimated_runtime(job, d.cluster));
  }
}

// Cluster 0 "ft": fat-tree, 4 nodes x 4 GPUs, 2 nodes per leaf.
//   leaf 0: node 0 (GPUs 0-3), node 1 (GPUs 4-7); leaf 1: node 2 (8-11), node 3 (12-15).
// Cluster 1 "st": star, 2 nodes x 4 GPUs: node 4 (GPUs 16-19), node 5 (20-23); its single
//   pseudo-leaf is leaf 2.
// A job holding a share of one GPU (a pod when it asks for CPUs), and one of whole GPUs.
inline QueuedJob share_job(int milli, int cpu_milli = 0) {
  QueuedJob job;
  job.gpus = 1;
  job.share_milli = milli;
  job.cpu_milli = cpu_milli;
  return job;
}

inline QueuedJob whole_job(int gpus) {
  QueuedJob job;
  job.gpus = gpus;
  return job;
}

inline platform::Platform small_platform() {
  platform::Platform p;
  p.name = "small";
  p.devices = platform::DeviceCatalog::builtin();
  platform::Site site;
  site.name = "site";
  site.clusters = {0, 1};
  p.sites.push_back(std::move(site));
  platform::Cluster ft;
  ft.name = "ft";
  ft.nodes = 4;
  ft.node.gpu_model = "H100";
  ft.node.gpus = 4;
  ft.fabric.type = platform::FabricType::fat_tree;
  ft.fabric.nodes_per_leaf = 2;
  ft.first_gpu = 0;
  ft.first_node = 0;
  platform::Cluster st = ft;
  st.name = "st";
  st.nodes = 2;
  st.fabric = platform::FabricSpec{};  // star
  st.first_gpu = 16;
  st.first_node = 4;
  p.clusters = {ft, st};
  return p;
}

}  // namespace suanli::sched::testing
