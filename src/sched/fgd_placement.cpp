// FGD, Fragmentation Gradient Descent (Weng et al., "Beware of Fragmentation: Scheduling
// GPU-Sharing Workloads with Fragmentation Gradient Descent", USENIX ATC'23; the code of
// hkust-adsl/kubernetes-scheduler-simulator, fgd_score.go and pkg/utils/frag.go). The
// workload's jobs fall into task types m = (thousandths per GPU, GPUs, CPU thousandths) with
// popularity p_m. A node's fragmentation for type m, F_n(m), is the GPU room the type cannot
// use there: all of the node's free GPU thousandths when it cannot run there at all (too
// few GPUs with room, or too few CPUs; a CPU-only type: always all, as in the repository),
// else those on GPUs with less room than it needs. F_n = sum_m p_m F_n(m). A job goes where
// F of its node grows the least (the repository's score is a sigmoid of the decrease, with
// the same order; its integer rounding ties are broken by lowest index here, not at random).
//
// Cost: the types are the most popular ones covering 95% of the jobs (the repository's
// typical-pods threshold), at most kMaxTypes; per node, the counts each type needs are kept
// and refreshed only when the node changed, so scoring one option is O(types).
#include <algorithm>
#include <map>
#include <span>
#include <tuple>
#include <vector>

#include "scored_placement.hpp"
#include "suanli/sched/policy_factories.hpp"

namespace suanli::sched {
namespace {

using detail::gpu_left;
using detail::kMilli;

constexpr std::size_t kMaxTypes = 64;
constexpr double kPopularityCovered = 0.95;

struct TaskType {
  int milli = 0;  // per GPU: a share, 1000 for whole GPUs, 0 for a CPU-only pod
  int gpus = 0;
  int cpu_milli = 0;
  // Its jobs in the workload: p_m times the jobs of the types kept. F is summed with these
  // integer weights (F x their total), so equal options tie exactly and the lowest wins.
  long long weight = 0;
};

// What one node looks like to the types, kept until the node changes.
struct NodeCache {
  std::vector<int> left;  // per GPU
  int cpu = -1;
  int total = 0;              // free GPU thousandths
  std::vector<int> can_host;  // per type: GPUs with room for it
  std::vector<int> low;       // per type: thousandths on GPUs with less room than it needs
  long long fragmentation = 0;
};

class FgdPlacement final : public detail::ScoredPlacement {
 public:
  void prepare(std::span<const QueuedJob> jobs, std::uint64_t /*seed*/) override {
    std::map<std::tuple<int, int, int>, int> count;
    sharing_ = false;
    for (const QueuedJob& job : jobs) {
      sharing_ = sharing_ || job.share_milli > 0 || job.is_pod();
      const int milli = job.share_milli > 0 ? job.share_milli : (job.gpus > 0 ? kMilli : 0);
      ++count[{milli, job.share_milli > 0 ? 1 : job.gpus, job.cpu_milli}];
    }
    std::vector<std::pair<int, TaskType>> by_count;
    for (const auto& [key, n] : count)
      by_count.push_back({n, {std::get<0>(key), std::get<1>(key), std::get<2>(key), n}});
    // Most popular first; ties keep the key order (the map's), so the cut is deterministic.
    std::stable_sort(by_count.begin(), by_count.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    types_.clear();
    int covered = 0;
    for (const auto& [n, type] : by_count) {
      if (types_.size() == kMaxTypes || covered >= kPopularityCovered * double(jobs.size())) break;
      types_.push_back(type);
      covered += n;
    }
    cache_.clear();
  }

 protected:
  bool scores_each_gpu() const override { return true; }
  bool scores_whole_gpu_jobs() const override { return sharing_; }

  // The growth of the node's F when the job takes `gpus` (a share: its thousandths of the
  // one GPU; whole GPUs: all of each) and its CPUs.
  double score(const AllocationState& state, const QueuedJob& job, int node,
               std::span<const int> gpus) const override {
    const NodeCache& c = cache_of(state, node);
    const int taken = job.share_milli > 0 ? job.share_milli : kMilli;
    const int cpu = c.cpu - job.cpu_milli;
    long long after = 0;
    for (std::size_t m = 0; m < types_.size(); ++m) {
      const TaskType& t = types_[m];
      const int total = c.total - taken * int(gpus.size());
      int can_host = c.can_host[m];
      int low = c.low[m];
      for (int gpu : gpus) {
        const int old_left = gpu_left(state, gpu);
        const int new_left = old_left - taken;
        can_host += (new_left >= t.milli) - (old_left >= t.milli);
        low += (new_left < t.milli ? new_left : 0) - (old_left < t.milli ? old_left : 0);
      }
      after += t.weight * type_fragmentation(t, total, can_host, low, cpu);
    }
    return double(after - c.fragmentation);
  }

 private:
  static long long type_fragmentation(const TaskType& t, int total, int can_host, int low,
                                      int cpu) {
    if (t.milli == 0) return total;  // CPU-only: all free GPU room counts (frag.go, XL/XR)
    return can_host >= t.gpus && cpu >= t.cpu_milli ? low : total;
  }

  const NodeCache& cache_of(const AllocationState& state, int node) const {
    if (cache_.size() < std::size_t(state.platform().clusters.back().first_node +
                                    state.platform().clusters.back().nodes))
      cache_.resize(std::size_t(state.platform().clusters.back().first_node +
                                state.platform().clusters.back().nodes));
    NodeCache& c = cache_[std::size_t(node)];
    const int gpus = detail::spec_of(state, node).gpus;
    const int cpu = detail::room_of(state, node).cpu_milli;
    bool same = c.cpu == cpu && int(c.left.size()) == gpus;
    for (int local = 0; same && local < gpus; ++local)
      same = c.left[std::size_t(local)] == gpu_left(state, state.gpu_of_node(node, local));
    if (same) return c;
    c.cpu = cpu;
    c.left.resize(std::size_t(gpus));
    for (int local = 0; local < gpus; ++local)
      c.left[std::size_t(local)] = gpu_left(state, state.gpu_of_node(node, local));
    c.total = 0;
    for (int left : c.left) c.total += left;
    c.can_host.assign(types_.size(), 0);
    c.low.assign(types_.size(), 0);
    c.fragmentation = 0;
    for (std::size_t m = 0; m < types_.size(); ++m) {
      for (int left : c.left) {
        if (left >= types_[m].milli)
          ++c.can_host[m];
        else
          c.low[m] += left;
      }
      c.fragmentation +=
          types_[m].weight * type_fragmentation(types_[m], c.total, c.can_host[m], c.low[m], cpu);
    }
    return c;
  }

  std::vector<TaskType> types_;
  bool sharing_ = false;
  mutable std::vector<NodeCache> cache_;
};

}  // namespace

std::unique_ptr<Placement> make_fgd() {
  return std::make_unique<FgdPlacement>();
}

}  // namespace suanli::sched
