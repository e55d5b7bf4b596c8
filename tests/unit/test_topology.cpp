#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "suanli/common/input_error.hpp"
#include "suanli/platform/platform_loader.hpp"
#include "suanli/platform/topology.hpp"

using namespace suanli::platform;

namespace {

const std::string kPlatforms = std::string(SUANLI_FIXTURES) + "/platforms/";

int count_kind(const Topology& t, VertexKind kind) {
  int n = 0;
  for (auto v : boost::make_iterator_range(boost::vertices(t.graph)))
    if (t.graph[v].kind == kind) ++n;
  return n;
}

const TopoEdge& edge(const Topology& t, Edge e) {
  return t.graph[e];
}

}  // namespace

TEST_CASE("topology: small fat-tree has the expected vertices and edges") {
  // 4 nodes x 2 A100, 2 nodes per leaf, 2:1, 200 Gbps rails (25 GB/s).
  const Platform p = load_platform_yaml(kPlatforms + "small_fat_tree.yaml");
  const Topology t = build_topology(p);
  // 8 GPUs + 4 node switches + 2 leaves + 1 core + 1 site router.
  CHECK(boost::num_vertices(t.graph) == 16);
  // 8 GPU links + 4 node links + 2 leaf uplinks + 1 core-site edge.
  CHECK(boost::num_edges(t.graph) == 15);
  CHECK(count_kind(t, VertexKind::gpu) == 8);
  CHECK(count_kind(t, VertexKind::node_switch) == 4);
  CHECK(count_kind(t, VertexKind::leaf_switch) == 2);
  CHECK(count_kind(t, VertexKind::cluster_core) == 1);
  CHECK(count_kind(t, VertexKind::site_router) == 1);

  CHECK(t.gpu_vertex.size() == 8);
  CHECK(t.node_vertex.size() == 4);
  CHECK(t.leaf_vertex.size() == 2);
  CHECK(t.leaf_of_node == std::vector<int>{0, 0, 1, 1});
  CHECK(t.first_leaf == std::vector<int>{0});
  CHECK(t.leaf_has_uplink == std::vector<bool>{true, true});
  CHECK(t.gpu_link.size() == 8);
  CHECK(t.node_link.size() == 4);
  CHECK(t.leaf_link.size() == 2);
  CHECK(t.core_link.size() == 1);
  CHECK(t.wan_link.empty());

  CHECK(t.graph[t.gpu_vertex[3]].name == "ft-n1-g1");
  CHECK(t.graph[t.gpu_vertex[3]].index == 3);
  CHECK(t.graph[t.node_vertex[2]].name == "ft-n2-switch");
  CHECK(t.graph[t.leaf_vertex[1]].name == "ft-leaf1");
  CHECK(t.graph[t.cluster_vertex[0]].name == "ft-core-switch");
  CHECK(t.graph[t.site_vertex[0]].name == "lab-router");

  const TopoEdge& gpu_link = edge(t, t.gpu_link[3]);
  CHECK(gpu_link.name == "ft-n1-g1-intra");
  CHECK(gpu_link.bandwidth_Bps == doctest::Approx(300e9));  // A100 NVLink, 600 GB/s both ways
  CHECK(gpu_link.latency_s == doctest::Approx(1e-6));
  const TopoEdge& node_link = edge(t, t.node_link[2]);
  CHECK(node_link.name == "ft-n2-nic");
  CHECK(node_link.bandwidth_Bps == doctest::Approx(2 * 25e9));  // 2 rails
  CHECK(node_link.latency_s == doctest::Approx(2e-6));
  const TopoEdge& up = edge(t, t.leaf_link[1]);
  CHECK(up.name == "ft-leaf1-up");
  CHECK(up.bandwidth_Bps == doctest::Approx(2 * 50e9 / 2));  // 2 nodes x 50 GB/s / 2:1
  CHECK(up.latency_s == doctest::Approx(2e-6));
  const TopoEdge& core = edge(t, t.core_link[0]);
  CHECK(core.name == "ft-core");
  CHECK(core.bandwidth_Bps == doctest::Approx(2 * 50e9));  // both leaves' uplinks
  CHECK(core.latency_s == 0);
  // The node link of node 2 ends at leaf 1.
  CHECK(boost::target(t.node_link[2], t.graph) == t.leaf_vertex[1]);
}

TEST_CASE("topology: hops between GPUs of a fat-tree: same node 2, same leaf 4, across 6") {
  const Platform p = load_platform_yaml(kPlatforms + "small_fat_tree.yaml");
  const Topology t = build_topology(p);
  CHECK(t.hops(t.gpu_vertex[0], t.gpu_vertex[0]) == 0);
  CHECK(t.hops(t.gpu_vertex[0], t.gpu_vertex[1]) == 2);  // n0-g0 -> n0-g1
  CHECK(t.hops(t.gpu_vertex[0], t.gpu_vertex[2]) == 4);  // n0 -> n1, both on leaf 0
  CHECK(t.hops(t.gpu_vertex[0], t.gpu_vertex[4]) == 6);  // n0 (leaf 0) -> n2 (leaf 1)
  CHECK(t.hops(t.gpu_vertex[7], t.gpu_vertex[0]) == 6);
  CHECK(t.hops(t.gpu_vertex[0], t.site_vertex[0]) == 4);  // gpu, node sw, leaf, core, site
}

