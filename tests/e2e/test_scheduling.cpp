// End-to-end: the real binary on tiny inputs, start/end times derived by hand.
#include <doctest/doctest.h>

#include <initializer_list>
#include <tuple>

#include "run_binary.hpp"

using e2e::fixture;
using e2e::num;

namespace {

std::map<std::string, e2e::Row> run(const std::string& platform, const std::string& workload,
                                    const std::string& policy, const std::string& name,
                                    std::vector<std::string> extra = {}) {
  const auto out = e2e::fresh_dir(name);
  std::vector<std::string> args{"run",        "--platform",      fixture(platform),
                                "--workload", fixture(workload), "--policy",
                                policy,       "--out",           out};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = e2e::run_suanli(args);
  REQUIRE_MESSAGE(r.status == 0, r.err);
  return e2e::read_jobs(out);
}

void check_times(const e2e::Row& job, double start, double end) {
  CHECK(num(job, "start_time") == doctest::Approx(start).epsilon(1e-9));
  CHECK(num(job, "end_time") == doctest::Approx(end).epsilon(1e-9));
}

// Each named job's [start, end].
void check_schedule(std::map<std::string, e2e::Row>& jobs,
                    std::initializer_list<std::tuple<std::string, double, double>> expected) {
  for (const auto& [name, start, end] : expected) {
    CAPTURE(name);
    check_times(jobs[name], start, end);
  }
}

}  // namespace

// two_speeds.yaml: 'slow' = 4 x testgpu (100 TFLOPS, most common -> reference model),
// 'fast' = 2 x fastgpu (200 TFLOPS). FIFO, in file order at t=0:
//  typed-slow: 1000 s on testgpu, must run on 'slow'          -> [0, 1000]
//  untyped:    1000 reference (testgpu) seconds; the fastest cluster with room is 'fast':
//              1000 x 100/200                                  -> [0, 500]
//  typed-fast: 600 s on its reference fastgpu, needs both fast GPUs; one is busy until 500
//              (head-of-line blocking)                         -> [500, 1100]
TEST_CASE("a duration job runs exactly its duration on its reference GPU, faster on a faster one") {
  auto jobs = run("e2e/two_speeds.yaml", "e2e/two_speeds.csv", "fifo", "speeds");
  check_times(jobs["typed-slow"], 0, 1000);
  CHECK(jobs["typed-slow"]["gpu_type"] == "testgpu");
  check_times(jobs["untyped"], 0, 500);
  CHECK(jobs["untyped"]["gpu_type"] == "fastgpu");
  check_times(jobs["typed-fast"], 500, 1100);
  CHECK(num(jobs["typed-fast"], "wait_s") == doctest::Approx(500));
  CHECK(num(jobs["typed-fast"], "jct_s") == doctest::Approx(1100));
}

// backfill.csv on one node of 4 GPUs (walltime = duration):
//   A t=0 2 GPU 100 s; B t=1 4 GPU 100 s; C t=2 2 GPU 50 s; D t=3 2 GPU 200 s.
// FIFO: A [0,100]; B waits for A: [100,200]; C and D behind B start when B ends: C [200,250],
//       D [200,400].
// EASY: at t=2 head B reserves t=100 (when A ends; extra GPUs then: 4-4 = 0). C ends at
//       2+50 = 52 <= 100: backfilled [2,52]. D (ends 3+200 > 100, no extra) waits:
//       B [100,200], D [200,400].
// SJF (shortest walltime first, no backfill): at t=2 the queue is C(50) before B(100): C fits,
//       starts [2,52]; then B(100) blocks D(200): B [100,200], D [200,400].
TEST_CASE(
    "FIFO blocks behind the head while EASY backfills a job that ends before the reservation") {
  auto fifo = run("e2e/one_node4.yaml", "e2e/backfill.csv", "fifo", "fifo");
  check_times(fifo["A"], 0, 100);
  check_times(fifo["B"], 100, 200);
  check_times(fifo["C"], 200, 250);
  check_times(fifo["D"], 200, 400);

  auto easy = run("e2e/one_node4.yaml", "e2e/backfill.csv", "easy", "easy");
  check_times(easy["A"], 0, 100);
  check_times(easy["C"], 2, 52);
  check_times(easy["B"], 100, 200);
  check_times(easy["D"], 200, 400);

  auto sjf = run("e2e/one_node4.yaml", "e2e/backfill.csv", "sjf", "sjf");
  check_times(sjf["C"], 2, 52);
  check_times(sjf["B"], 100, 200);
  check_times(sjf["D"], 200, 400);
}

