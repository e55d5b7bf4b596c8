// Quasi-shortest-service-first (Hu et al., "Characterization and Prediction of Deep Learning
// Workloads in Large-Scale GPU Datacenters", SC'21, section 5: Helios's QSSF service), as its
// public artifact runs it (S-Lab-System-Group/HeliosArtifact, framework/QSSF Service,
// policies/qssf.py with estimators/estimator.py's NaiveEstimator): jobs wait in the order of
// their predicted GPU service, GPUs x predicted duration, and start from the head with
// head-of-line blocking, no preemption. The prediction is the mean run time of the jobs that
// have already completed in this run with, in turn: the same user, job name and GPU count;
// the same user and name; the same name; the same user; any job (1 s before any completed,
// so that the first jobs are ordered by GPU count, as the artifact orders new jobs). The
// artifact also trains on an earlier month of the trace and matches job names loosely
// (difflib, cutoff 0.6); suanli learns from the run alone and matches names exactly.
#include <map>
#include <tuple>
#include <unordered_map>

#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {

namespace {

class QssfPolicy final : public Policy {
 public:
  void submit(const QueuedJob& job) override {
    queue_.push(job.gpus * predicted_s(job), job);
    jobs_[job.index] = {job, -1};
  }
  std::vector<Decision> schedule(const ClusterView& view) override {
    std::vector<FreeGpus> free = detail::free_tally(view);
    std::vector<detail::Started> started;
    detail::start_from_head(queue_, set_aside_, view, free, started);
    for (const auto& s : started) jobs_[s.job.index].started_s = view.now();
    return detail::to_decisions(started);
  }
  void ended(JobIndex job, double now_s) override {
    const auto it = jobs_.find(job);
    if (it == jobs_.end()) return;
    const QueuedJob& q = it->second.job;
    const double ran_s = now_s - it->second.started_s;
    for (auto* mean :
         {&by_user_name_gpus_[{q.user, q.name, q.gpus}], &by_user_name_[{q.user, q.name, 0}],
          &by_name_[q.name], &by_user_[q.user], &all_}) {
      mean->sum += ran_s;
      ++mean->count;
    }
    jobs_.erase(it);
  }
  std::size_t queued() const override { return queue_.size() + set_aside_.size(); }

 private:
  struct Mean {
    double sum = 0;
    int count = 0;
  };
  struct Known {
    QueuedJob job;
    double started_s = -1;
  };

  double predicted_s(const QueuedJob& job) const {
    const auto mean_of = [](const auto& map, const auto& key) -> const Mean* {
      const auto it = map.find(key);
      return it != map.end() && it->second.count > 0 ? &it->second : nullptr;
    };
    const Mean* m = nullptr;
    if (job.user != 0 && job.name != 0) {
      m = mean_of(by_user_name_gpus_, std::tuple{job.user, job.name, job.gpus});
      if (!m) m = mean_of(by_user_name_, std::tuple{job.user, job.name, 0});
    }
    if (!m && job.name != 0) m = mean_of(by_name_, job.name);
    if (!m && job.user != 0) m = mean_of(by_user_, job.user);
    if (!m && all_.count > 0) m = &all_;
    return m ? m->sum / m->count : 1.0;
  }

  detail::OrderedQueue queue_;
  std::vector<QueuedJob> set_aside_;
  std::unordered_map<JobIndex, Known> jobs_;
  std::map<std::tuple<std::uint32_t, std::uint32_t, int>, Mean> by_user_name_gpus_, by_user_name_;
  std::unordered_map<std::uint32_t, Mean> by_name_, by_user_;
  Mean all_;
};

}  // namespace

std::unique_ptr<Policy> make_qssf(const PolicyParams& /*params*/) {
  return std::make_unique<QssfPolicy>();
}

}  // namespace suanli::sched
