// End-to-end: energy, summary.json and timeline.csv of a case small enough to derive by hand.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "run_binary.hpp"

using e2e::fixture;
using e2e::num;

namespace {

std::string run_energy_case(const std::string& name, std::vector<std::string> extra = {}) {
  const auto out = e2e::fresh_dir(name);
  std::vector<std::string> args{"run",
                                "--platform",
                                fixture("e2e/energy.yaml"),
                                "--workload",
                                fixture("e2e/energy.csv"),
                                "--policy",
                                "fifo",
                                "--out",
                                out};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = e2e::run_suanli(args);
  REQUIRE_MESSAGE(r.status == 0, r.err);
  return out;
}

}  // namespace

// energy.yaml/csv: one 1-GPU job of 1000 s on two 1-GPU nodes (400 W computing, 50 W idle),
// 100 W static per node, one switch at 20 W, PUE 1.5. Makespan 1000 s.
//   job energy    = 400 W x 1000 s                       = 400,000 J
//   GPU energy    = (400 + 50) W x 1000 s                = 450,000 J
//   static energy = (2 x 100 + 20) W x 1000 s            = 220,000 J
//   IT            = 670,000 J = 670,000 / 3.6e6 kWh      = 0.186111 kWh
//   facility      = 1.5 x IT = 1,005,000 J               = 0.279167 kWh
//   utilisation   = 1 GPU x 1000 s / (2 GPUs x 1000 s)   = 0.5
TEST_CASE("energy of a known case, to 0.1 percent") {
  const auto out = run_energy_case("energy");
  auto jobs = e2e::read_jobs(out);
  CHECK(num(jobs["only"], "energy_j") == doctest::Approx(400000).epsilon(1e-3));
  const auto summary = nlohmann::json::parse(e2e::read_file(out + "/summary.json"));
  CHECK(summary["makespan_s"].get<double>() == doctest::Approx(1000).epsilon(1e-9));
  CHECK(summary["energy_gpu_kwh"].get<double>() == doctest::Approx(450000 / 3.6e6).epsilon(1e-3));
  CHECK(summary["energy_it_kwh"].get<double>() == doctest::Approx(670000 / 3.6e6).epsilon(1e-3));
  CHECK(summary["energy_facility_kwh"].get<double>() ==
        doctest::Approx(1005000 / 3.6e6).epsilon(1e-3));
  CHECK(summary["gpu_utilization"].get<double>() == doctest::Approx(0.5));
  CHECK(summary["gpu_hours"].get<double>() == doctest::Approx(1000 / 3600.0));
  CHECK(summary["jobs_total"] == 1);
  CHECK(summary["jobs_completed"] == 1);
  CHECK(summary["jobs_rejected"] == 0);
  CHECK(summary["policy"] == "fifo");
  for (const char* key : {"mean_jct_s", "p50_jct_s", "p95_jct_s", "p99_jct_s"})
    CHECK(summary[key].get<double>() == doctest::Approx(1000));
  CHECK(summary["mean_wait_s"].get<double>() == doctest::Approx(0));
  CHECK(summary["mean_slowdown"].get<double>() == doctest::Approx(1));
  CHECK(summary.contains("sim_wall_s"));
  CHECK(summary["peak_rss_mb"].get<double>() > 0);
}

// Timeline, one row per change: t=0 the job starts (IT power = static 220 W + idle GPU 50 W +
// busy GPU 400 W = 670 W; facility 1005 W); t=1000 it ends (220 + 2 x 50 = 320 W; 480 W).
TEST_CASE("energy of the known case is the same under the ptask execution model") {
  const auto out = run_energy_case("energy-ptask", {"--exec-model", "ptask"});
  auto jobs = e2e::read_jobs(out);
  CHECK(num(jobs["only"], "energy_j") == doctest::Approx(400000).epsilon(1e-3));
  const auto summary = nlohmann::json::parse(e2e::read_file(out + "/summary.json"));
  CHECK(summary["energy_it_kwh"].get<double>() == doctest::Approx(670000 / 3.6e6).epsilon(1e-3));
  CHECK(summary["exec_model"] == "ptask");
}