// conservative.csv on single_node.yaml (4 V100, walltime = duration):
//   a t=0 3 GPU 100 s; b t=1 2 GPU 100 s; c t=2 4 GPU 100 s; d t=3 1 GPU 250 s.
// a starts [0,100]; 1 GPU stays free.
// EASY: at t=3 head b reserves t=100 (a's end), extra 1 + 3 - 2 = 2. d runs past 100 but its
//       1 GPU fits in the extra: backfilled [3,253]. b [100,200]. c needs all 4, and d holds
//       one until 253: c [253,353]. d delayed c, the second job in the queue.
// Conservative: at t=3 the profile is [3,100) 1, [100,inf) 4; b reserves [100,200) (2 left),
//       c [200,300) (0 left). d needs 1 GPU for 250 s: [3,253) crosses 0 at 200, reserved at
//       300. At 100 b starts and d, re-reserved, still meets c's [200,300): it waits.
//       c [200,300], d [300,550].
TEST_CASE("conservative backfilling does not let a job delay the second queued job, EASY does") {
  auto easy = run("platforms/single_node.yaml", "e2e/conservative.csv", "easy", "cons-easy");
  check_schedule(easy, {{"a", 0, 100}, {"b", 100, 200}, {"c", 253, 353}, {"d", 3, 253}});
  auto cons = run("platforms/single_node.yaml", "e2e/conservative.csv", "conservative", "cons");
  check_schedule(cons, {{"a", 0, 100}, {"b", 100, 200}, {"c", 200, 300}, {"d", 300, 550}});
}

// uplink_os{1,2}.yaml: 4 nodes x 1 GPU (g0..g3), leaves {g0,g1} and {g2,g3}; node NIC 1e9 B/s;
// leaf uplink 2e9 B/s (oversubscription 1) or 1e9 B/s (oversubscription 2); no latency.
// First-fit, FIFO at t=0: P -> g0 [0,1], X -> g1,g2, Q -> g3 [0,1], Y waits, then g0,g3 at t=1.
// X and Y: params 1e9, one step (tokens = batch_tokens): a ring all-reduce of 2e9 bytes of
// gradients, each GPU sends 2 (n-1)/n x 2e9 = 2e9 bytes to the other, across both leaves'
// uplinks (X: g1->g2 and back; Y: g0->g3 and back use the same uplink directions). Compute is
// 6e9*1000/(2*0.4) = 7.5e12 FLOP per GPU = 0.075 s at 100 TFLOPS: communication bound.
//  os 1: each flow gets its NIC's 1e9 B/s, the uplinks have room for both:
//        X [0, 2], Y [1, 3].
//  os 2: X alone on [0,1] at 1e9 B/s sends 1e9 B; from t=1 X and Y share each 1e9 B/s uplink
//        direction: 0.5e9 B/s each. X's remaining 1e9 B take 2 s: X ends at 3. Y has sent
//        1e9 B by then, and alone again sends the last 1e9 B in 1 s: Y ends at 4.
TEST_CASE("two jobs crossing the same oversubscribed uplink both slow down") {
  auto wide =
      run("e2e/uplink_os1.yaml", "e2e/uplink.csv", "fifo", "os1", {"--placement", "first-fit"});
  CHECK(wide["X"]["hosts"] == "1-2");
  CHECK(wide["Y"]["hosts"] == "0 3");
  check_times(wide["P"], 0, 1);
  check_times(wide["X"], 0, 2);
  check_times(wide["Y"], 1, 3);

  auto thin =
      run("e2e/uplink_os2.yaml", "e2e/uplink.csv", "fifo", "os2", {"--placement", "first-fit"});
  check_times(thin["X"], 0, 3);
  check_times(thin["Y"], 1, 4);
}

// A job limited by its traffic all along ends the same however its work is cut: the X/Y case
// in phases of ~0.01 s of compute still ends at 3 and 4.
TEST_CASE("phases do not change a job that is communication-bound throughout") {
  auto thin = run("e2e/uplink_os2.yaml", "e2e/uplink.csv", "fifo", "phases",
                  {"--placement", "first-fit", "--phase-seconds", "0.01"});
  check_times(thin["X"], 0, 3);
  check_times(thin["Y"], 1, 4);
}

