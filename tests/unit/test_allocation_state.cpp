#include <doctest/doctest.h>

#include <stdexcept>

#include "fake_cluster_view.hpp"
#include "suanli/platform/topology.hpp"
#include "suanli/sched/allocation.hpp"

using namespace suanli;
using namespace suanli::sched;

namespace {

// Platform and topology must outlive the state, which keeps pointers to them.
struct Fixture {
  platform::Platform platform = testing::small_platform();
  platform::Topology topology = platform::build_topology(platform);
  AllocationState state{platform, topology};
};

}  // namespace

TEST_CASE("allocation state: everything free at start, leaves and distances from the graph") {
  Fixture f;
  const AllocationState& s = f.state;
  CHECK(s.free_in_cluster(0) == 16);
  CHECK(s.free_in_cluster(1) == 8);
  for (int n = 0; n < 6; ++n) CHECK(s.free_in_node(n) == 4);
  CHECK(s.free_in_leaf(0) == 8);
  CHECK(s.free_in_leaf(1) == 8);
  CHECK(s.free_in_leaf(2) == 8);  // the star's pseudo-leaf
  for (int g = 0; g < 24; ++g) CHECK(s.gpu_free(g));

  CHECK(s.leaf_count(0) == 2);
  CHECK(s.leaf_count(1) == 1);
  CHECK(s.node_of_gpu(13) == 3);
  CHECK(s.node_of_gpu(21) == 5);
  CHECK(s.leaf_of_node(3) == 1);
  CHECK(s.leaf_of_node(5) == 2);
  CHECK(s.gpu_of_node(5, 2) == 22);
  CHECK(std::vector<int>(s.nodes_of_leaf(1).begin(), s.nodes_of_leaf(1).end()) ==
        std::vector<int>{2, 3});

  // leaf 0 - core - leaf 1: two hops, the same as the graph says.
  CHECK(s.leaf_distance(0, 0) == 0);
  CHECK(s.leaf_distance(0, 1) == 2);
  CHECK(s.leaf_distance(1, 0) == 2);
  CHECK(s.leaf_distance(0, 1) ==
        f.topology.hops(f.topology.leaf_vertex[0], f.topology.leaf_vertex[1]));
  CHECK(s.leaf_distance(2, 2) == 0);
  CHECK_THROWS_AS(s.leaf_distance(0, 2), std::logic_error);  // different clusters
}

TEST_CASE("allocation state: counts follow allocate and release") {
  Fixture f;
  AllocationState& s = f.state;
  s.allocate({1, 2, 5, 17});
  CHECK_FALSE(s.gpu_free(1));
  CHECK(s.gpu_free(3));
  CHECK(s.free_in_node(0) == 2);  // 1, 2 taken
  CHECK(s.free_in_node(1) == 3);  // 5 taken
  CHECK(s.free_in_node(4) == 3);  // 17 taken
  CHECK(s.free_in_leaf(0) == 5);
  CHECK(s.free_in_leaf(1) == 8);
  CHECK(s.free_in_leaf(2) == 7);
  CHECK(s.free_in_cluster(0) == 13);
  CHECK(s.free_in_cluster(1) == 7);

  s.release({2, 17});
  CHECK(s.gpu_free(2));
  CHECK(s.free_in_node(0) == 3);
  CHECK(s.free_in_leaf(0) == 6);
  CHECK(s.free_in_cluster(0) == 14);
  CHECK(s.free_in_cluster(1) == 8);
}

TEST_CASE("allocation state: misuse throws and leaves the state unchanged") {
  Fixture f;
  AllocationState& s = f.state;
  s.allocate({1});
  CHECK_THROWS_AS(s.allocate({1}), std::logic_error);      // already busy
  CHECK_THROWS_AS(s.allocate({3, 3}), std::logic_error);   // twice in one call
  CHECK_THROWS_AS(s.allocate({4, 24}), std::logic_error);  // no GPU 24 (out_of_range)
  CHECK_THROWS_AS(s.allocate({-1}), std::logic_error);
  CHECK_THROWS_AS(s.release({0}), std::logic_error);     // not allocated
  CHECK_THROWS_AS(s.release({1, 0}), std::logic_error);  // 1 is put back to busy
  CHECK_FALSE(s.gpu_free(1));
  CHECK(s.gpu_free(3));
  CHECK(s.gpu_free(4));
  CHECK(s.free_in_node(0) == 3);
  CHECK(s.free_in_node(1) == 4);
  CHECK(s.free_in_leaf(0) == 7);
  CHECK(s.free_in_cluster(0) == 15);
}
