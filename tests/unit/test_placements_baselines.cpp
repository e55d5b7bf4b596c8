// The FGD repository's baselines and topo on the small platform of fake_cluster_view.hpp:
//   cluster 0 (fat-tree): leaf 0 = node 0 (GPUs 0-3) + node 1 (4-7),
//                         leaf 1 = node 2 (8-11) + node 3 (12-15); no CPUs modelled.
// The state of most cases ("A"):
//   node 0: GPU 0 holds a share of 600 (400 free)          -> 3400 thousandths free
//   node 1: GPU 4 holds a share of 300 (700 free), GPU 5 runs a whole job -> 2700 free
//   node 2: all free                                       -> 4000 free
//   node 3: GPU 12 runs a whole job                        -> 3000 free
// A share of 300 must go into room (the cluster has some): GPU 0 (node 0) or GPU 4 (node 1).
#include <doctest/doctest.h>

#include <vector>

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
  Fixture() {
    state.allocate_share(0, 600);
    state.allocate_share(4, 300);
    state.allocate({5, 12});
  }
  int share_gpu(std::string_view placement, int milli) {
    auto p = find_placement(placement)->make();
    p->prepare({}, 0);
    return p->place_share(state, 0, testing::share_job(milli));
  }
  Gpus whole(std::string_view placement, int gpus) {
    auto p = find_placement(placement)->make();
    p->prepare({}, 0);
    return p->place(state, 0, gpus);
  }
};

}  // namespace

TEST_CASE("share options: into room when the cluster has room, else free GPUs") {
  Fixture f;
  const auto options = share_options(f.state, 0, 300);
  REQUIRE(options.size() == 2);
  CHECK(options[0].node == 0);
  CHECK(options[0].gpus == Gpus{0});
  CHECK(options[1].node == 1);
  CHECK(options[1].gpus == Gpus{4});
  CHECK(share_allowed(f.state, 0, 300, 4));
  CHECK_FALSE(share_allowed(f.state, 0, 300, 8));  // free, but room exists: not promised
  // 800 fits no room: any free GPU (nodes 0-3 all have some).
  CHECK(share_options(f.state, 0, 800).size() == 4);
  CHECK(share_allowed(f.state, 0, 800, 8));
}

// Each baseline on state A: a share of 300 (GPU 0 or GPU 4) and one whole GPU (any node).
//   best-fit, least left on the node after the job: share: node 0 keeps 0.5 x 3100/4000,
//     node 1 0.5 x 2400/4000 -> GPU 4 (the engine's default, least room, takes GPU 0).
//     Whole: nodes keep 2400, 1700, 3000, 2000 -> node 1, its lowest free GPU, 6.
//   dot-product, smallest product of the node's free vector and the demand: share: 3400/4000
//     vs 2700/4000 times 0.3/4 -> node 1, GPU 4. Whole: the least free, node 1 -> GPU 6.
//   packing: share, case 1 on both: node 0 scores 100 - 40/10 = 96 (GPU 0 has 40% free),
//     node 1 100 - 70/10 = 93 -> GPU 0. Whole: nodes 0, 1, 3 are used, case 2: 50 - 1 = 49;
//     node 2 is all free, case 3: max(33 - 4, 4) = 29 -> the lowest of the 49s, GPU 1.
//   clustering: share: node 0 runs shares only, band 75 + 25 x 600/4000 = 3 -> 78; node 1
//     runs shares and a whole job, 50 + 25 x 1300/4000 = 8 -> 58 -> GPU 0. Whole: node 3
//     runs whole jobs only, 75 + 25 x 1000/4000 = 81; node 1 58; node 0 (shares only) 3;
//     node 2 (idle) 25 -> node 3, GPU 13.
TEST_CASE("baselines: each one's choice for a share and for a whole GPU on state A") {
  struct Expected {
    const char* placement;
    int share_gpu;
    Gpus whole;
  };
  for (const Expected& e :
       {Expected{"best-fit", 4, {6}}, Expected{"dot-product", 4, {6}}, Expected{"packing", 0, {1}},
        Expected{"clustering", 0, {13}}, Expected{"compact", 0, {6}}}) {
    CAPTURE(e.placement);
    Fixture f;
    CHECK(f.share_gpu(e.placement, 300) == e.share_gpu);
    CHECK(f.whole(e.placement, 1) == e.whole);
  }
}

TEST_CASE("random: a seed gives the same draws, another seed others") {
  Fixture f;
  auto draws = [&](std::uint64_t seed) {
    auto p = find_placement("random")->make();
    p->prepare({}, seed);
    std::vector<int> out;
    // 800 fits no room: a free GPU of any node, 12 GPUs to draw from.
    for (int k = 0; k < 20; ++k) out.push_back(p->place_share(f.state, 0, testing::share_job(800)));
    return out;
  };
  const auto a = draws(7);
  CHECK(a == draws(7));
  CHECK(a != draws(8));
  for (int gpu : a) CHECK(share_allowed(f.state, 0, 800, gpu));
}

TEST_CASE("topo: GPUs under one leaf rather than spanning leaves") {
  platform::Platform platform = testing::small_platform();
  platform::Topology topology = platform::build_topology(platform);
  AllocationState state{platform, topology};
  state.allocate({0, 1, 4, 5, 6, 7, 8, 9});
  // Free: node 0 {2, 3} (leaf 0); node 2 {10, 11}, node 3 {12..15} (leaf 1). 4 GPUs: first-fit
  // spans the leaves (2 3 10 11); topo keeps them under leaf 1, on one node: 12..15.
  auto topo = find_placement("topo")->make();
  CHECK(find_placement("first-fit")->make()->place(state, 0, 4) == Gpus{2, 3, 10, 11});
  CHECK(topo->place(state, 0, 4) == Gpus{12, 13, 14, 15});
  // 6 GPUs: leaf 1 alone (6 free) -> its nodes, most free first: 10 11 12 13 14 15.
  CHECK(topo->place(state, 0, 6) == Gpus{10, 11, 12, 13, 14, 15});
  // 7 GPUs span both leaves. From leaf 1: 6 there + 1 from leaf 0, 6 x 1 pairs 2 hops apart
  // (12); from leaf 0: 2 + 5, 10 pairs (20) -> leaf 1's six and GPU 2.
  CHECK(topo->place(state, 0, 7) == Gpus{2, 10, 11, 12, 13, 14, 15});
}