// The same hand-derived cases under the other execution model (one ptask_L07 parallel task per
// phase, computation and traffic progressing together): the answers must not change.
TEST_CASE("the ptask execution model gives the same hand-derived times") {
  auto speeds = run("e2e/two_speeds.yaml", "e2e/two_speeds.csv", "fifo", "ptask-speeds",
                    {"--exec-model", "ptask"});
  check_times(speeds["typed-slow"], 0, 1000);
  check_times(speeds["untyped"], 0, 500);
  check_times(speeds["typed-fast"], 500, 1100);

  auto easy = run("e2e/one_node4.yaml", "e2e/backfill.csv", "easy", "ptask-easy",
                  {"--exec-model", "ptask"});
  check_times(easy["C"], 2, 52);
  check_times(easy["D"], 200, 400);

  auto thin = run("e2e/uplink_os2.yaml", "e2e/uplink.csv", "fifo", "ptask-os2",
                  {"--placement", "first-fit", "--exec-model", "ptask"});
  check_times(thin["X"], 0, 3);
  check_times(thin["Y"], 1, 4);
}

// innode.yaml/csv: 4-GPU training runs inside one node, params 1e9, one step (tokens =
// batch_tokens = 1): each GPU sends 2 (4-1)/4 x 2e9 = 3e9 bytes to the next over its own
// NVSwitch link (600e9 B/s each way; route = sender's link up + receiver's link down, 2 x 1 us).
// Compute 6e9 / (4 x 0.4) = 3.75e9 FLOP per GPU = 37.5 us at 100 TFLOPS, hidden under the
// traffic: 2e-6 + 3e9 / 600e9 = 0.005002 s. 'after' needs the same 4 GPUs: [0.005002, 0.010004].
TEST_CASE("a ring inside one node takes latency plus bytes over the NVSwitch link") {
  for (const char* model : {"flows", "ptask"}) {
    CAPTURE(model);
    auto jobs = run("e2e/innode.yaml", "e2e/innode.csv", "fifo", std::string("innode-") + model,
                    {"--exec-model", model});
    check_times(jobs["ring"], 0, 0.005002);
    check_times(jobs["after"], 0.005002, 0.010004);
  }
}

// same_time.csv on one GPU: 'long' (100 s) and 'short' (10 s) are both submitted at t=0, in
// that file order. The policy must see both before deciding:
//   SJF:  short [0,10], long [10,110];   FIFO (file order breaks the tie): long [0,100],
//   short [100,110].
TEST_CASE("jobs submitted at the same instant reach the policy together") {
  auto sjf = run("e2e/one_gpu.yaml", "e2e/same_time.csv", "sjf", "same-sjf");
  check_times(sjf["short"], 0, 10);
  check_times(sjf["long"], 10, 110);
  auto fifo = run("e2e/one_gpu.yaml", "e2e/same_time.csv", "fifo", "same-fifo");
  check_times(fifo["long"], 0, 100);
  check_times(fifo["short"], 100, 110);
}

// uplink_phases.csv on uplink_os2.yaml (first-fit, as in the contention case): X now computes
// 6e9 x 5e4 / (2 x 0.5) = 3e14 FLOP per GPU = 3 s, and sends 2e9 B (one step). Y as before
// (2e9 B, 0.075 s of compute) starts at t=1 on the same uplink directions (1e9 B/s).
//  One phase: X's traffic alone on [0,1] (1e9 B), shared from t=1 (0.5e9 B/s): done at 3,
//    with its compute: X [0,3]. Y: 1e9 B by t=3, the rest alone in 1 s: Y [1,4].
//  --phase-seconds 1.5: X has ceil(3/1.5) = 2 phases of 1.5 s compute and 1e9 B each.
//    Phase 1: traffic alone, done at 1; compute ends at 1.5. Y alone on [1,1.5]: 0.5e9 B.
//    Phase 2 from 1.5: traffic shared, 1e9 B at 0.5e9 B/s ends at 3.5 (compute at 3.0):
//    X [0,3.5]. Y sends 1e9 B during [1.5,3.5], then its last 0.5e9 B alone: Y [1,4].
TEST_CASE("phases synchronise compute and traffic: contention in one phase delays the next") {
  auto one = run("e2e/uplink_os2.yaml", "e2e/uplink_phases.csv", "fifo", "phases-one",
                 {"--placement", "first-fit"});
  check_times(one["X"], 0, 3);
  check_times(one["Y"], 1, 4);
  auto two = run("e2e/uplink_os2.yaml", "e2e/uplink_phases.csv", "fifo", "phases-two",
                 {"--placement", "first-fit", "--phase-seconds", "1.5"});
  check_times(two["X"], 0, 3.5);
  check_times(two["Y"], 1, 4);
}
