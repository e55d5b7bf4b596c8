// Placements on the small platform of fake_cluster_view.hpp:
//   cluster 0 (fat-tree): leaf 0 = node 0 (GPUs 0-3) + node 1 (4-7),
//                         leaf 1 = node 2 (8-11) + node 3 (12-15);
//   cluster 1 (star):     node 4 (16-19), node 5 (20-23).
// Expected GPU lists are worked out by hand in the comments.
#include <doctest/doctest.h>

#include <stdexcept>

#include "fake_cluster_view.hpp"
#include "suanli/platform/topology.hpp"
#include "suanli/sched/allocation.hpp"

using namespace suanli;
using namespace suanli::sched;
using Gpus = std::vector<int>;

namespace {

struct Fixture {
  platform::Platform platform = testing::small_platform();
  platform::Topology topology = platform::build_topology(platform);
  AllocationState state{platform, topology};
  std::unique_ptr<Placement> first_fit = find_placement("first-fit")->make();
  std::unique_ptr<Placement> compact = find_placement("compact")->make();
};

}  // namespace

TEST_CASE("placement registry lists first-fit, compact, topo, fgd and its baselines") {
  std::vector<std::string_view> names;
  for (const PlacementEntry& e : placements()) {
    names.push_back(e.name);
    CHECK_FALSE(e.description.empty());
  }
  CHECK(names == std::vector<std::string_view>{"first-fit", "compact", "topo", "fgd", "best-fit",
                                               "dot-product", "packing", "clustering", "random"});
  CHECK(find_placement("worst-fit") == nullptr);
}

TEST_CASE("first-fit: lowest-indexed free GPUs, full nodes skipped") {
  Fixture f;
  f.state.allocate({1, 2, 5});
  // Free in cluster 0: node 0 {0, 3}, node 1 {4, 6, 7}, ... -> the first four: 0 3 4 6.
  CHECK(f.first_fit->place(f.state, 0, 4) == Gpus{0, 3, 4, 6});
  // The star cluster is untouched: 16 17 18.
  CHECK(f.first_fit->place(f.state, 1, 3) == Gpus{16, 17, 18});

  f.state.allocate({0, 3});  // node 0 now full
  CHECK(f.first_fit->place(f.state, 0, 2) == Gpus{4, 6});
  CHECK_THROWS_AS(f.first_fit->place(f.state, 0, 12), std::logic_error);  // 11 free
}

TEST_CASE("compact: a small job goes to the fullest node that fits (best fit)") {
  Fixture f;
  f.state.allocate({0, 4, 5});
  // Free per node: node 0 = 3 {1,2,3}, node 1 = 2 {6,7}, node 2 = 4, node 3 = 4.
  // 2 GPUs: node 1 has exactly 2 -> 6 7 (first-fit would take 1 2 and break up node 0).
  CHECK(f.compact->place(f.state, 0, 2) == Gpus{6, 7});
  CHECK(f.first_fit->place(f.state, 0, 2) == Gpus{1, 2});
  // 3 GPUs: node 0 (3 free) -> 1 2 3.
  CHECK(f.compact->place(f.state, 0, 3) == Gpus{1, 2, 3});
  // 4 GPUs: nodes 2 and 3 tie with 4 free -> the lower, node 2: 8 9 10 11.
  CHECK(f.compact->place(f.state, 0, 4) == Gpus{8, 9, 10, 11});
}

TEST_CASE("compact: an 8-GPU job stays within one leaf where first-fit splits it") {
  Fixture f;
  f.state.allocate({0});
  // Leaf 0 has 7 free, leaf 1 has 8. First-fit: 1-7 from leaf 0 and 8 from leaf 1.
  CHECK(f.first_fit->place(f.state, 0, 8) == Gpus{1, 2, 3, 4, 5, 6, 7, 8});
  // Compact: only leaf 1 can hold 8 -> nodes 2 and 3 whole: 8-15.
  CHECK(f.compact->place(f.state, 0, 8) == Gpus{8, 9, 10, 11, 12, 13, 14, 15});
}

TEST_CASE("compact: among leaves needing as many nodes, the fullest leaf, most-free nodes") {
  Fixture f;
  f.state.allocate({4});
  // 6 GPUs need two nodes in either leaf. Leaf 0 has 7 free (node 0: 4, node 1: 3), leaf 1
  // has 8: leaf 0 is the best fit. Node 0 first (most free): 0 1 2 3, then 2 of node 1's
  // free {5, 6, 7}, the lowest: 5 6.
  const Gpus gpus = f.compact->place(f.state, 0, 6);
  CHECK(gpus == Gpus{0, 1, 2, 3, 5, 6});
  f.state.allocate(gpus);
  CHECK(f.state.free_in_leaf(0) == 1);
  CHECK(f.state.free_in_leaf(1) == 8);
}

TEST_CASE("compact: no single leaf suffices -> the fullest leaf, then the nearest") {
  Fixture f;
  f.state.allocate({0});
  // 12 GPUs, leaves have 7 and 8 free. Start from leaf 1 (8, most free), take all of it:
  // 8-15. Then leaf 0 (2 hops away) gives 4 more from its most-free node, node 1: 4-7.
  // First-fit would have taken 1-12 over 4 nodes, compact uses 3 nodes.
  CHECK(f.compact->place(f.state, 0, 12) == Gpus{4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
}

TEST_CASE("compact: the star cluster is one pseudo-leaf") {
  Fixture f;
  f.state.allocate({16});
  // 6 GPUs > 4 per node. The single leaf has node 4: 3 free {17,18,19}, node 5: 4 free.
  // Node 5 first: 20-23, then node 4's lowest two: 17 18.
  CHECK(f.compact->place(f.state, 1, 6) == Gpus{17, 18, 20, 21, 22, 23});
  CHECK_THROWS_AS(f.compact->place(f.state, 1, 8), std::logic_error);  // 7 free
}
