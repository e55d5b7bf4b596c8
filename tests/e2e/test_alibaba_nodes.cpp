// End-to-end: Alibaba's cluster-trace-gpu-v2023 node list given where a platform is taken
// (platform show / export-xml, run), with every number derived by hand below.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "run_binary.hpp"

using e2e::fixture;
using e2e::num;

namespace {

const std::string kNodes = "traces/alibaba/nodes_small.csv";

void check_contains(const std::string& text, const std::string& part) {
  CHECK_MESSAGE(text.find(part) != std::string::npos, "'" << part << "' not in:\n" << text);
}

void check_run(const e2e::Row& job, double start, double end, const std::string& hosts) {
  CHECK(num(job, "start_time") == doctest::Approx(start).epsilon(1e-9));
  CHECK(num(job, "end_time") == doctest::Approx(end).epsilon(1e-9));
  CHECK(job.at("hosts") == hosts);
}

}  // namespace

// nodes_small.csv: 13 nodes, 2 CPU-only (skipped). The 11 GPU nodes, as clusters sorted by
// model then GPUs per node, with their GPUs' global indices:
//   A10x1      1 node  x 1   0         G2x8      2 nodes x 8   1-16
//   G3x8       1 node  x 8   17-24     P100x2    1 node  x 2   25-26
//   T4x2       3 nodes x 2   27-32     T4x4      1 node  x 4   33-36
//   V100M16x4  1 node  x 4   37-40     V100M32x8 1 node  x 8   41-48
// Totals: 49 GPUs = 1 A10, 16 G2, 8 G3, 2 P100, 10 T4, 4 V100M16, 8 V100M32.
// Peak bf16 (TFLOPS, catalog; G2/G3 stand in as V100 at 125):
//   125 + 16x125 + 8x125 + 2x18.7 + 10x65 + 4x125 + 8x125 = 5312.4 -> "5.3 PFLOPS".
// Max IT power: GPUs 150 + 16x300 + 8x300 + 2x250 + 10x70 + 4x300 + 8x300 = 12150 W; no
// static_w; switches (star): one-node clusters none, G2x8 ceil(16/64) = 1, T4x2 ceil(6/64) =
// 1, at 750 W each: 1500 W. 13650 W -> "13.7 kW"; PUE 1, so facility the same.
TEST_CASE("alibaba nodes: platform show and export-xml take a node list") {
  const auto show = e2e::run_suanli({"platform", "show", fixture(kNodes)});
  REQUIRE_MESSAGE(show.status == 0, show.err);
  check_contains(show.out, "Platform nodes_small (PUE 1.00) from ");
  check_contains(show.out,
                 "Totals: 1 sites, 8 clusters, 11 nodes, 49 GPUs (1 A10, 16 G2, 8 G3, 2 P100, 10 "
                 "T4, 4 V100M16, 8 V100M32)");
  check_contains(show.out, "Peak bf16 (dense): 5.3 PFLOPS");
  check_contains(show.out, "Max power: IT 13.7 kW, facility 13.7 kW");
  for (const char* cluster :
       {"A10x1", "G2x8", "G3x8", "P100x2", "T4x2", "T4x4", "V100M16x4", "V100M32x8"})
    check_contains(show.out, std::string("alibaba  ") + cluster);
  check_contains(show.err,
                 "read as an Alibaba node list: 11 GPU nodes, 49 GPUs, 8 clusters; 2 "
                 "CPU-only nodes skipped");

  const auto xml = e2e::run_suanli({"platform", "export-xml", fixture(kNodes)});
  REQUIRE_MESSAGE(xml.status == 0, xml.err);
  check_contains(xml.out, "G2x8-n1-g7");       // the last G2 GPU
  check_contains(xml.out, "V100M32x8-n0-g7");  // the last GPU of all
}

// FIFO, compact placement, duration jobs (no traffic: a job alone takes its duration times
// reference peak / peak of the GPUs it gets). The untyped jobs' reference is the most common
// model, G2 (16 GPUs against 10 T4), 125 TFLOPS as its V100 stand-in. A policy puts a job on
// the cluster where it would run shortest, ties to the lowest cluster index. At t = 0, in
// file order:
//   g2-all   16 x G2: the whole G2x8 cluster                            [0, 100]   1-16
//   any-8a   8, untyped: 125-TFLOPS clusters with 8 free are G3x8 and V100M32x8: G3x8
//                                                                       [0, 100]   17-24
//   any-8b   8, untyped: V100M32x8                                      [0, 100]   41-48
//   any-6    6, untyped: only T4x2 has 6 free; 130 x 125 / 65 = 250 s   [0, 250]   27-32
//   p100     2 x P100 (its own reference): 187 s                        [0, 187]   25-26
// then a10 (t = 10, 1 x A10, 30 s) at once [10, 40] on GPU 0, and g2-late (t = 20, 8 x G2,
// 50 s) waits for g2-all's GPUs: [100, 150] on the first 8 of them, 1-8.
TEST_CASE("alibaba nodes: a run on a node list") {
  const auto dir = e2e::fresh_dir("alibaba-nodes-run");
  std::filesystem::create_directories(dir);
  const std::string workload = dir + "/jobs.csv";
  std::ofstream(workload) << "job_id,submit_time,num_gpus,duration,gpu_type\n"
                             "g2-all,0,16,100,G2\n"
                             "any-8a,0,8,100,\n"
                             "any-8b,0,8,100,\n"
                             "any-6,0,6,130,\n"
                             "p100,0,2,187,P100\n"
                             "a10,10,1,30,A10\n"
                             "g2-late,20,8,50,G2\n";
  const std::string out = dir + "/out";
  const auto r = e2e::run_suanli({"run", "--platform", fixture(kNodes), "--workload", workload,
                                  "--policy", "fifo", "--out", out});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  check_contains(r.err, "2 CPU-only nodes skipped");
  auto jobs = e2e::read_jobs(out);
  REQUIRE(jobs.size() == 7);
  check_run(jobs["g2-all"], 0, 100, "1-16");
  check_run(jobs["any-8a"], 0, 100, "17-24");
  check_run(jobs["any-8b"], 0, 100, "41-48");
  check_run(jobs["any-6"], 0, 250, "27-32");
  check_run(jobs["p100"], 0, 187, "25-26");
  check_run(jobs["a10"], 10, 40, "0");
  check_run(jobs["g2-late"], 100, 150, "1-8");
}