TEST_CASE("topology: a star cluster has one pseudo-leaf that is its core") {
  // 3 nodes x 2 H100 behind one switch.
  const Platform p = load_platform_yaml(kPlatforms + "small_star.yaml");
  const Topology t = build_topology(p);
  // 6 GPUs + 3 node switches + 1 core + 1 site router.
  CHECK(boost::num_vertices(t.graph) == 11);
  // 6 GPU links + 3 node links + 1 core-site edge.
  CHECK(boost::num_edges(t.graph) == 10);
  CHECK(count_kind(t, VertexKind::leaf_switch) == 0);
  REQUIRE(t.leaf_vertex.size() == 1);
  CHECK(t.leaf_vertex[0] == t.cluster_vertex[0]);
  CHECK(t.leaf_has_uplink == std::vector<bool>{false});
  CHECK(t.leaf_of_node == std::vector<int>{0, 0, 0});
  CHECK(t.first_leaf == std::vector<int>{0});

  const TopoEdge& node_link = edge(t, t.node_link[1]);
  CHECK(node_link.name == "st-n1-nic");
  CHECK(node_link.bandwidth_Bps == doctest::Approx(2 * 50e9));
  CHECK(boost::target(t.node_link[1], t.graph) == t.cluster_vertex[0]);
  // Non-blocking: the core edge carries all 3 nodes at full NIC rate.
  CHECK(edge(t, t.core_link[0]).bandwidth_Bps == doctest::Approx(3 * 100e9));

  CHECK(t.hops(t.gpu_vertex[0], t.gpu_vertex[1]) == 2);
  CHECK(t.hops(t.gpu_vertex[0], t.gpu_vertex[2]) == 4);
  CHECK(t.hops(t.gpu_vertex[0], t.gpu_vertex[5]) == 4);
}

TEST_CASE("topology: several clusters and sites index leaves and GPUs globally") {
  const Platform p = load_platform_yaml(kPlatforms + "two_pods.yaml");
  const Topology t = build_topology(p);
  // a100-pod: 2 leaves, h100-pod: 2 leaves, test-pod (star): 1 pseudo-leaf.
  CHECK(t.first_leaf == std::vector<int>{0, 2, 4});
  CHECK(t.leaf_vertex.size() == 5);
  CHECK(t.leaf_of_node[15] == 1);
  CHECK(t.leaf_of_node[16] == 2);
  CHECK(t.leaf_of_node[23] == 4);
  CHECK(t.gpu_vertex.size() == 176);
  CHECK(t.graph[t.gpu_vertex[175]].name == "test-pod-n3-g3");
  REQUIRE(t.wan_link.size() == 1);
  CHECK(edge(t, t.wan_link[0]).name == "wan-east-west");
  CHECK(edge(t, t.wan_link[0]).latency_s == doctest::Approx(10e-3));
  // GPU in east -> GPU in west: gpu, node sw, leaf, core, east, west, core(=leaf), node sw, gpu.
  CHECK(t.hops(t.gpu_vertex[0], t.gpu_vertex[175]) == 8);
  // Two clusters in one site meet at the site router: 3 + 1 + 1 + 3 hops.
  CHECK(t.hops(t.gpu_vertex[0], t.gpu_vertex[128]) == 8);
}

TEST_CASE("topology: wan_path across three sites in a line") {
  // Sites a - b - c; wan[0] is b-c, wan[1] is a-b.
  const Platform p = load_platform_yaml(kPlatforms + "three_sites_line.yaml");
  const Topology t = build_topology(p);
  CHECK(t.wan_path(0, 2, p.source) == std::vector<int>{1, 0});
  CHECK(t.wan_path(2, 0, p.source) == std::vector<int>{0, 1});
  CHECK(t.wan_path(0, 1, p.source) == std::vector<int>{1});
  CHECK(t.wan_path(1, 1, p.source).empty());
  CHECK(edge(t, t.wan_link[1]).name == "wan-a-b");
}

TEST_CASE("topology: wan_path throws InputError when sites are not connected") {
  Platform p = load_platform_yaml(kPlatforms + "three_sites_line.yaml");
  p.wan.pop_back();  // drop a-b: a is cut off
  const Topology t = build_topology(p);
  CHECK_THROWS_WITH_AS(t.wan_path(0, 2, "x.yaml"),
                       "x.yaml: wan: sites 'a' and 'c' are not connected", suanli::InputError);
  CHECK(t.wan_path(1, 2, "x.yaml") == std::vector<int>{0});
  CHECK(t.hops(t.site_vertex[0], t.site_vertex[2]) == -1);
}

// Edge descriptors point into the graph they came from: a copy must find its own edges, or
// reading a role edge of a copy reads freed memory (a moved-from Topology is copied: Boost
// 1.74's adjacency_list has no move constructor).
TEST_CASE("topology: a copy's role edges belong to the copy's own graph") {
  Topology copy;
  {
    const Platform p = parse_platform_yaml(R"(
name: copy
sites:
  - name: lab
    clusters:
      - name: ft
        nodes: 4
        node:
          gpu: {model: A100, count: 2}
          nic: {bandwidth: 200Gbps, latency: 2us}
        fabric: {type: fat-tree, nodes_per_leaf: 2}
)",
                                           "copy.yaml");
    Topology original = build_topology(p);
    copy = original;
  }
  REQUIRE(copy.gpu_link.size() == 8);
  CHECK(copy.graph[copy.gpu_link[5]].name == "ft-n2-g1-intra");
  CHECK(copy.graph[copy.node_link[3]].name == "ft-n3-nic");
  CHECK(copy.graph[copy.leaf_link[1]].name == "ft-leaf1-up");
  CHECK(copy.graph[copy.core_link[0]].name == "ft-core");
  for (auto e : copy.gpu_link)
    CHECK(boost::source(e, copy.graph) < boost::num_vertices(copy.graph));
}
