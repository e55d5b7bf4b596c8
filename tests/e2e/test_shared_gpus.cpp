// Training and serving share the cluster's GPUs dynamically (include/suanli/sim/
// serving_service.hpp, docs/serving-model.md): a replica that autoscaling turns off gives its
// GPUs back, a training job runs on them, and a later scale-up takes them again — or cannot
// while the job holds them.
//
// platform_2nodes.yaml: two nodes of one tgpu (GPU 0, GPU 1; 50 W idle, 0 W off, active 200 W
// + 200 W x compute share; no static power, PUE 1). night.yaml: replicas {min 1, max 2, initial 2},
// replica 0 on GPU 0 (held for the run), replica 1 on GPU 1; cold start 0.5 s; scale up at more
// than 0.5 waiting per live replica, down below 50 % KV use; cooldown 50 s; samples every 1 s.
// day_and_morning.csv: r1 at 0, m1 at 200.2, m2 at 320.2 (prompt 1000, 3 tokens: 0.02428032 s
// of work on an idle replica, first token after 0.0202002 s; tests/e2e/test_serving.cpp: a
// request draws 400 W in its 0.0202002 s prefill and 200 W in its 0.00408012 s of decodes,
// 8.896104 J, of which 350 x 0.0202002 + 150 x 0.00408012 = 7.682088 J above idle). A
// training job's compute share is its MFU, 0.4, over tgpu's compute efficiency, 1: 280 W.
//
// Both cases:
//   t=0: r1 goes to replica 0 (least tokens, ties to the lowest index); the KV caches are
//        empty, so replica 1 drains at once and powers off: GPU 1 is free (and off).
//   t=10: the 1-GPU job starts on GPU 1 (powered on).
//   r1, m1, m2 are all served by replica 0, each as on an idle replica.
//   After m2 (the end of the trace) the autoscaled replicas above min power off; the run
//   ends when the last actor does.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "run_binary.hpp"

using e2e::fixture;
using e2e::num;

namespace {

// night.yaml serving day_and_morning.csv beside `job_file` on `platform`, with `extra` run
// options (a policy, an execution model).
e2e::Result run_night(const std::string& job_file, const std::string& out,
                      const std::string& platform = "platform_2nodes.yaml",
                      const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"run",
                                   "--platform",
                                   fixture("serving_e2e/" + platform),
                                   "--models",
                                   fixture("serving_e2e/models.yaml"),
                                   "--deployment",
                                   fixture("serving_e2e/night.yaml"),
                                   "--requests",
                                   fixture("serving_e2e/day_and_morning.csv"),
                                   "--workload",
                                   fixture("serving_e2e/" + job_file),
                                   "--out",
                                   out};
  args.insert(args.end(), extra.begin(), extra.end());
  return e2e::run_suanli(args);
}

void check_requests(const std::string& out) {
  std::map<std::string, e2e::Row> rows;
  for (auto& row : e2e::read_csv(out + "/requests.csv")) rows[row["request_id"]] = row;
  REQUIRE(rows.size() == 3);
  for (const auto& [id, row] : rows) CHECK(row.at("replica") == "toy-night/0");
  CHECK(num(rows["r1"], "end_time") == doctest::Approx(0.02428032).epsilon(1e-9));
  CHECK(num(rows["m1"], "first_token_time") == doctest::Approx(200.2202002).epsilon(1e-9));
  CHECK(num(rows["m2"], "end_time") == doctest::Approx(320.22428032).epsilon(1e-9));
}

double gpu_energy_j(const std::string& summary) {
  return nlohmann::json::parse(e2e::read_file(summary))["energy_gpu_kwh"].get<double>() * 3.6e6;
}

// The combined timeline's row at time t (one per second).
e2e::Row row_at(const std::string& out, double t) {
  for (auto& row : e2e::read_csv(out + "/timeline.csv"))
    if (num(row, "time") == doctest::Approx(t)) return row;
  FAIL("no timeline row at " << t);
  return {};
}

int replicas_on_at(const std::string& out, double t) {
  return int(num(row_at(out, t), "replicas_on"));
}

}  // namespace

