// fgd on the small platform of fake_cluster_view.hpp (star cluster 1: node 4 = GPUs 16-19,
// node 5 = GPUs 20-23; no CPUs or memory modelled). Fragmentation F_n(M) = sum_m p_m F_n(m),
// F_n(m) = the node's free GPU thousandths on GPUs with less room than type m needs (all of
// them when m cannot run on the node); fgd takes the option whose node's F grows the least.
#include <doctest/doctest.h>

#include <vector>

#include "fake_cluster_view.hpp"
#include "suanli/platform/topology.hpp"
#include "suanli/sched/allocation.hpp"

using namespace suanli;
using namespace suanli::sched;

namespace {

using testing::share_job;
using testing::whole_job;

struct Fixture {
  platform::Platform platform = testing::small_platform();
  platform::Topology topology = platform::build_topology(platform);
  AllocationState state{platform, topology};
  std::unique_ptr<Placement> fgd = find_placement("fgd")->make();
  std::unique_ptr<Placement> best_fit = find_placement("best-fit")->make();
  std::unique_ptr<Placement> compact = find_placement("compact")->make();
};

}  // namespace

TEST_CASE("fgd: the share goes where it leaves room the workload's jobs can use") {
  Fixture f;
  // The mix: three jobs of 500 and one of 200 -> types 500 (p 0.75) and 200 (p 0.25); 4 of 4
  // jobs are needed to cover 95%.
  const std::vector<QueuedJob> mix = {share_job(500), share_job(500), share_job(500),
                                      share_job(200)};
  f.fgd->prepare(mix, 0);
  f.state.allocate_share(16, 300);  // node 4: GPU 16 has 700 free
  f.state.allocate_share(20, 400);  // node 5: GPU 20 has 600 free
  // A job of 200 must go into room (the cluster has some): GPU 16 or GPU 20.
  //   GPU 16: 700 -> 500. Type 500 still fits it, type 200 too: F(node 4) stays 0. Growth 0.
  //   GPU 20: 600 -> 400. Type 500 now finds other free GPUs (20 is not needed), but the 400
  //   left on GPU 20 is room it cannot use: F_5(500) = 400; type 200 uses it: 0.
  //   Growth 0.75 x 400 = 300.
  // fgd: GPU 16. Best fit, by what is left on the node (3700 vs 3600 - 200), and the engine's
  // default (the GPU with the least room, 600) both take GPU 20.
  CHECK(f.fgd->place_share(f.state, 1, share_job(200)) == 16);
  CHECK(f.best_fit->place_share(f.state, 1, share_job(200)) == 20);
  CHECK(f.compact->place_share(f.state, 1, share_job(200)) == 20);
}

TEST_CASE("fgd: a share on a free GPU goes to the node where it fragments least") {
  Fixture f;
  // Mix: whole 4-GPU jobs (p 0.5) and shares of 500 (p 0.5).
  f.fgd->prepare(std::vector<QueuedJob>{whole_job(4), share_job(500)}, 0);
  f.state.allocate({16});  // node 4: 3 free GPUs; node 5: 4 free
  // No room anywhere: the share of 500 takes a free GPU on node 4 or node 5.
  //   Node 4 before: type 4-GPU cannot run (3 free): F = 3000 x 0.5; type 500: 0 -> 1500.
  //     After (GPU 17 at 500): 4-GPU still cannot: 2500 x 0.5; 500 fits everywhere: 0 ->
  //     1250. Growth -250.
  //   Node 5 before: 4-GPU fits, no GPU below 1000: 0; type 500: 0 -> 0.
  //     After (GPU 20 at 500): 4-GPU cannot (3 free): 3500 x 0.5 = 1750. Growth +1750.
  // fgd: node 4, its lowest free GPU, 17 (keeps node 5 whole for the 4-GPU jobs).
  CHECK(f.fgd->place_share(f.state, 1, share_job(500)) == 17);
}

TEST_CASE("fgd: pods are placed by fragmentation too, within the policy's promises") {
  Fixture f;
  f.fgd->prepare(std::vector<QueuedJob>{whole_job(4), share_job(500, 1000)}, 0);
  f.state.allocate({16});
  QueuedJob pod = share_job(500, 1000);
  // The policy named node 5 (position 1); as above, node 4 fragments less.
  PodRequest request{1, 5, {}};
  PodChoice choice = f.fgd->place_pod(f.state, pod, request);
  CHECK(choice.node == 4);
  CHECK(choice.gpus == std::vector<int>{17});
  // Node 4 promised to a later pod of the plan: node 5 it is.
  const std::vector<int> reserved = {4};
  request.reserved = reserved;
  choice = f.fgd->place_pod(f.state, pod, request);
  CHECK(choice.node == 5);
  CHECK(choice.gpus == std::vector<int>{20});
  // The default placements keep the policy's node.
  CHECK(f.compact->place_pod(f.state, pod, {1, 5, {}}).node == 5);
}

TEST_CASE("fgd: whole-GPU jobs go by compact when the workload has no shares or pods") {
  Fixture f;
  f.fgd->prepare(std::vector<QueuedJob>{whole_job(2), whole_job(1)}, 0);
  f.state.allocate({0, 4, 5});
  // As compact: 2 GPUs on the fullest node that fits, node 1: 6 7.
  CHECK(f.fgd->place(f.state, 0, 2) == f.compact->place(f.state, 0, 2));
  CHECK(f.fgd->place(f.state, 0, 2) == std::vector<int>{6, 7});
}
