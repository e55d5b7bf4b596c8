#pragma once
// The platform as a graph: GPUs, node switches (NVSwitch), leaf switches, cluster cores and
// site routers as vertices; every physical link as an edge carrying its bandwidth and latency.
// The SimGrid platform and the XML export create one link per edge (split-duplex), with the
// edge's name.
#include <string>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "suanli/platform/platform.hpp"

namespace suanli::platform {

enum class VertexKind { gpu, node_switch, leaf_switch, cluster_core, site_router };

struct TopoVertex {
  VertexKind kind = VertexKind::gpu;
  // gpu: "<cluster>-n<k>-g<l>" (the SimGrid host name); node_switch: "<cluster>-n<k>-switch";
  // leaf_switch: "<cluster>-leaf<k>"; cluster_core: "<cluster>-core-switch";
  // site_router: "<site>-router". k is the node/leaf index local to the cluster.
  std::string name;
  int index = 0;  // global GPU / node / leaf index, cluster index, or site index
};

struct TopoEdge {
  // SimGrid link name: "<host>-intra" (GPU-node switch), "<cluster>-n<k>-nic" (node switch-
  // leaf, or -core for a star), "<cluster>-leaf<k>-up" (leaf-core), "<cluster>-core"
  // (core-site router, not a SimGrid link), "wan-<site a>-<site b>".
  std::string name;
  double bandwidth_Bps = 0;
  double latency_s = 0;
};

using TopologyGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, TopoVertex, TopoEdge>;
using Vertex = TopologyGraph::vertex_descriptor;
using Edge = TopologyGraph::edge_descriptor;

struct Topology {
  Topology() = default;
  // Edge descriptors point into the graph's own edge storage, and Boost 1.74's adjacency_list
  // has no move constructor: a copy (or a "move", which copies) re-finds its role edges in its
  // own graph instead of keeping pointers into the source's.
  Topology(const Topology& other);
  Topology& operator=(const Topology& other);

  TopologyGraph graph;
  std::vector<Vertex> gpu_vertex;   // by global GPU index
  std::vector<Vertex> node_vertex;  // by global node index
  // By global leaf index. A star cluster counts as one pseudo-leaf whose vertex is the
  // cluster core itself.
  std::vector<Vertex> leaf_vertex;
  std::vector<int> leaf_of_node;       // global node -> global leaf
  std::vector<int> first_leaf;         // cluster -> its first global leaf index
  std::vector<Vertex> cluster_vertex;  // cluster core, by cluster index
  std::vector<Vertex> site_vertex;     // by site index
  // Edges by role, for building SimGrid links.
  std::vector<Edge> gpu_link;   // GPU <-> node switch, by global GPU
  std::vector<Edge> node_link;  // node switch <-> leaf (or cluster core for star)
  // leaf <-> cluster core, by global leaf. Fat-tree only: a star's pseudo-leaf has a
  // placeholder self-edge descriptor here that is NOT in the graph; check leaf_has_uplink.
  std::vector<Edge> leaf_link;
  std::vector<bool> leaf_has_uplink;  // by global leaf: false for a star's pseudo-leaf
  std::vector<Edge> wan_link;         // site router <-> site router, by Platform::wan index
  // cluster core <-> site router, by cluster: the cluster's uplink into a non-blocking site
  // core, as wide as all its leaf uplinks together.
  std::vector<Edge> core_link;

  // Hop count between two vertices (BFS over the whole graph, O(V+E): not for hot paths);
  // -1 when b cannot be reached from a.
  int hops(Vertex a, Vertex b) const;
  // WAN edges on a fewest-hops path between two sites; throws InputError if none.
  std::vector<int> wan_path(int site_a, int site_b, const std::string& source) const;
};

Topology build_topology(const Platform& platform);

}  // namespace suanli::platform