// The job (10 s to 110 s) ends before the morning:
//   t=200.2: m1 waits on the one live replica (1 > 0.5): replica 1 starts on its home GPU 1,
//            free again; on at 200.7, idle.
//   t=251: the first sample a cooldown after 200.2 with empty caches: replica 1 drains, off.
//   t=320.2: m2 scales up again (the cooldown is over): replica 1 on GPU 1 from 320.2, on at
//            320.7, when it powers off at the end of the trace: the run ends at 320.7.
// GPU 1: job 100 s x 280 W = 28,000 J; idle 200.2-251 (50.8 s) and 320.2-320.7 (0.5 s) at
//        50 W = 2,565 J; off otherwise. Total 30,565 J.
// GPU 0: on 0-320.7: three requests computing 3 x 0.02428032 = 0.07284096 s (3 x 8.896104 =
//        26.688312 J), idle the other 320.62715904 s at 50 W (16,031.357952 J):
//        16,058.046264 J.
// Whole cluster: 46,623.046264 J.
// Timeline (each row the mean power over the second ending at its time): (0, 1]: GPU 0 computes
// r1, 50 W + 7.682088 J / 1 s = 57.682088 W, GPU 1 off; (9, 10]: 50 W; (10, 11] and on to 110:
// the job on GPU 1, 50 + 280 = 330 W; (110, 111]: GPU 1 parked again, off: 50 W.
TEST_CASE(
    "shared GPUs: a training job runs on a scaled-down replica's GPU, which scales up after") {
  const auto out = e2e::fresh_dir("shared-night");
  const auto r = run_night("night_job.csv", out);
  REQUIRE_MESSAGE(r.status == 0, r.err);
  auto jobs = e2e::read_jobs(out);
  CHECK(jobs["night"]["hosts"] == "1");  // replica 1's home GPU
  CHECK(num(jobs["night"], "start_time") == doctest::Approx(10));
  CHECK(num(jobs["night"], "end_time") == doctest::Approx(110));
  CHECK(num(jobs["night"], "energy_j") == doctest::Approx(28000));
  check_requests(out);
  CHECK(replicas_on_at(out, 200) == 1);
  CHECK(replicas_on_at(out, 201) == 2);  // replica 1 starting (cold start) counts as on
  CHECK(replicas_on_at(out, 251) == 2);  // the row is written before the evaluation
  CHECK(replicas_on_at(out, 252) == 1);
  CHECK(gpu_energy_j(out + "/summary.json") == doctest::Approx(46623.046264).epsilon(1e-9));
  // Serving's own share: GPU 0 until replica 0 is done serving (m2's end, 320.22428032 s):
  // 26.688312 J computing + 50 W x 320.15143936 s idle = 16,034.26028 J; GPU 1 while
  // replica 1 held it, 200.2-251 and 320.2-320.7 idle: 2,565 J. No static power, PUE 1.
  const auto summary = nlohmann::json::parse(e2e::read_file(out + "/summary.json"));
  CHECK(summary["serving"]["serving_energy_j"].get<double>() ==
        doctest::Approx(18599.26028).epsilon(1e-9));
  // The breakdown: the GPUs' floor is GPU 0 on for 320.7 s and GPU 1 on 10-110, 200.2-251
  // and 320.2-320.7 (151.3 s), at 50 W: 23,600 J (off: 0 W); the dynamic rest is the job's
  // 100 s x 230 W plus the requests' 3 x 7.682088 J = 23,023.046264 J.
  CHECK(summary["energy_gpu_idle_kwh"].get<double>() * 3.6e6 ==
        doctest::Approx(23600).epsilon(1e-9));
  CHECK(summary["energy_gpu_dynamic_kwh"].get<double>() * 3.6e6 ==
        doctest::Approx(23023.046264).epsilon(1e-9));
  CHECK(num(row_at(out, 1), "it_power_w") == doctest::Approx(57.682088).epsilon(1e-9));
  CHECK(num(row_at(out, 1), "total_gpus") == 2);
  CHECK(num(row_at(out, 10), "it_power_w") == doctest::Approx(50).epsilon(1e-9));
  CHECK(num(row_at(out, 10), "training_gpus") == 0);
  for (double t : {11.0, 60.0, 110.0}) {
    CAPTURE(t);
    const auto row = row_at(out, t);
    CHECK(num(row, "it_power_w") == doctest::Approx(330).epsilon(1e-9));
    CHECK(num(row, "training_gpus") == 1);
    CHECK(num(row, "running_jobs") == 1);
    CHECK(num(row, "busy_gpus") == 1);
  }
  CHECK(num(row_at(out, 111), "it_power_w") == doctest::Approx(50).epsilon(1e-9));
  CHECK(num(row_at(out, 111), "training_gpus") == 0);
}