TEST_CASE("timeline rows: one per change, with IT and facility power") {
  const auto out = run_energy_case("timeline");
  auto rows = e2e::read_csv(out + "/timeline.csv");
  REQUIRE(rows.size() == 2);
  CHECK(num(rows[0], "time") == 0);
  CHECK(num(rows[0], "busy_gpus") == 1);
  CHECK(num(rows[0], "total_gpus") == 2);
  CHECK(num(rows[0], "running_jobs") == 1);
  CHECK(num(rows[0], "queued_jobs") == 0);
  CHECK(num(rows[0], "it_power_w") == doctest::Approx(670));
  CHECK(num(rows[0], "facility_power_w") == doctest::Approx(1005));
  CHECK(num(rows[1], "time") == doctest::Approx(1000));
  CHECK(num(rows[1], "busy_gpus") == 0);
  CHECK(num(rows[1], "it_power_w") == doctest::Approx(320));
  CHECK(num(rows[1], "facility_power_w") == doctest::Approx(480));
}

// --sample-seconds 0.1: rows at k x 0.1 s for k = 0..10000 (0.1 is not exact in binary:
// adding it up 10,000 times would drift past 1000 and lose the last row). Rows before 1000 s
// show the job running (670 W), the row at 1000 s the state after it ended (320 W).
TEST_CASE("timeline with --sample-seconds has one row per period, without drift") {
  const auto out = run_energy_case("sampled", {"--sample-seconds", "0.1"});
  auto rows = e2e::read_csv(out + "/timeline.csv");
  REQUIRE(rows.size() == 10001);
  for (int k : {0, 1, 3, 4999, 9999}) {
    CHECK(num(rows[k], "time") == doctest::Approx(0.1 * k).epsilon(1e-12));
    CHECK(num(rows[k], "it_power_w") == doctest::Approx(670));
  }
  CHECK(num(rows[10000], "time") == doctest::Approx(1000));
  CHECK(num(rows[10000], "it_power_w") == doctest::Approx(320));
}

TEST_CASE("jobs.csv has the documented columns") {
  const auto out = run_energy_case("columns");
  const auto text = e2e::read_file(out + "/jobs.csv");
  CHECK(text.substr(0, text.find('\n')) ==
        "job_id,submit_time,start_time,end_time,wait_s,jct_s,num_gpus,gpu_type,hosts,energy_j,"
        "final_state,gpu_fraction,preemptions,lost_work_s,attained_gpu_s");
  auto jobs = e2e::read_jobs(out);
  CHECK(jobs["only"]["final_state"] == "COMPLETED");
  CHECK(jobs["only"]["hosts"] == "0");
  CHECK(jobs["only"]["gpu_type"] == "testgpu");
}

// The bundled inputs: 3,000 jobs with queues, backfilling, contention and same-instant events.
TEST_CASE("same inputs give byte-identical jobs.csv and timeline.csv") {
  const auto a = e2e::fresh_dir("det-a");
  const auto b = e2e::fresh_dir("det-b");
  for (const auto& out : {a, b}) {
    auto r = e2e::run_suanli(
        {"run", "--platform", std::string(SUANLI_SOURCE_DIR) + "/platforms/default.yaml",
         "--workload", std::string(SUANLI_SOURCE_DIR) + "/workloads/default.csv", "--policy",
         "easy", "--out", out});
    REQUIRE_MESSAGE(r.status == 0, r.err);
  }
  CHECK(e2e::read_file(a + "/jobs.csv") == e2e::read_file(b + "/jobs.csv"));
  CHECK(e2e::read_file(a + "/timeline.csv") == e2e::read_file(b + "/timeline.csv"));
}

// quoted_ids.csv: ids holding a comma and quotes come out as valid CSV fields.
TEST_CASE("job ids are CSV-quoted in jobs.csv") {
  const auto out = e2e::fresh_dir("quoted");
  const auto r = e2e::run_suanli({"run", "--platform", fixture("e2e/one_node4.yaml"), "--workload",
                                  fixture("e2e/quoted_ids.csv"), "--out", out});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const auto text = e2e::read_file(out + "/jobs.csv");
  CHECK(text.find("\n\"a,b\",0,0,10,") != std::string::npos);
  CHECK(text.find("\n\"say \"\"hi\"\"\",0,0,10,") != std::string::npos);
}
