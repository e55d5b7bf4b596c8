#pragma once
// The frame of the placements taken from the FGD repository (hkust-adsl/kubernetes-scheduler-
// simulator, pkg/simulator/plugin): a share job, a pod, or a whole-GPU job that fits one node
// is put on the option (node, and GPUs there) with the lowest score, ties to the lowest node,
// then the lowest GPU. Whole-GPU jobs larger than a node go by compact. Inside the chosen
// node, a share takes the GPU with the least room that holds it (the repository's default
// GPU selection, "best") and whole GPUs the node's lowest free ones, unless the score weighs
// each GPU (fgd).
#include <memory>
#include <span>
#include <vector>

#include "suanli/sched/allocation.hpp"

namespace suanli::sched::detail {

constexpr int kMilli = 1000;

// Thousandths free on a GPU: 1000 when free, the room beside its shares, 0 under a whole job.
inline int gpu_left(const AllocationState& state, int gpu) {
  if (state.gpu_free(gpu)) return kMilli;
  const int used = state.share_used(gpu);
  return used > 0 ? kMilli - used : 0;
}
int node_gpu_left(const AllocationState& state, int node);  // summed over its GPUs
const NodeRoom& room_of(const AllocationState& state, int node);
const platform::NodeSpec& spec_of(const AllocationState& state, int node);

class ScoredPlacement : public Placement {
 public:
  ScoredPlacement();
  std::vector<int> place(const AllocationState& state, int cluster, int gpus) const override;
  int place_share(const AllocationState& state, int cluster, const QueuedJob& job) const override;
  PodChoice place_pod(const AllocationState& state, const QueuedJob& job,
                      const PodRequest& request) const override;

 protected:
  // Lower is better: the job taking `gpus` (one GPU for a share, none for a CPU-only pod)
  // on `node`, judged on the state before it does.
  virtual double score(const AllocationState& state, const QueuedJob& job, int node,
                       std::span<const int> gpus) const = 0;
  // Whether the score depends on which of a node's GPUs a share takes: then every distinct
  // room on the node is scored, not only the best-fit GPU.
  virtual bool scores_each_gpu() const { return false; }
  // Whether whole-GPU jobs that fit one node are scored too (else they go by compact).
  virtual bool scores_whole_gpu_jobs() const { return true; }
  // Picks among the options (none empty); the default takes the lowest score.
  virtual PodChoice choose(const AllocationState& state, const QueuedJob& job,
                           const std::vector<NodeOption>& options) const;
  // The GPUs the job takes in an option: best-fit room for a share, lowest free otherwise.
  static std::vector<int> default_gpus(const AllocationState& state, const NodeOption& option);

 private:
  std::unique_ptr<Placement> compact_;
};

}  // namespace suanli::sched::detail
