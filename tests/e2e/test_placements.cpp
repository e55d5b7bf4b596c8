// GPU placements through the binary: fgd against best-fit on a GPU-sharing trace.
//
// pods.yaml: 2 nodes of 2 GPUs (GPUs 0-1 on node 0, 2-3 on node 1). fgd.csv, all submitted
// at 0, FIFO, in this order: c 600, d 700, a 450 (thousandths of a GPU, 100 s), b one whole
// GPU (100 s), x 200 and y 500 (50 s). fgd's task types: the six jobs, one each (weight 1).
// Both placements put the first four alike:
//   c: no GPU holds shares; both nodes are alike, so node 0, GPU 0 (400 left).
//   d: 700 fits no room, so a free GPU: node 0 (GPU 1) or node 1 (GPU 2). Best fit: node 0
//      keeps 700 of GPU, node 1 1300 -> node 0. fgd: node 0's F goes from 5 x 400 (types
//      600, 700, 450, whole and 500 can use GPU 1 but not GPU 0's 400) to 5 x 700 (none fits
//      400 + 300 any more), +1500; node 1's from 0 to 5 x 300, +1500: a tie, node 0. GPU 1.
//   a: 450 fits neither 400 nor 300: node 1, GPU 2 (550 left). b: the last free GPU, 3.
// x (200) goes into room (GPU 0: 400, GPU 1: 300, GPU 2: 550):
//   best-fit: node 0 keeps 700 - 200 = 500, node 1 550 - 200 = 350 -> node 1, GPU 2 (350).
//   fgd: node 0's F is 5 x 700 = 3500 (only type 200 fits it); x on GPU 0 leaves 200, 300:
//   5 x 500 + 0 = 2500 (-1000); on GPU 1, 400, 100: 2500 + 100 (type 200 cannot use 100;
//   -900). Node 1's F is 3 x 550 = 1650 (types 450, 200 and 500 fit GPU 2's 550); x on GPU 2
//   leaves 350: 5 x 350 = 1750 (+100). -> GPU 0.
// y (500): under fgd GPU 2 still has 550: it starts at 0 there. Under best-fit the rooms are
// 400, 300 and 350 and no GPU is free: y waits for x to end at 50, then takes GPU 2.
#include <doctest/doctest.h>

#include "run_binary.hpp"

using e2e::fixture;
using e2e::num;

namespace {

auto run_placement(const std::string& placement) {
  const auto out = e2e::fresh_dir("placement_" + placement);
  const auto r = e2e::run_suanli({"run", "--platform", fixture("e2e/pods.yaml"), "--workload",
                                  fixture("e2e/fgd.csv"), "--policy", "fifo", "--placement",
                                  placement, "--out", out});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  return e2e::read_jobs(out);
}

}  // namespace

TEST_CASE("placements: fgd keeps room for the 500 that best-fit fragments away") {
  for (const char* placement : {"fgd", "best-fit"}) {
    CAPTURE(placement);
    auto jobs = run_placement(placement);
    REQUIRE(jobs.size() == 6);
    const bool fgd = std::string(placement) == "fgd";
    CHECK(jobs["c"]["hosts"] == "0");
    CHECK(jobs["d"]["hosts"] == "1");
    CHECK(jobs["a"]["hosts"] == "2");
    CHECK(jobs["b"]["hosts"] == "3");
    CHECK(jobs["x"]["hosts"] == (fgd ? "0" : "2"));
    CHECK(jobs["y"]["hosts"] == "2");
    CHECK(num(jobs["x"], "start_time") == doctest::Approx(0));
    CHECK(num(jobs["y"], "start_time") == doctest::Approx(fgd ? 0 : 50));
  }
}

TEST_CASE("placements: every registered name runs the sharing trace") {
  for (const char* placement :
       {"first-fit", "compact", "topo", "dot-product", "packing", "clustering", "random"}) {
    CAPTURE(placement);
    CHECK(run_placement(placement).size() == 6);
  }
}