// The job (10 s to 310 s) still holds GPU 1 in the morning:
//   t=200.2: m1 would scale up, but no GPU is free (GPU 0: replica 0, GPU 1: the job); the
//            scale-up does not happen, m1 is served by replica 0 as in the first case, and
//            the job is not disturbed.
//   t=320.2: m2 scales up: GPU 1 is free since 310; replica 1 on it from 320.2 to 320.7.
// GPU 1: job 300 s x 280 W = 84,000 J + idle 320.2-320.7 at 50 W (25 J) = 84,025 J.
// GPU 0: as in the first case, 16,058.046264 J. Whole cluster: 100,083.046264 J.
TEST_CASE("shared GPUs: a scale-up waits while a training job holds the GPUs") {
  const auto out = e2e::fresh_dir("shared-long-night");
  const auto r = run_night("long_night_job.csv", out);
  REQUIRE_MESSAGE(r.status == 0, r.err);
  auto jobs = e2e::read_jobs(out);
  CHECK(jobs["long"]["hosts"] == "1");
  CHECK(num(jobs["long"], "start_time") == doctest::Approx(10));
  CHECK(num(jobs["long"], "end_time") == doctest::Approx(310));
  check_requests(out);
  for (double t : {201.0, 251.0, 300.0, 320.0}) {
    CAPTURE(t);
    CHECK(replicas_on_at(out, t) == 1);
  }
  CHECK(gpu_energy_j(out + "/summary.json") == doctest::Approx(100083.046264).epsilon(1e-9));
}

// As above on platform_3nodes.yaml (a third node, GPU 2, that no replica calls home; it idles
// at 50 W the whole run). The job takes GPU 1 (compact: the lowest free index), replica 1's
// home:
//   t=200.2: m1 scales up: the home GPU is busy, GPU 2 is free: replica 1 starts there.
//   t=251: replica 1 drains and gives GPU 2 back (not parked: it stays on, idle).
//   t=320.2: m2 scales up on the home GPU, free since 310; on to 320.7 as before.
// GPU 1: 84,000 J (job) + 25 J (idle 320.2-320.7) = 84,025 J; GPU 2: 320.7 s x 50 W =
// 16,035 J; GPU 0: 16,058.046264 J. Whole cluster: 116,118.046264 J.
TEST_CASE("shared GPUs: a scale-up takes other free GPUs when a job holds its home GPUs") {
  const auto out = e2e::fresh_dir("shared-three-nodes");
  const auto r = run_night("long_night_job.csv", out, "platform_3nodes.yaml");
  REQUIRE_MESSAGE(r.status == 0, r.err);
  auto jobs = e2e::read_jobs(out);
  CHECK(jobs["long"]["hosts"] == "1");
  CHECK(num(jobs["long"], "end_time") == doctest::Approx(310));
  check_requests(out);
  CHECK(replicas_on_at(out, 200) == 1);
  CHECK(replicas_on_at(out, 201) == 2);
  CHECK(replicas_on_at(out, 252) == 1);
  CHECK(gpu_energy_j(out + "/summary.json") == doctest::Approx(116118.046264).epsilon(1e-9));
}

// Preemption beside serving replicas, under both execution models: platform_3nodes.yaml,
// night.yaml (replica 0 holds GPU 0; replica 1 powers off at 0 and gives GPU 1 back; GPU 2
// free), preempted_jobs.csv: long (2 GPUs, 300 s) at 10, short (2 GPUs, 20 s) at 50.
//   t=10: long starts on GPUs 1-2 (compact: the lowest free).
//   t=50: short arrives. srtf: 20 s left against long's 260 s; las: 0 GPU-s attained against
//         long's 80: short takes GPUs 1-2, long is preempted and keeps its 40 s of work.
//   t=70: short ends (its 20 s, 2 x 20 = 40 GPU-s); long resumes with 260 s left: ends at 330,
//         having held 2 GPUs for 40 + 260 s = 600 GPU-s (restores cost 0 by default).
//   t=200.2 and t=320.2: m1 and m2 would scale up, but no GPU is free (GPU 0 replica 0, 1-2
//         training): one replica all along, each request served as on an idle replica.
// Energy: long 300 s x 2 GPUs x 280 W = 168,000 J, short 20 s x 2 x 280 W = 11,200 J.
TEST_CASE("shared GPUs: a preemptive policy preempts and resumes beside serving replicas") {
  for (const auto& [policy, exec] : {std::pair{"srtf", "flows"}, std::pair{"las", "ptask"}}) {
    CAPTURE(policy);
    const auto out = e2e::fresh_dir(std::string("shared-preempt-") + policy);
    const auto r = run_night("preempted_jobs.csv", out, "platform_3nodes.yaml",
                             {"--policy", policy, "--exec-model", exec});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    auto jobs = e2e::read_jobs(out);
    CHECK(jobs["long"]["hosts"] == "1-2");
    CHECK(num(jobs["long"], "start_time") == doctest::Approx(10));
    CHECK(num(jobs["long"], "end_time") == doctest::Approx(330));
    CHECK(num(jobs["long"], "preemptions") == 1);
    CHECK(num(jobs["long"], "attained_gpu_s") == doctest::Approx(600));
    CHECK(num(jobs["long"], "energy_j") == doctest::Approx(168000));
    CHECK(num(jobs["short"], "start_time") == doctest::Approx(50));
    CHECK(num(jobs["short"], "end_time") == doctest::Approx(70));
    CHECK(num(jobs["short"], "energy_j") == doctest::Approx(11200));
    check_requests(out);
    for (double t : {201.0, 321.0}) {
      CAPTURE(t);
      CHECK(replicas_on_at(out, t) == 1);
      CHECK(num(row_at(out, t), "training_gpus") == 2);
    }
  }
}

