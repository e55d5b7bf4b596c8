#pragma once
// Which GPUs are free, kept incrementally (per GPU, per node, per leaf, per cluster), and the
// placement strategies that choose GPUs inside one cluster. No SimGrid here, and no Boost.Graph:
// Topology is only declared (include suanli/platform/topology.hpp to build or read one).
#include <cstdint>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "suanli/common/registry.hpp"
#include "suanli/platform/platform.hpp"
#include "suanli/sched/cluster_view.hpp"

namespace suanli::platform {
struct Topology;
}

namespace suanli::sched {

class AllocationState {
 public:
  AllocationState(const platform::Platform& platform, const platform::Topology& topology);

  int free_in_cluster(int cluster) const { return cluster_free_[cluster]; }
  int free_in_node(int node) const { return node_room_[node].gpus; }
  int free_in_leaf(int leaf) const { return leaf_free_[leaf]; }
  bool gpu_free(int gpu) const { return gpu_free_[gpu] != 0; }

  void allocate(const std::vector<int>& gpus);  // global GPU indices; each must be free
  void release(const std::vector<int>& gpus);

  // GPU sharing: jobs holding a share of one GPU, in thousandths. A GPU holding any share is
  // not free (whole-GPU jobs never share); it takes more shares while they add up to 1000.
  int share_used(int gpu) const { return share_used_.at(gpu); }
  // The most thousandths free on one partly used GPU of the cluster; 0 when there is none.
  int largest_share_room(int cluster) const;
  // Best fit: the partly used GPU of the cluster with the least room that still holds `milli`
  // (ties: lowest index), so that shares pack and whole GPUs stay free; -1 when none.
  int best_fit_share_gpu(int cluster, int milli) const;
  // `gpu` must be free or partly used with room for `milli`; throws std::logic_error if not.
  void allocate_share(int gpu, int milli);
  void release_share(int gpu, int milli);
  // Best fit among one node's GPUs holding shares (ties: lowest index); -1 when none has room.
  int best_fit_share_gpu_on_node(int node, int milli) const;

  // Host resources of pods: CPU in thousandths of a core and memory in MiB on one node. A
  // resource the node does not model (NodeSpec 0) is unlimited and not counted. Throws
  // std::logic_error when the node has less free than asked, or a release exceeds the use.
  void allocate_host(int node, int cpu_milli, int memory_mib);
  void release_host(int node, int cpu_milli, int memory_mib);
  // What each node of a cluster has free, in node order (for pods).
  std::span<const NodeRoom> node_rooms(int cluster) const {
    const auto& c = platform_->clusters[cluster];
    return {node_room_.data() + c.first_node, std::size_t(c.nodes)};
  }

  // How many releases (of GPUs, shares or host resources) there have been: a policy that
  // saw the same count at its last call knows nothing has been freed since.
  std::uint64_t releases() const { return releases_; }

  const platform::Platform& platform() const { return *platform_; }
  const platform::Topology& topology() const { return *topology_; }
  // Hop distance between two leaves of the same cluster (precomputed from the graph).
  int leaf_distance(int leaf_a, int leaf_b) const;

  // Index maps, precomputed so that allocate/release and placements are O(1) per GPU.
  int node_of_gpu(int gpu) const { return node_of_gpu_[gpu]; }
  int cluster_of_node(int node) const { return cluster_of_node_[node]; }
  int leaf_of_node(int node) const { return leaf_of_node_[node]; }
  int first_leaf(int cluster) const { return first_leaf_[cluster]; }
  int leaf_count(int cluster) const { return leaf_count_[cluster]; }
  // Global node indices under a leaf, ascending.
  std::span<const int> nodes_of_leaf(int leaf) const {
    return {leaf_nodes_.data() + leaf_nodes_begin_[leaf],
            leaf_nodes_.data() + leaf_nodes_begin_[leaf + 1]};
  }
  // Global GPU index of the `local`-th GPU of a node.
  int gpu_of_node(int node, int local) const;

 private:
  // Marks one GPU busy or free and updates the node, leaf and cluster counts above it;
  // throws std::logic_error (std::out_of_range for a bad index) on misuse.
  void set_gpu(int gpu, bool free);
  // Recomputes a node's NodeRoom::share_room_milli from its GPUs (a handful per node).
  void refresh_share_room(int node);

