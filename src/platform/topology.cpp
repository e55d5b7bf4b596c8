#include "suanli/platform/topology.hpp"

#include <algorithm>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/visitors.hpp>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "suanli/common/input_error.hpp"

namespace suanli::platform {
namespace {

constexpr std::string_view kRouterSuffix = "-router";  // site router vertex: "<site>-router"

Vertex add_vertex(TopologyGraph& g, VertexKind kind, std::string name, int index) {
  return boost::add_vertex(TopoVertex{kind, std::move(name), index}, g);
}

Edge add_edge(TopologyGraph& g, Vertex a, Vertex b, std::string name, double bandwidth_Bps,
              double latency_s) {
  return boost::add_edge(a, b, TopoEdge{std::move(name), bandwidth_Bps, latency_s}, g).first;
}

// The leaves of one cluster and their uplinks to the cluster core. A star has a single
// pseudo-leaf, which is the core itself: it has no uplink edge of its own.
void add_leaves(const Cluster& c, Vertex core, Topology& t) {
  auto& g = t.graph;
  t.first_leaf.push_back(static_cast<int>(t.leaf_vertex.size()));
  if (c.fabric.type == FabricType::star) {
    t.leaf_vertex.push_back(core);
    t.leaf_link.push_back(Edge(core, core, nullptr));  // placeholder, see leaf_has_uplink
    t.leaf_has_uplink.push_back(false);
    return;
  }
  for (int k = 0; k < c.leaves(); ++k) {
    const int global = static_cast<int>(t.leaf_vertex.size());
    const std::string leaf_name = c.name + "-leaf" + std::to_string(k);
    const Vertex leaf = add_vertex(g, VertexKind::leaf_switch, leaf_name, global);
    t.leaf_vertex.push_back(leaf);
    t.leaf_link.push_back(
        add_edge(g, leaf, core, leaf_name + "-up", c.leaf_uplink_Bps(), c.node.nic.latency_s));
    t.leaf_has_uplink.push_back(true);
  }
}

// Node switches and GPUs of one cluster, each node wired to its leaf (or to the core).
void add_nodes(const Platform& p, const Cluster& c, int cluster_index, Topology& t) {
  auto& g = t.graph;
  const int first_leaf = t.first_leaf[static_cast<size_t>(cluster_index)];
  for (int k = 0; k < c.nodes; ++k) {
    const int node = c.first_node + k;
    const std::string node_name = c.name + "-n" + std::to_string(k);
    const Vertex sw = add_vertex(g, VertexKind::node_switch, node_name + "-switch", node);
    t.node_vertex.push_back(sw);
    const int leaf =
        first_leaf + (c.fabric.type == FabricType::star ? 0 : k / c.fabric.nodes_per_leaf);
    t.leaf_of_node.push_back(leaf);
    t.node_link.push_back(add_edge(g, sw, t.leaf_vertex[static_cast<size_t>(leaf)],
                                   node_name + "-nic", c.node_nic_Bps(), c.node.nic.latency_s));
    for (int local = 0; local < c.node.gpus; ++local) {
      const int gpu = c.first_gpu + k * c.node.gpus + local;
      std::string host = p.gpu_host_name(gpu);
      const Vertex v = add_vertex(g, VertexKind::gpu, host, gpu);
      t.gpu_vertex.push_back(v);
      t.gpu_link.push_back(
          add_edge(g, v, sw, host + "-intra", c.node.intra.bandwidth_Bps, c.node.intra.latency_s));
    }
  }
}

}  // namespace

namespace {

// The edge of `to` that joins the same vertices under the same name as `e` in `from`.
// Placeholders (no property: a star's pseudo-leaf uplink) are not in any graph: kept as is.
Edge same_edge(const TopologyGraph& from, Edge e, const TopologyGraph& to) {
  if (e.get_property() == nullptr) return e;
  const Vertex u = boost::source(e, from);
  const Vertex v = boost::target(e, from);
  for (auto [it, end] = boost::out_edges(u, to); it != end; ++it)
    if (boost::target(*it, to) == v && to[*it].name == from[e].name) return *it;
  throw std::logic_error("topology copy: edge '" + from[e].name + "' not found");
}

std::vector<Edge> same_edges(const TopologyGraph& from, const std::vector<Edge>& edges,
                             const TopologyGraph& to) {
  std::vector<Edge> out;
  out.reserve(edges.size());
  for (const Edge& e : edges) out.push_back(same_edge(from, e, to));
  return out;
}

}  // namespace

Topology::Topology(const Topology& other) {
  *this = other;
}

Topology& Topology::operator=(const Topology& other) {
  if (this == &other) return *this;
  graph = other.graph;
  gpu_vertex = other.gpu_vertex;
  node_vertex = other.node_vertex;
  leaf_vertex = other.leaf_vertex;
  leaf_of_node = other.leaf_of_node;
  first_leaf = other.first_leaf;
  cluster_vertex = other.cluster_vertex;
  site_vertex = other.site_vertex;
  gpu_link = same_edges(other.graph, other.gpu_link, graph);
  node_link = same_edges(other.graph, other.node_link, graph);
  leaf_link = same_edges(other.graph, other.leaf_link, graph);
  leaf_has_uplink = other.leaf_has_uplink;
  wan_link = same_edges(other.graph, other.wan_link, graph);
  core_link = same_edges(other.graph, other.core_link, graph);
  return *this;
}

Topology build_topology(const Platform& p) {
  Topology t;
  auto& g = t.graph;
  for (size_t s = 0; s < p.sites.size(); ++s)
    t.site_vertex.push_back(add_vertex(g, VertexKind::site_router,
                                       p.sites[s].name + std::string(kRouterSuffix),
                                       static_cast<int>(s)));

  for (size_t ci = 0; ci < p.clusters.size(); ++ci) {
    const Cluster& c = p.clusters[ci];
    const Vertex core =
        add_vertex(g, VertexKind::cluster_core, c.name + "-core-switch", static_cast<int>(ci));
    t.cluster_vertex.push_back(core);
    add_leaves(c, core, t);
    add_nodes(p, c, static_cast<int>(ci), t);
    // The site core is modelled as non-blocking: this edge carries everything the
    // cluster's leaves can push up, and never becomes a SimGrid link.
    const double core_Bps =
        c.fabric.type == FabricType::star ? c.leaf_uplink_Bps() : c.leaves() * c.leaf_uplink_Bps();
    t.core_link.push_back(add_edge(g, core, t.site_vertex[static_cast<size_t>(c.site)],
                                   c.name + "-core", core_Bps, 0.0));
  }

  for (const WanLink& w : p.wan) {
    const auto& a = p.sites[static_cast<size_t>(w.site_a)];
    const auto& b = p.sites[static_cast<size_t>(w.site_b)];
    t.wan_link.push_back(add_edge(g, t.site_vertex[static_cast<size_t>(w.site_a)],
                                  t.site_vertex[static_cast<size_t>(w.site_b)],
                                  "wan-" + a.name + "-" + b.name, w.link.bandwidth_Bps,
                                  w.link.latency_s));
  }
  return t;
}

int Topology::hops(Vertex a, Vertex b) const {
  std::vector<int> distance(boost::num_vertices(graph), -1);
  distance[a] = 0;
  boost::breadth_first_search(graph, a,
                              boost::visitor(boost::make_bfs_visitor(boost::record_distances(
                                  distance.data(), boost::on_tree_edge()))));
  return distance[b];
}

std::vector<int> Topology::wan_path(int site_a, int site_b, const std::string& source) const {
  // A graph of sites only, with the WAN link index on each edge: paths may cross site
  // routers and WAN links but never go down into a cluster.
  struct SiteEdge {
    int wan = 0;
  };
  using SiteGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS,
                                          boost::no_property, SiteEdge>;
  SiteGraph sites(site_vertex.size());
  for (size_t i = 0; i < wan_link.size(); ++i) {
    const int a = graph[boost::source(wan_link[i], graph)].index;
    const int b = graph[boost::target(wan_link[i], graph)].index;
    boost::add_edge(static_cast<size_t>(a), static_cast<size_t>(b), SiteEdge{static_cast<int>(i)},
                    sites);
  }

  const auto from = static_cast<SiteGraph::vertex_descriptor>(site_a);
  const auto to = static_cast<SiteGraph::vertex_descriptor>(site_b);
  constexpr auto kNone = std::numeric_limits<SiteGraph::vertex_descriptor>::max();
  std::vector<SiteGraph::vertex_descriptor> parent(boost::num_vertices(sites), kNone);
  parent[from] = from;
  boost::breadth_first_search(sites, from,
                              boost::visitor(boost::make_bfs_visitor(boost::record_predecessors(
                                  parent.data(), boost::on_tree_edge()))));

  if (parent[to] == kNone) {
    // Report the site names the user wrote, not the router vertex names.
    const auto site_name = [&](int s) {
      const std::string& n = graph[site_vertex[static_cast<size_t>(s)]].name;
      return n.substr(0, n.size() - kRouterSuffix.size());
    };
    throw InputError(located(
        source, 0, "wan",
        "sites '" + site_name(site_a) + "' and '" + site_name(site_b) + "' are not connected"));
  }

  std::vector<int> path;
  for (auto v = to; v != from; v = parent[v]) {
    const auto [e, found] = boost::edge(parent[v], v, sites);
    (void)found;  // BFS tree edges exist by construction
    path.push_back(sites[e].wan);
  }
  std::reverse(path.begin(), path.end());
  return path;
}

}  // namespace suanli::platform
