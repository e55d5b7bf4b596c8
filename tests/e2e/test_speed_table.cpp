// End-to-end: --throughputs as the run-time speed table (Gavel's JSON or a CSV): where a job
// runs changes how long it runs by the table's ratio, not by the ratio of peak FLOP/s.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "run_binary.hpp"

using e2e::fixture;
using e2e::num;

namespace {

struct Run {
  e2e::Result result;
  std::map<std::string, e2e::Row> jobs;
};

Run run(const std::string& workload, const std::string& name, std::vector<std::string> extra) {
  const auto out = e2e::fresh_dir(name);
  std::vector<std::string> args{"run",        "--platform",      fixture("speed/v100_k80.yaml"),
                                "--workload", fixture(workload), "--policy",
                                "fifo",       "--out",           out};
  args.insert(args.end(), extra.begin(), extra.end());
  Run r{e2e::run_suanli(args), {}};
  REQUIRE_MESSAGE(r.result.status == 0, r.result.err);
  r.jobs = e2e::read_jobs(out);
  return r;
}

void check_times(const e2e::Row& job, double start, double end) {
  CHECK(num(job, "start_time") == doctest::Approx(start).epsilon(1e-9));
  CHECK(num(job, "end_time") == doctest::Approx(end).epsilon(1e-9));
}

// The two jobs of one kind start together at t=0, one on each cluster (which one gets the V100
// is the policy's choice): the one on the V100 runs `on_v100` s, the one on the K80 `on_k80`.
void check_one_per_cluster(const e2e::Row& a, const e2e::Row& b, double on_v100, double on_k80) {
  REQUIRE(a.at("gpu_type") != b.at("gpu_type"));
  const e2e::Row& v100 = a.at("gpu_type") == "V100" ? a : b;
  const e2e::Row& k80 = a.at("gpu_type") == "V100" ? b : a;
  CHECK(k80.at("gpu_type") == "K80");
  check_times(v100, 0, on_v100);
  check_times(k80, 0, on_k80);
}

}  // namespace

// speed/v100_k80.yaml: one V100 (125 TFLOPS) and one K80 (4.365 TFLOPS).
// speed/jobs.trace with speed/throughputs.json (--reference-worker v100, so durations are V100
// seconds and the reference GPU is the V100), FIFO, all three jobs arrive at t=0:
//   g1, g2: ResNet-18 (batch size 64), 2000 steps on 1 GPU: 2000 / 20 steps/s = 100 s on the
//           V100. The table: 5 steps/s on a K80, speed 5/20 = 0.25 -> 100 / 0.25 = 400 s there
//           (the peak ratio would say 100 x 125/4.365 = 2863.7 s). One runs on each GPU.
//   g3:     ResNet-50 (batch size 128), 1000 steps: 1000 / 10 = 100 s on the V100; 0 steps/s on
//           a K80 (does not fit): it may only use the V100, which is busy until 100 ->
//           [100, 200] although the K80 is free.
TEST_CASE("a gavel trace runs at the throughput table's speed on each GPU model") {
  const auto r =
      run("speed/jobs.trace", "speed-gavel", {"--throughputs", fixture("speed/throughputs.json")});
  REQUIRE(r.jobs.size() == 3);
  check_one_per_cluster(r.jobs.at("g1"), r.jobs.at("g2"), 100, 400);
  check_times(r.jobs.at("g3"), 100, 200);
  CHECK(r.jobs.at("g3").at("gpu_type") == "V100");
  CHECK(r.result.err.find("3 of 3 jobs use measured per-GPU-type speeds") != std::string::npos);
  CHECK(r.result.err.find("1 kept off GPU models where the table says 0 steps/s") !=
        std::string::npos);
}

// speed/tiresias.csv: jobs 1 and 2, resnet50, 100 s each on 1 GPU at t=0; the trace names no
// GPU, so the reference is the platform's most common model, the V100 (a 1-1 tie: the first
// declared). FIFO starts one on each GPU.
//   With speed/table.csv (resnet50: 8 steps/s on a V100, 2 on a K80, any GPU count): 100 s on
//   the V100, 100 / (2/8) = 400 s on the K80.
//   Without a table, the peak ratio: 100 x 125/4.365 = 2863.688... s on the K80.
TEST_CASE("a CSV speed table sets per-GPU-type speeds, without one the peak ratio holds") {
  const auto measured =
      run("speed/tiresias.csv", "speed-csv", {"--throughputs", fixture("speed/table.csv")});
  check_one_per_cluster(measured.jobs.at("1"), measured.jobs.at("2"), 100, 400);
  CHECK(measured.result.err.find("2 of 2 jobs use measured per-GPU-type speeds") !=
        std::string::npos);

  const auto peak = run("speed/tiresias.csv", "speed-peak", {});
  check_one_per_cluster(peak.jobs.at("1"), peak.jobs.at("2"), 100, 100 * 125 / 4.365);
}

TEST_CASE("a CSV speed table with a gavel trace, and a bad table, stop before anything runs") {
  const auto out = e2e::fresh_dir("speed-bad");
  const auto gavel =
      e2e::run_suanli({"run", "--platform", fixture("speed/v100_k80.yaml"), "--workload",
                       fixture("speed/jobs.trace"), "--throughputs", fixture("speed/table.csv"),
                       "--policy", "fifo", "--out", out});
  CHECK(gavel.status == 2);
  CHECK(gavel.err.find("--throughputs: '" + fixture("speed/table.csv") +
                       "' is a CSV speed table, but the gavel trace") != std::string::npos);
  CHECK(gavel.err.find("needs Gavel's throughputs JSON") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));

  std::filesystem::create_directories(out + "-in");
  const std::string table = out + "-in/bad.csv";
  std::ofstream(table) << "job_type,gpu_type,num_gpus,steps_per_s\nresnet50,K80,1,fast\n";
  const auto bad = e2e::run_suanli({"run", "--platform", fixture("speed/v100_k80.yaml"),
                                    "--workload", fixture("speed/tiresias.csv"), "--throughputs",
                                    table, "--policy", "fifo", "--out", out});
  CHECK(bad.status == 2);
  CHECK(bad.err.find(table + ":2: steps_per_s: 'fast' is not a number") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
}
