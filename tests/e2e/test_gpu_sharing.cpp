// End-to-end: jobs holding a share of one GPU (gpu_milli), derived by hand.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "run_binary.hpp"

using e2e::fixture;
using e2e::num;

namespace {

std::string run_sharing(const std::string& name, const std::string& policy,
                        const std::string& exec_model) {
  const auto out = e2e::fresh_dir(name);
  const auto r = e2e::run_suanli({"run", "--platform", fixture("e2e/energy.yaml"), "--workload",
                                  fixture("e2e/sharing.csv"), "--policy", policy, "--exec-model",
                                  exec_model, "--out", out});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  return out;
}

}  // namespace

// energy.yaml: 2 nodes of 1 GPU (testgpu: 50 W idle; these jobs' compute share, 0.4 / 0.7 in
// the state of share 0.55, draws 200 + 0.55 x 200 = 310 W), 100 W static per node, one 20 W
// switch, PUE 1.5. sharing.csv, all submitted at 0, durations on testgpu:
//   a: 0.5 GPU, 100 s   b: 0.5 GPU, 200 s   c: 0.6 GPU, 100 s   d: 1 whole GPU, 50 s
// t=0, first pass: a takes a free GPU (first fit: GPU 0), b the room left there (best fit,
// GPU 0 full); c fits in neither the policy's tally (no room, no free GPU left in it), so
// FIFO stops. The engine asks again after starting shares: c goes on GPU 1 (0.4 left), d
// (whole) finds no free GPU and waits.
// A share runs at share x peak, its work is share x duration x peak: each runs its duration.
//   a: 0-100 on GPU 0   b: 0-200 on GPU 0   c: 0-100 on GPU 1
// t=100: a and c end, GPU 1 is free: d runs 100-150 on GPU 1. Makespan 200 s.
// Energy: a share is charged share x 310 W while it runs; a whole job what its GPU drew.
//   a = 100 x 0.5 x 310 = 15,500 J   b = 200 x 0.5 x 310 = 31,000 J
//   c = 100 x 0.6 x 310 = 18,600 J   d = 50 x 310 = 15,500 J
// GPUs (power = 50 + load x 260 W, load = sum of the shares computing):
//   GPU 0: 100 s at load 1 (310 W) + 100 s at 0.5 (180 W)             = 49,000 J
//   GPU 1: 100 s at 0.6 (206 W) + 50 s at 1 (310 W) + 50 s idle (50 W) = 38,600 J
//   GPU energy 87,600 J; static (2 x 100 + 20) W x 200 s = 44,000 J; IT 131,600 J.
// Utilisation: (0.5 x 100 + 0.5 x 200 + 0.6 x 100 + 50) / (2 GPUs x 200 s) = 260 / 400.
// Timeline (IT power = 220 static + 2 x 50 idle + sum of share x 260 W):
//   t=0:   busy 2 (both GPUs hold shares), running 3, queued 1, 320 + 1.6 x 260 = 736 W
//   t=100: busy 2, running 2 (b, d), queued 0, 320 + 1.5 x 260 = 710 W
//   t=150: busy 1, running 1, 320 + 0.5 x 260 = 450 W
//   t=200: busy 0, 320 W
namespace {

void check_sharing_case(const std::string& out) {
  auto jobs = e2e::read_jobs(out);
  const auto check = [&](const char* id, double start, double end, const char* hosts, double energy,
                         double fraction) {
    CAPTURE(id);
    CHECK(jobs[id]["final_state"] == "COMPLETED");
    CHECK(num(jobs[id], "start_time") == doctest::Approx(start));
    CHECK(num(jobs[id], "end_time") == doctest::Approx(end));
    CHECK(jobs[id]["hosts"] == hosts);
    CHECK(num(jobs[id], "energy_j") == doctest::Approx(energy).epsilon(1e-3));
    CHECK(num(jobs[id], "gpu_fraction") == doctest::Approx(fraction));
  };
  check("a", 0, 100, "0", 15500, 0.5);
  check("b", 0, 200, "0", 31000, 0.5);
  check("c", 0, 100, "1", 18600, 0.6);
  check("d", 100, 150, "1", 15500, 1);

  const auto summary = nlohmann::json::parse(e2e::read_file(out + "/summary.json"));
  CHECK(summary["makespan_s"].get<double>() == doctest::Approx(200));
  CHECK(summary["energy_gpu_kwh"].get<double>() == doctest::Approx(87600 / 3.6e6).epsilon(1e-3));
  CHECK(summary["energy_it_kwh"].get<double>() == doctest::Approx(131600 / 3.6e6).epsilon(1e-3));
  CHECK(summary["gpu_utilization"].get<double>() == doctest::Approx(260.0 / 400.0));

  auto rows = e2e::read_csv(out + "/timeline.csv");
  REQUIRE(rows.size() == 4);
  const double times[] = {0, 100, 150, 200};
  const int busy[] = {2, 2, 1, 0};
  const int running[] = {3, 2, 1, 0};
  const double power[] = {736, 710, 450, 320};
  for (int k = 0; k < 4; ++k) {
    CAPTURE(k);
    CHECK(num(rows[k], "time") == doctest::Approx(times[k]));
    CHECK(num(rows[k], "busy_gpus") == busy[k]);
    CHECK(num(rows[k], "running_jobs") == running[k]);
    CHECK(num(rows[k], "it_power_w") == doctest::Approx(power[k]));
  }
  CHECK(num(rows[0], "queued_jobs") == 1);
}

}  // namespace

TEST_CASE("gpu sharing: shares pack on one GPU, run at their share, draw their share of power") {
  check_sharing_case(run_sharing("sharing-fifo", "fifo", "flows"));
}

TEST_CASE("gpu sharing: the same case under the ptask execution model") {
  check_sharing_case(run_sharing("sharing-ptask", "fifo", "ptask"));
}

// EASY: at t=0 c is the head once a and b have started; as a share head its reservation is
// the first end, and d (whole) cannot backfill: no GPU is free in the tally. Same schedule.
TEST_CASE("gpu sharing: the same schedule under easy") {
  check_sharing_case(run_sharing("sharing-easy", "easy", "flows"));
}

TEST_CASE("gpu sharing: a share needs exactly one GPU") {
  const auto dir = e2e::fresh_dir("sharing-bad");
  std::filesystem::create_directories(dir);
  const auto csv = dir + "/bad.csv";
  std::ofstream(csv) << "job_id,submit_time,num_gpus,duration,gpu_milli\nx,0,2,10,500\n";
  const auto r = e2e::run_suanli(
      {"run", "--platform", fixture("e2e/energy.yaml"), "--workload", csv, "--out", dir + "/out"});
  CHECK(r.status == 2);
  CHECK(r.err.find("bad.csv:2: gpu_milli: a share of one GPU needs num_gpus 1, got 2") !=
        std::string::npos);
}
