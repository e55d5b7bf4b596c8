// End-to-end: energy, summary.json and timeline.csv of a case small enough to derive by hand.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <tuple>

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

// Runs suanli with `args` and checks that it refuses them: exit status 2 and `message`.
void check_refused(const std::vector<std::string>& args, const std::string& message) {
  const auto r = e2e::run_suanli(args);
  CHECK(r.status == 2);
  CHECK_MESSAGE(r.err.find(message) != std::string::npos, r.err);
}

}  // namespace

// energy.yaml/csv: one 1-GPU job of 1000 s on two 1-GPU nodes (50 W idle; active power 200 W
// + 200 W x compute share), 100 W static per node, one switch at 20 W, PUE 1.5. The job's
// compute share is the default MFU 0.4 over the default compute efficiency 0.7 = 0.571, whose
// power state is share 0.55 (steps of 0.05): 200 + 0.55 x 200 = 310 W. Makespan 1000 s.
//   job energy    = 310 W x 1000 s                       = 310,000 J
//   GPU energy    = (310 + 50) W x 1000 s                = 360,000 J
//   static energy = (2 x 100 + 20) W x 1000 s            = 220,000 J
//   IT            = 580,000 J = 580,000 / 3.6e6 kWh      = 0.161111 kWh
//   facility      = 1.5 x IT = 870,000 J                 = 0.241667 kWh
//   utilisation   = 1 GPU x 1000 s / (2 GPUs x 1000 s)   = 0.5
TEST_CASE("energy of a known case, to 0.1 percent") {
  const auto out = run_energy_case("energy");
  auto jobs = e2e::read_jobs(out);
  CHECK(num(jobs["only"], "energy_j") == doctest::Approx(310000).epsilon(1e-3));
  const auto summary = nlohmann::json::parse(e2e::read_file(out + "/summary.json"));
  CHECK(summary["makespan_s"].get<double>() == doctest::Approx(1000).epsilon(1e-9));
  CHECK(summary["energy_gpu_kwh"].get<double>() == doctest::Approx(360000 / 3.6e6).epsilon(1e-3));
  CHECK(summary["energy_it_kwh"].get<double>() == doctest::Approx(580000 / 3.6e6).epsilon(1e-3));
  CHECK(summary["energy_facility_kwh"].get<double>() ==
        doctest::Approx(870000 / 3.6e6).epsilon(1e-3));
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
// busy GPU 310 W = 580 W; facility 870 W); t=1000 it ends (220 + 2 x 50 = 320 W; 480 W).
TEST_CASE("energy of the known case is the same under the ptask execution model") {
  const auto out = run_energy_case("energy-ptask", {"--exec-model", "ptask"});
  auto jobs = e2e::read_jobs(out);
  CHECK(num(jobs["only"], "energy_j") == doctest::Approx(310000).epsilon(1e-3));
  const auto summary = nlohmann::json::parse(e2e::read_file(out + "/summary.json"));
  CHECK(summary["energy_it_kwh"].get<double>() == doctest::Approx(580000 / 3.6e6).epsilon(1e-3));
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
  CHECK(num(rows[0], "it_power_w") == doctest::Approx(580));
  CHECK(num(rows[0], "facility_power_w") == doctest::Approx(870));
  CHECK(num(rows[1], "time") == doctest::Approx(1000));
  CHECK(num(rows[1], "busy_gpus") == 0);
  CHECK(num(rows[1], "it_power_w") == doctest::Approx(320));
  CHECK(num(rows[1], "facility_power_w") == doctest::Approx(480));
}

// --sample-seconds 0.1: rows at k x 0.1 s for k = 0..10000 (0.1 is not exact in binary:
// adding it up 10,000 times would drift past 1000 and lose the last row). Rows before 1000 s
// show the job running (580 W), the row at 1000 s the state after it ended (320 W).
TEST_CASE("timeline with --sample-seconds has one row per period, without drift") {
  const auto out = run_energy_case("sampled", {"--sample-seconds", "0.1"});
  auto rows = e2e::read_csv(out + "/timeline.csv");
  REQUIRE(rows.size() == 10001);
  for (int k : {0, 1, 3, 4999, 9999}) {
    CHECK(num(rows[k], "time") == doctest::Approx(0.1 * k).epsilon(1e-12));
    CHECK(num(rows[k], "it_power_w") == doctest::Approx(580));
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

// capped.yaml: energy.yaml's case under a 200 W limit. The job (compute share s = 0.4 / 0.7 =
// 0.5714, in the state of share 0.55: 310 W at the highest clock) must cut its power above idle
// to (200 - 50) / 260 = 0.5769 of it: the clock table gives 0.8 + 0.2 x (0.5769 - 0.5) / 0.5 =
// 0.830769 of the highest clock. Only the compute-bound share of its time stretches:
//   duration = 1000 x (0.5714 / 0.830769 + 0.4286) = 1116.402116 s, at 200 W:
//   job energy = 223,280.4233 J (310,000 J uncapped: 28 % less energy, 11.6 % longer).
// --gpu-power-cap-w sets the same limit on energy.yaml's cluster.
TEST_CASE("a power limit slows the work and cuts its power as the clock table says") {
  const double duration = 1000 * (0.4 / 0.7 / 0.8307692308 + (1 - 0.4 / 0.7));
  for (const bool from_option : {false, true}) {
    CAPTURE(from_option);
    const auto out = e2e::fresh_dir(from_option ? "capped-option" : "capped-file");
    const auto r = e2e::run_suanli(
        {"run", "--platform", fixture(from_option ? "e2e/energy_clocks.yaml" : "e2e/capped.yaml"),
         "--workload", fixture("e2e/energy.csv"), "--out", out, "--gpu-power-cap-w",
         from_option ? "200" : "0"});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    auto jobs = e2e::read_jobs(out);
    CHECK(num(jobs["only"], "end_time") == doctest::Approx(duration).epsilon(1e-9));
    CHECK(num(jobs["only"], "energy_j") == doctest::Approx(200 * duration).epsilon(1e-9));
    auto rows = e2e::read_csv(out + "/timeline.csv");
    REQUIRE(rows.size() == 2);
    CHECK(num(rows[0], "it_power_w") == doctest::Approx(220 + 50 + 200));
  }
}

TEST_CASE("a power limit the GPU cannot keep, or on a GPU without clock states, is refused") {
  const auto out = e2e::fresh_dir("capped-bad");
  // Compute-bound work at the lowest clock draws 50 + 350 x 0.25 = 137.5 W: 100 W cannot hold.
  check_refused({"run", "--platform", fixture("e2e/energy_clocks.yaml"), "--workload",
                 fixture("e2e/energy.csv"), "--gpu-power-cap-w", "100", "--out", out},
                "--gpu-power-cap-w: cluster 'box': 100 W is below what compute-bound work "
                "draws on testgpu at the lowest clock of its table (138 W at 0.5 of the "
                "highest clock)");
  check_refused({"run", "--platform", fixture("e2e/energy.yaml"), "--workload",
                 fixture("e2e/energy.csv"), "--gpu-power-cap-w", "300", "--out", out},
                "--gpu-power-cap-w: cluster 'box': device 'testgpu' has no clock states");
  CHECK_FALSE(std::filesystem::exists(out));
}

// climate.yaml, three_hours.csv: one 1-GPU job of 3 h (310 W, as in energy.yaml) beside the idle
// GPU, 2 x 100 W static and a 20 W switch: 580 W of IT power for 10,800 s, 0.58 kWh an hour.
// Air cooling at 5, 20 and 35 C in hours 0, 1 and 2: PUE 1.1, 1.1 + 0.4 x (20 - 10) / 20 = 1.3
// and 1.5. Facility 0.58 x (1.1 + 1.3 + 1.5) = 2.262 kWh. Carbon at 500, then 100 g/kWh:
// 0.58 x (1.1 x 0.5 + 1.3 x 0.1 + 1.5 x 0.1) = 0.4814 kg. Cost at 0.5 CNY/kWh: 1.131 CNY.
TEST_CASE("PUE follows the outdoor temperature, carbon and cost integrate their time series") {
  const auto out = e2e::fresh_dir("climate");
  const auto r = e2e::run_suanli({"run", "--platform", fixture("e2e/climate.yaml"), "--workload",
                                  fixture("e2e/three_hours.csv"), "--out", out});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const auto s = nlohmann::json::parse(e2e::read_file(out + "/summary.json"));
  CHECK(s["energy_it_kwh"].get<double>() == doctest::Approx(3 * 0.58).epsilon(1e-9));
  CHECK(s["energy_facility_kwh"].get<double>() == doctest::Approx(2.262).epsilon(1e-9));
  CHECK(s["carbon_kg"].get<double>() == doctest::Approx(0.4814).epsilon(1e-9));
  CHECK(s["energy_cost"].get<double>() == doctest::Approx(1.131).epsilon(1e-9));
  CHECK(s["currency"] == "CNY");
  auto rows = e2e::read_csv(out + "/energy.csv");
  REQUIRE(rows.size() == 3);
  const double pue[] = {1.1, 1.3, 1.5}, outdoor[] = {5, 20, 35}, carbon[] = {500, 100, 100};
  for (int h = 0; h < 3; ++h) {
    CAPTURE(h);
    auto& row = rows[std::size_t(h)];
    CHECK(num(row, "start_s") == 3600 * h);
    CHECK(num(row, "end_s") == 3600 * (h + 1));
    CHECK(row["site"] == "lab");
    CHECK(num(row, "it_kwh") == doctest::Approx(0.58).epsilon(1e-9));
    CHECK(num(row, "pue") == doctest::Approx(pue[h]));
    CHECK(num(row, "facility_kwh") == doctest::Approx(0.58 * pue[h]).epsilon(1e-9));
    CHECK(num(row, "outdoor_c") == outdoor[h]);
    CHECK(num(row, "carbon_g_per_kwh") == carbon[h]);
    CHECK(num(row, "carbon_kg") == doctest::Approx(0.58 * pue[h] * carbon[h] / 1000).epsilon(1e-9));
    CHECK(num(row, "cost") == doctest::Approx(0.58 * pue[h] * 0.5).epsilon(1e-9));
  }
  // The timeline's facility power follows the PUE of the moment: 580 W x 1.1 at 0; the idle
  // cluster (320 W) at the end, in the third hour, x 1.5.
  auto timeline = e2e::read_csv(out + "/timeline.csv");
  REQUIRE(timeline.size() == 2);
  CHECK(num(timeline[0], "facility_power_w") == doctest::Approx(638));
  CHECK(num(timeline[1], "facility_power_w") == doctest::Approx(480));
}

// Without climate, carbon or price: no carbon_kg, energy_cost or currency keys (nothing to
// integrate), and energy.csv has the IT and facility energy alone.
TEST_CASE("a platform without carbon or prices writes no carbon or cost") {
  const auto out = run_energy_case("no-carbon");
  const auto s = nlohmann::json::parse(e2e::read_file(out + "/summary.json"));
  CHECK_FALSE(s.contains("carbon_kg"));
  CHECK_FALSE(s.contains("energy_cost"));
  auto rows = e2e::read_csv(out + "/energy.csv");
  REQUIRE(rows.size() == 1);  // 1000 s: one interval
  CHECK(num(rows[0], "facility_kwh") == doctest::Approx(870000 / 3.6e6).epsilon(1e-9));
  CHECK(rows[0]["carbon_kg"].empty());
  CHECK(num(rows[0], "pue") == 1.5);
}

// Power budget on energy.yaml (facility = IT x 1.5): the idle platform draws (220 + 2 x 50) x
// 1.5 = 480 W; a job adds 260 W above its GPU's idle (310 W busy), 390 W of facility power.
// two_jobs.csv: a and b, 1 GPU and 1000 s each, both at 0.
//   --power-budget-w 1000: a starts (870 W); b would take it to 1260 W: it waits until a ends
//   at 1000, then runs to 2000. FIFO sees the headroom (ClusterView::power_headroom_w) and
//   does not start b: no hold; greedy, which does not look, starts both, and the engine holds
//   b: one hold. Same schedule.
//   falling_budget.csv (1300 W, then 1000 W from t = 500), FIFO: both start at 0 (1260 W); at
//   500 the budget falls below it, so b (started last: same time, later in the file) is
//   suspended with 500 s done; a ends at 1000, b resumes and ends at 1500. One suspension.
// At every timeline row the facility power is within the budget of that moment.
TEST_CASE("a power budget holds starts and suspends jobs so the facility stays within it") {
  struct Case {
    const char* name;
    const char* policy;
    std::string budget;
    double b_start, b_end;
    int holds, suspensions;
  };
  for (const Case& c :
       {Case{"budget-fifo", "fifo", "1000", 1000, 2000, 0, 0},
        Case{"budget-greedy", "greedy", "1000", 1000, 2000, 1, 0},
        Case{"budget-falling", "fifo", fixture("e2e/falling_budget.csv"), 0, 1500, 0, 1}}) {
    CAPTURE(c.name);
    const auto out = e2e::fresh_dir(c.name);
    const auto r = e2e::run_suanli({"run", "--platform", fixture("e2e/energy.yaml"), "--workload",
                                    fixture("e2e/two_jobs.csv"), "--power-budget-w", c.budget,
                                    "--policy", c.policy, "--out", out});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    auto jobs = e2e::read_jobs(out);
    CHECK(num(jobs["a"], "start_time") == 0);
    CHECK(num(jobs["a"], "end_time") == doctest::Approx(1000));
    CHECK(num(jobs["b"], "start_time") == doctest::Approx(c.b_start));
    CHECK(num(jobs["b"], "end_time") == doctest::Approx(c.b_end));
    CHECK(num(jobs["b"], "energy_j") == doctest::Approx(310000));  // 1000 s busy, in all
    const auto s = nlohmann::json::parse(e2e::read_file(out + "/summary.json"));
    CHECK(s["power_budget_holds"] == c.holds);
    CHECK(s["power_budget_suspensions"] == c.suspensions);
    for (auto& row : e2e::read_csv(out + "/timeline.csv")) {
      const double t = num(row, "time");
      CAPTURE(t);
      const double budget = c.suspensions ? (t < 500 ? 1300 : 1000) : 1000;
      CHECK(num(row, "facility_power_w") <= budget + 1e-9);
    }
  }
}

TEST_CASE("a power budget no job could ever start under is refused before the run") {
  const auto out = e2e::fresh_dir("budget-too-low");
  // 480 W idle + 390 W for a job = 870 W > 800 W.
  for (const auto& [budget, message] :
       {std::pair{"800",
                  "two_jobs.csv:2: num_gpus: job 'a' would take the idle platform to 870 W "
                  "of facility power, above the power budget's last value (800 W)"},
        std::pair{"lots", "--power-budget-w: neither a number of watts nor a CSV file: 'lots'"}})
    check_refused({"run", "--platform", fixture("e2e/energy.yaml"), "--workload",
                   fixture("e2e/two_jobs.csv"), "--power-budget-w", budget, "--out", out},
                  message);
  CHECK_FALSE(std::filesystem::exists(out));
}

// carbon.yaml, deferrable.csv: "now" (1 GPU, 1 h) and "later" (1 GPU, 1 h, to finish within
// 20,000 s), both at 0. carbon-aware: "now" starts at once (easy); "later" may start up to
// 20,000 - 3,600 = 16,400 s; of the starts tried every 900 s, those in [7200, 10800] see only
// the 100 g hours over their run (4 samples): the earliest, 7200, is its release. It runs
// 7200-10800. IT power: 310 + 10 W in the first hour, 2 x 10 W in the second, 320 W in the
// third: carbon 0.32 x 600 + 0.02 x 600 + 0.32 x 100 = 236 g. easy starts both at 0: 620 W for
// an hour at 600 g = 372 g.
TEST_CASE("carbon-aware: a deferrable job waits for the clean hours within its deadline") {
  for (const auto& [policy, later_start, carbon_kg] :
       {std::tuple{"carbon-aware", 7200.0, 0.236}, std::tuple{"easy", 0.0, 0.372}}) {
    CAPTURE(policy);
    const auto out = e2e::fresh_dir(std::string("carbon-") + policy);
    const auto r =
        e2e::run_suanli({"run", "--platform", fixture("e2e/carbon.yaml"), "--workload",
                         fixture("e2e/deferrable.csv"), "--policy", policy, "--out", out});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    auto jobs = e2e::read_jobs(out);
    CHECK(num(jobs["now"], "start_time") == 0);
    CHECK(num(jobs["later"], "start_time") == doctest::Approx(later_start));
    CHECK(num(jobs["later"], "end_time") <= 20000);
    const auto s = nlohmann::json::parse(e2e::read_file(out + "/summary.json"));
    CHECK(s["carbon_kg"].get<double>() == doctest::Approx(carbon_kg).epsilon(1e-9));
  }
}
