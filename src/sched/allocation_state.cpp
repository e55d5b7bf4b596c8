// Free-GPU bookkeeping at every level a placement looks at (GPU, node, leaf switch,
// cluster), kept exact by allocate/release so that no decision ever rescans the platform.
#include <algorithm>
#include <deque>
#include <limits>
#include <stdexcept>
#include <string>

#include "suanli/platform/topology.hpp"
#include "suanli/sched/allocation.hpp"

namespace suanli::sched {
namespace {

constexpr int kUnreachable = std::numeric_limits<int>::max();
constexpr int kWholeShare = 1000;  // thousandths in one GPU

[[noreturn]] void mismatch(const std::string& what) {
  throw std::logic_error("AllocationState: topology does not match platform: " + what);
}

}  // namespace

AllocationState::AllocationState(const platform::Platform& platform,
                                 const platform::Topology& topology)
    : platform_(&platform),
      topology_(&topology),
      leaf_of_node_(topology.leaf_of_node),
      first_leaf_(topology.first_leaf) {
  const auto& clusters = platform.clusters;
  if (topology.first_leaf.size() < clusters.size()) mismatch("first_leaf per cluster");

  // Per cluster: GPU and node maps, leaf ranges.
  int total_leaves = 0;
  for (std::size_t c = 0; c < clusters.size(); ++c) {
    const platform::Cluster& cl = clusters[c];
    if (cl.first_gpu != static_cast<int>(gpu_free_.size()) ||
        cl.first_node != static_cast<int>(node_room_.size()))
      mismatch("cluster " + cl.name + " is not numbered contiguously");
    gpu_free_.insert(gpu_free_.end(), cl.gpu_count(), 1);
    for (int n = 0; n < cl.nodes; ++n) {
      const int node = cl.first_node + n;
      NodeRoom room;
      room.gpus = cl.node.gpus;
      if (cl.node.cpu_milli > 0) room.cpu_milli = cl.node.cpu_milli;
      if (cl.node.memory_mib > 0) room.memory_mib = cl.node.memory_mib;
      node_room_.push_back(room);
      cluster_of_node_.push_back(static_cast<int>(c));
      node_of_gpu_.insert(node_of_gpu_.end(), cl.node.gpus, node);
    }
    const int leaves = cl.leaves();
    leaf_count_.push_back(leaves);
    if (topology.first_leaf[c] != total_leaves)
      mismatch("leaves of cluster " + cl.name + " are not numbered contiguously");
    total_leaves += leaves;
    cluster_free_.push_back(cl.gpu_count());
  }
  share_used_.assign(gpu_free_.size(), 0);
  share_room_.resize(clusters.size());
  cluster_of_leaf_.resize(total_leaves);
  for (std::size_t c = 0; c < clusters.size(); ++c)
    for (int l = 0; l < leaf_count_[c]; ++l)
      cluster_of_leaf_[topology.first_leaf[c] + l] = static_cast<int>(c);

  // Leaf counts and the leaf -> nodes index (CSR, nodes ascending within a leaf).
  const int total_nodes = static_cast<int>(node_room_.size());
  if (static_cast<int>(topology.leaf_of_node.size()) != total_nodes) mismatch("leaf_of_node");
  leaf_free_.assign(total_leaves, 0);
  leaf_nodes_begin_.assign(total_leaves + 1, 0);
  for (int n = 0; n < total_nodes; ++n) {
    const int leaf = topology.leaf_of_node[n];
    if (leaf < 0 || leaf >= total_leaves || cluster_of_leaf_[leaf] != cluster_of_node_[n])
      mismatch("node " + std::to_string(n) + " is under a leaf of another cluster");
    leaf_free_[leaf] += node_room_[n].gpus;
    ++leaf_nodes_begin_[leaf + 1];
  }
  for (int l = 0; l < total_leaves; ++l) leaf_nodes_begin_[l + 1] += leaf_nodes_begin_[l];
  leaf_nodes_.resize(total_nodes);
  std::vector<int> fill(leaf_nodes_begin_.begin(), leaf_nodes_begin_.end() - 1);
  for (int n = 0; n < total_nodes; ++n) leaf_nodes_[fill[topology.leaf_of_node[n]]++] = n;

  // Leaf-to-leaf hop counts, one breadth-first search per leaf (rather than one
  // Topology::hops call per pair, which would cost leaves^2 searches), stopped as soon as
  // every leaf of the cluster has been reached. A star cluster's single pseudo-leaf needs
  // none: its distance to itself is 0.
  const auto& graph = topology.graph;
  const std::size_t vertices = boost::num_vertices(graph);
  std::vector<int> dist(vertices, -1);
  std::vector<int> local_leaf(vertices, -1);  // vertex -> leaf index within the cluster
  std::vector<platform::Vertex> touched;
  std::deque<platform::Vertex> frontier;
  for (std::size_t c = 0; c < clusters.size(); ++c) {
    const int leaves = leaf_count_[c];
    const int first = topology.first_leaf[c];
    leaf_distance_offset_.push_back(leaf_distance_.size());
    leaf_distance_.resize(leaf_distance_.size() + static_cast<std::size_t>(leaves) * leaves,
                          kUnreachable);
    int* row0 = leaf_distance_.data() + leaf_distance_offset_.back();
    if (leaves == 1) {
      row0[0] = 0;
      continue;
    }
    if (topology.leaf_vertex.size() < static_cast<std::size_t>(first + leaves))
      mismatch("leaf_vertex");
    for (int l = 0; l < leaves; ++l) local_leaf[topology.leaf_vertex[first + l]] = l;
    for (int a = 0; a < leaves; ++a) {
      const platform::Vertex source = topology.leaf_vertex[first + a];
      int* row = row0 + static_cast<std::size_t>(a) * leaves;
      int found = 0;
      dist[source] = 0;
      touched.push_back(source);
      frontier.push_back(source);
      while (!frontier.empty() && found < leaves) {
        const platform::Vertex v = frontier.front();
        frontier.pop_front();
        if (local_leaf[v] >= 0) {
          row[local_leaf[v]] = dist[v];
          ++found;
        }
        for (auto [it, end] = boost::adjacent_vertices(v, graph); it != end; ++it) {
          if (dist[*it] >= 0) continue;
          dist[*it] = dist[v] + 1;
          touched.push_back(*it);
          frontier.push_back(*it);
        }
      }
      for (platform::Vertex v : touched) dist[v] = -1;
      touched.clear();
      frontier.clear();
    }
    for (int l = 0; l < leaves; ++l) local_leaf[topology.leaf_vertex[first + l]] = -1;
  }
}

int AllocationState::leaf_distance(int leaf_a, int leaf_b) const {
  const int cluster = cluster_of_leaf_.at(leaf_a);
  if (cluster != cluster_of_leaf_.at(leaf_b))
    throw std::logic_error("leaf_distance: leaves " + std::to_string(leaf_a) + " and " +
                           std::to_string(leaf_b) + " are in different clusters");
  const int first = first_leaf_[cluster];
  const std::size_t row = static_cast<std::size_t>(leaf_a - first) * leaf_count_[cluster];
  return leaf_distance_[leaf_distance_offset_[cluster] + row + (leaf_b - first)];
}

int AllocationState::gpu_of_node(int node, int local) const {
  const platform::Cluster& cl = platform_->clusters[cluster_of_node_[node]];
  return cl.first_gpu + (node - cl.first_node) * cl.node.gpus + local;
}

void AllocationState::set_gpu(int gpu, bool free) {
  if (gpu < 0 || gpu >= static_cast<int>(gpu_free_.size()))
    throw std::out_of_range("AllocationState: no GPU " + std::to_string(gpu));
  if ((gpu_free_[gpu] != 0) == free)
    throw std::logic_error("AllocationState: GPU " + std::to_string(gpu) +
                           (free ? " released but not allocated" : " allocated but not free"));
  gpu_free_[gpu] = free ? 1 : 0;
  const int delta = free ? 1 : -1;
  const int node = node_of_gpu_[gpu];
  node_room_[node].gpus += delta;
  leaf_free_[leaf_of_node_[node]] += delta;
  cluster_free_[cluster_of_node_[node]] += delta;
}

// All or nothing: on misuse (a GPU busy, listed twice, out of range) the GPUs already
// changed are put back before the exception leaves, so the state stays consistent.
void AllocationState::allocate(const std::vector<int>& gpus) {
  for (std::size_t i = 0; i < gpus.size(); ++i) {
    try {
      set_gpu(gpus[i], false);
    } catch (...) {
      for (std::size_t k = 0; k < i; ++k) set_gpu(gpus[k], true);
      throw;
    }
  }
}

void AllocationState::release(const std::vector<int>& gpus) {
  ++releases_;
  for (std::size_t i = 0; i < gpus.size(); ++i) {
    try {
      if (share_used_.at(gpus[i]) > 0)
        throw std::logic_error("AllocationState: GPU " + std::to_string(gpus[i]) +
                               " holds shares, not a whole-GPU job");
      set_gpu(gpus[i], true);
    } catch (...) {
      for (std::size_t k = 0; k < i; ++k) set_gpu(gpus[k], false);
      throw;
    }
  }
}

int AllocationState::largest_share_room(int cluster) const {
  const auto& rooms = share_room_.at(cluster);
  return rooms.empty() ? 0 : rooms.rbegin()->first;
}

int AllocationState::best_fit_share_gpu(int cluster, int milli) const {
  const auto& rooms = share_room_.at(cluster);
  const auto it = rooms.lower_bound({milli, -1});
  return it == rooms.end() ? -1 : it->second;
}

void AllocationState::allocate_share(int gpu, int milli) {
  if (milli <= 0 || milli >= kWholeShare)
    throw std::logic_error("AllocationState: share of " + std::to_string(milli) + " thousandths");
  const int used = share_used_.at(gpu);
  auto& rooms = share_room_[cluster_of_node_[node_of_gpu_[gpu]]];
  if (used == 0) {
    set_gpu(gpu, false);  // throws if a whole-GPU job holds it
  } else {
    if (used + milli > kWholeShare)
      throw std::logic_error("AllocationState: GPU " + std::to_string(gpu) + " has no room for " +
                             std::to_string(milli) + " thousandths");
    rooms.erase({kWholeShare - used, gpu});
  }
  share_used_[gpu] = used + milli;
  if (used + milli < kWholeShare) rooms.insert({kWholeShare - used - milli, gpu});
  refresh_share_room(node_of_gpu_[gpu]);
}

void AllocationState::release_share(int gpu, int milli) {
  ++releases_;
  const int used = share_used_.at(gpu);
  if (milli <= 0 || milli > used)
    throw std::logic_error("AllocationState: GPU " + std::to_string(gpu) + " holds " +
                           std::to_string(used) + " thousandths, cannot release " +
                           std::to_string(milli));
  auto& rooms = share_room_[cluster_of_node_[node_of_gpu_[gpu]]];
  if (used < kWholeShare) rooms.erase({kWholeShare - used, gpu});
  share_used_[gpu] = used - milli;
  if (used == milli)
    set_gpu(gpu, true);
  else
    rooms.insert({kWholeShare - used + milli, gpu});
  refresh_share_room(node_of_gpu_[gpu]);
}

void AllocationState::refresh_share_room(int node) {
  const int gpus = platform_->clusters[cluster_of_node_[node]].node.gpus;
  int room = 0;
  for (int local = 0; local < gpus; ++local) {
    const int used = share_used_[gpu_of_node(node, local)];
    if (used > 0) room = std::max(room, kWholeShare - used);
  }
  node_room_[node].share_room_milli = room;
}

int AllocationState::best_fit_share_gpu_on_node(int node, int milli) const {
  const int gpus = platform_->clusters[cluster_of_node_.at(node)].node.gpus;
  int best = -1;
  for (int local = 0; local < gpus; ++local) {
    const int gpu = gpu_of_node(node, local);
    const int used = share_used_[gpu];
    if (used == 0 || kWholeShare - used < milli) continue;
    if (best < 0 || used > share_used_[best]) best = gpu;
  }
  return best;
}

void AllocationState::allocate_host(int node, int cpu_milli, int memory_mib) {
  NodeRoom& room = node_room_.at(node);
  if (cpu_milli < 0 || memory_mib < 0 || cpu_milli > room.cpu_milli || memory_mib > room.memory_mib)
    throw std::logic_error("AllocationState: node " + std::to_string(node) + " has not " +
                           std::to_string(cpu_milli) + " CPU thousandths and " +
                           std::to_string(memory_mib) + " MiB free");
  if (room.cpu_milli != NodeRoom::kUnlimited) room.cpu_milli -= cpu_milli;
  if (room.memory_mib != NodeRoom::kUnlimited) room.memory_mib -= memory_mib;
}

void AllocationState::release_host(int node, int cpu_milli, int memory_mib) {
  ++releases_;
  NodeRoom& room = node_room_.at(node);
  const auto& spec = platform_->clusters[cluster_of_node_[node]].node;
  const bool cpu = room.cpu_milli != NodeRoom::kUnlimited;
  const bool memory = room.memory_mib != NodeRoom::kUnlimited;
  if (cpu_milli < 0 || memory_mib < 0 || (cpu && room.cpu_milli + cpu_milli > spec.cpu_milli) ||
      (memory && room.memory_mib + memory_mib > spec.memory_mib))
    throw std::logic_error("AllocationState: node " + std::to_string(node) +
                           " released more CPU or memory than it holds");
  if (cpu) room.cpu_milli += cpu_milli;
  if (memory) room.memory_mib += memory_mib;
}

}  // namespace suanli::sched