// Serving is charged what it used, not the cluster: platform_3nodes_static.yaml (as
// platform_3nodes.yaml, 90 W static per node, PUE 1.5), night.yaml, the two training jobs of
// preempted_jobs.csv under srtf (as above: no scale-up happens, training runs to 330 s).
//   Replica 0 holds GPU 0 from 0 until it is done serving, at m2's end, 320.22428032 s:
//     GPU: the three requests computing (3 x 8.896104 = 26.688312 J) and idle the other
//     320.15143936 s at 50 W (16,007.571968 J): 16,034.26028 J;
//     node share: GPU 0 is its node's only GPU: 90 W x 320.22428032 s = 28,820.1852288 J.
//   Replica 1 gives GPU 1 back at 0 and never starts again: nothing.
//   IT 44,854.4455088 J; cooling x 0.5: 22,427.2227544 J; serving 67,281.6682632 J; 9 output
//   tokens. Training's GPUs and the 10 s it runs after m2 are the cluster's, not serving's.
TEST_CASE("shared GPUs: serving is charged its replicas' GPUs, their nodes' share and cooling") {
  const auto out = e2e::fresh_dir("shared-serving-energy");
  const auto r =
      run_night("preempted_jobs.csv", out, "platform_3nodes_static.yaml", {"--policy", "srtf"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  check_requests(out);
  const auto summary = nlohmann::json::parse(e2e::read_file(out + "/summary.json"));
  const auto& s = summary["serving"];
  CHECK(s["serving_gpu_energy_j"].get<double>() == doctest::Approx(16034.26028).epsilon(1e-9));
  CHECK(s["serving_node_energy_j"].get<double>() == doctest::Approx(28820.1852288).epsilon(1e-9));
  CHECK(s["serving_cooling_energy_j"].get<double>() ==
        doctest::Approx(22427.2227544).epsilon(1e-9));
  CHECK(s["serving_energy_j"].get<double>() == doctest::Approx(67281.6682632).epsilon(1e-9));
  CHECK(s["energy_per_1k_output_tokens_j"].get<double>() ==
        doctest::Approx(67281.6682632 / 9 * 1000).epsilon(1e-9));
  // The cluster's energy has everything: more than serving's by training and the idle GPU 2.
  CHECK(summary["energy_facility_kwh"].get<double>() * 3.6e6 > 67281.6682632 + 168000);
  // Its breakdown adds up: nodes 3 x 90 W x 330 s (the run ends with long) = 89,100 J, no
  // switch power, cooling half the IT energy; kWh per GPU-hour over 3 GPUs x 330 s.
  const auto kwh = [&](const char* key) { return summary[key].get<double>(); };
  CHECK(kwh("energy_node_kwh") * 3.6e6 == doctest::Approx(89100).epsilon(1e-9));
  CHECK(kwh("energy_network_kwh") == 0);
  CHECK(kwh("energy_cooling_kwh") == doctest::Approx(0.5 * kwh("energy_it_kwh")).epsilon(1e-12));
  CHECK(kwh("energy_gpu_dynamic_kwh") + kwh("energy_gpu_idle_kwh") + kwh("energy_node_kwh") +
            kwh("energy_network_kwh") + kwh("energy_cooling_kwh") ==
        doctest::Approx(kwh("energy_facility_kwh")).epsilon(1e-12));
  CHECK(kwh("kwh_per_gpu_hour") ==
        doctest::Approx(kwh("energy_facility_kwh") / (3 * 330 / 3600.0)).epsilon(1e-12));
}