  const platform::Platform* platform_;
  const platform::Topology* topology_;
  std::vector<std::uint8_t> gpu_free_;
  std::vector<int> share_used_;  // per GPU, thousandths held by shares
  // Per cluster, (room, GPU) of the GPUs holding shares with room left, for best fit.
  std::vector<std::set<std::pair<int, int>>> share_room_;
  std::vector<NodeRoom> node_room_;  // per node: free GPUs, share room, CPU, memory
  std::vector<int> leaf_free_;
  std::vector<int> cluster_free_;
  std::vector<int> leaf_distance_;  // per cluster, row-major leaves x leaves, offset below
  std::vector<std::size_t> leaf_distance_offset_;
  std::vector<int> node_of_gpu_;       // global GPU -> global node
  std::vector<int> cluster_of_node_;   // global node -> cluster
  std::vector<int> cluster_of_leaf_;   // global leaf -> cluster
  std::vector<int> leaf_of_node_;      // global node -> global leaf (the topology's)
  std::vector<int> first_leaf_;        // cluster -> its first global leaf (the topology's)
  std::vector<int> leaf_count_;        // cluster -> number of leaves (1 for star)
  std::vector<int> leaf_nodes_;        // nodes grouped by leaf (CSR) ...
  std::vector<int> leaf_nodes_begin_;  // ... leaf -> first position in leaf_nodes_
  std::uint64_t releases_ = 0;
};

// A pod the engine asks a placement to put on a node (Placement::place_pod).
struct PodRequest {
  int cluster = 0;
  // Global node where it goes by default: the policy's Decision::node, else the first node
  // of the cluster that holds it (sched::pod_node). It holds the pod.
  int default_node = -1;
  // Global nodes later pods of the same plan were promised: a placement leaves them alone.
  std::span<const int> reserved = {};
};

struct PodChoice {
  int node = -1;          // global node
  std::vector<int> gpus;  // global GPUs on it: 1 for a share, job.gpus for whole GPUs
};

// Where a job may go on one node: the GPUs it may take there (a share takes one of them,
// whole GPUs take `take` of them).
struct NodeOption {
  int node = -1;
  std::vector<int> gpus;
  int take = 0;
};

// A share job (not a pod) may go where what the policy was told stays true (sched::take): on
// a partly used GPU with room for it when the cluster has one, else on a free GPU. By node.
std::vector<NodeOption> share_options(const AllocationState& state, int cluster, int milli);
bool share_allowed(const AllocationState& state, int cluster, int milli, int gpu);
// A pod may go on any node that holds it now and that no later pod of the plan was promised,
// taking as many whole GPUs as on its default node (a share: room on a GPU holding shares
// when the default node has such room, else a free GPU), so the policy's tally stays true.
std::vector<NodeOption> pod_options(const AllocationState& state, const QueuedJob& job,
                                    const PodRequest& request);
bool pod_allowed(const AllocationState& state, const QueuedJob& job, const PodRequest& request,
                 const PodChoice& choice);
// The engine's own rule for a pod's GPUs on `node`: best-fit room on one of its GPUs holding
// shares, else its lowest free GPU, for a share; its lowest free GPUs for whole GPUs.
std::vector<int> default_pod_gpus(const AllocationState& state, const QueuedJob& job, int node);

class Placement {
 public:
  virtual ~Placement() = default;
  // Once, before the run: the workload's jobs (placements that weigh the mix of job types,
  // such as fgd, read it here) and the run's --seed (for those that draw).
  virtual void prepare(std::span<const QueuedJob> /*jobs*/, std::uint64_t /*seed*/) {}
  // Global GPU indices for `gpus` GPUs of `cluster`; the caller guarantees enough are free.
  virtual std::vector<int> place(const AllocationState& state, int cluster, int gpus) const = 0;
  // The GPU a share job (not a pod) goes on, one of share_options(). The default packs it
  // beside other shares (best_fit_share_gpu), else takes place(state, cluster, 1).
  virtual int place_share(const AllocationState& state, int cluster, const QueuedJob& job) const;
  // A pod's node and GPUs, one of pod_options(). The default keeps the default node and
  // default_pod_gpus().
  virtual PodChoice place_pod(const AllocationState& state, const QueuedJob& job,
                              const PodRequest& request) const;
};

struct PlacementEntry {
  std::string_view name;
  std::string_view description;
  std::unique_ptr<Placement> (*make)();
};

const Registry<PlacementEntry>& placement_registry();  // first-fit, compact, fgd, ...
const std::vector<PlacementEntry>& placements();
const PlacementEntry* find_placement(std::string_view name);

}  // namespace suanli::sched
