// End-to-end: compare, platform show/export-xml/routes, validate, help.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "run_binary.hpp"

using e2e::fixture;
using e2e::num;

// compare runs each policy in its own process; its table and compare.csv must carry the same
// numbers as each run's summary. On backfill.csv (see test_scheduling.cpp) the mean JCT is
//   FIFO: A 100, B 199, C 248, D 397 -> 944/4 = 236 s;
//   EASY: A 100, B 199, C 50,  D 397 -> 746/4 = 186.5 s.
TEST_CASE("compare prints a table and writes compare.csv with one row per policy") {
  const auto out = e2e::fresh_dir("compare");
  const auto r =
      e2e::run_suanli({"compare", "--platform", fixture("e2e/one_node4.yaml"), "--workload",
                       fixture("e2e/backfill.csv"), "--policies", "fifo,sjf,easy", "--out", out});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(r.out.find("policy") != std::string::npos);
  CHECK(r.out.find("mean_jct_h") != std::string::npos);
  CHECK(r.out.find("facility_kwh") != std::string::npos);
  auto rows = e2e::read_csv(out + "/compare.csv");
  REQUIRE(rows.size() == 3);
  CHECK(rows[0]["policy"] == "fifo");
  CHECK(rows[2]["policy"] == "easy");
  CHECK(num(rows[0], "mean_jct_s") == doctest::Approx(236));
  CHECK(num(rows[2], "mean_jct_s") == doctest::Approx(186.5));
  CHECK(num(rows[1], "jobs_completed") == 4);
  for (const char* p : {"fifo", "sjf", "easy"})
    CHECK(std::filesystem::exists(out + "/" + p + "/jobs.csv"));
}

// climate.yaml (a site with a grid intensity and a price): the table and compare.csv carry
// carbon and cost beside facility energy; each policy's figure is its summary's (the one job
// runs the same under both: 0.4814 kg, 1.131 CNY; tests/e2e/test_energy_and_outputs.cpp).
TEST_CASE("compare shows carbon and cost when the platform gives them") {
  const auto out = e2e::fresh_dir("compare-carbon");
  const auto r =
      e2e::run_suanli({"compare", "--platform", fixture("e2e/climate.yaml"), "--workload",
                       fixture("e2e/three_hours.csv"), "--policies", "fifo,easy", "--out", out});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(r.out.find("carbon_kg") != std::string::npos);
  CHECK(r.out.find("cost") != std::string::npos);
  auto rows = e2e::read_csv(out + "/compare.csv");
  REQUIRE(rows.size() == 2);
  for (auto& row : rows) {
    CHECK(num(row, "carbon_kg") == doctest::Approx(0.4814).epsilon(1e-9));
    CHECK(num(row, "energy_cost") == doctest::Approx(1.131).epsilon(1e-9));
    CHECK(num(row, "energy_facility_kwh") == doctest::Approx(2.262).epsilon(1e-9));
  }
  // Without them (one_node4.yaml above), no such columns.
  const auto plain = e2e::fresh_dir("compare-plain");
  const auto p =
      e2e::run_suanli({"compare", "--platform", fixture("e2e/one_node4.yaml"), "--workload",
                       fixture("e2e/backfill.csv"), "--policies", "fifo", "--out", plain});
  REQUIRE_MESSAGE(p.status == 0, p.err);
  CHECK(p.out.find("carbon_kg") == std::string::npos);
}

TEST_CASE("compare refuses an unknown policy before running anything") {
  const auto out = e2e::fresh_dir("compare-bad");
  const auto r =
      e2e::run_suanli({"compare", "--platform", fixture("e2e/one_node4.yaml"), "--workload",
                       fixture("e2e/backfill.csv"), "--policies", "fifo,nope", "--out", out});
  CHECK(r.status == 2);
  CHECK(r.err.find("nope") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(out));
}

// two_sites.yaml: pod 4 nodes x 2 A100 (312 TFLOPS), box 2 x 2 H100 (989), relay 1 V100 (125),
// far 2 x 2 Ascend910B. 17 GPUs.
TEST_CASE("platform show summarises sites, GPUs by model and peak") {
  const auto r = e2e::run_suanli({"platform", "show", fixture("e2e/two_sites.yaml")});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(r.out.find("two-sites") != std::string::npos);
  CHECK(r.out.find("A100") != std::string::npos);
  CHECK(r.out.find("Ascend910B") != std::string::npos);
  CHECK(r.out.find("17 GPUs") != std::string::npos);
}

// The exported XML, loaded by SimGrid itself, must route every GPU pair over exactly the links
// (and latency) of the platform suanli builds in memory.
TEST_CASE("export-xml gives a SimGrid platform with the same routes") {
  const auto dir = e2e::fresh_dir("xml");
  std::filesystem::create_directories(dir);
  const auto xml = dir + "/two_sites.xml";
  auto r = e2e::run_suanli({"platform", "export-xml", fixture("e2e/two_sites.yaml"), "-o", xml});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const auto from_yaml = e2e::run_suanli({"platform", "routes", fixture("e2e/two_sites.yaml")});
  const auto from_xml = e2e::run_suanli({"platform", "routes", xml});
  REQUIRE_MESSAGE(from_yaml.status == 0, from_yaml.err);
  REQUIRE_MESSAGE(from_xml.status == 0, from_xml.err);
  CHECK(std::count(from_yaml.out.begin(), from_yaml.out.end(), '\n') == 17 * 16);
  CHECK(from_yaml.out == from_xml.out);
}

// Routes by hand (two_sites.yaml): GPUs of one node meet at the NVSwitch; pod nodes n0,n1 share
// leaf0, n2 is under leaf1; site a to site c crosses both WAN links. Latencies: intra 1 us
// (A100 catalog), NIC 2 us, leaf uplink 2 us (= NIC latency), WAN 10 ms + 5 ms.
TEST_CASE("routes cross the links the topology says") {
  const auto r =
      e2e::run_suanli({"platform", "routes", fixture("e2e/two_sites.yaml"), "--from", "pod-n0-g0"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(r.out.find(
            "pod-n0-g0 -> pod-n0-g1: pod-n0-g0-intra_UP pod-n0-g1-intra_DOWN (latency 2e-06 s)") !=
        std::string::npos);
  CHECK(r.out.find("pod-n0-g0 -> pod-n1-g0: pod-n0-g0-intra_UP pod-n0-nic_UP pod-n1-nic_DOWN "
                   "pod-n1-g0-intra_DOWN (latency 6e-06 s)") != std::string::npos);
  CHECK(r.out.find("pod-n0-g0 -> pod-n2-g0: pod-n0-g0-intra_UP pod-n0-nic_UP pod-leaf0-up_UP "
                   "pod-leaf1-up_DOWN pod-n2-nic_DOWN pod-n2-g0-intra_DOWN") != std::string::npos);
  CHECK(r.out.find("wan-a-b_UP wan-b-c_UP") != std::string::npos);
}

TEST_CASE("validate checks inputs and writes nothing") {
  const auto dir = e2e::fresh_dir("validate");
  std::filesystem::create_directories(dir);
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir);
  const auto r = e2e::run_suanli({"validate", "--platform", fixture("e2e/two_speeds.yaml"),
                                  "--workload", fixture("e2e/two_speeds.csv")});
  std::filesystem::current_path(cwd);
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(std::filesystem::is_empty(dir));
  CHECK(r.out.find("3 jobs") != std::string::npos);
  const auto bad = e2e::run_suanli({"validate", "--platform", fixture("e2e/one_node4.yaml"),
                                    "--workload", fixture("e2e/bad/duplicate.csv")});
  CHECK(bad.status == 2);
}

TEST_CASE("--help works for every command") {
  for (const char* cmd : {"run", "compare", "validate"}) {
    const auto r = e2e::run_suanli({cmd, "--help"});
    CHECK(r.status == 0);
    CHECK(r.out.find("usage: suanli") != std::string::npos);
  }
  const auto top = e2e::run_suanli({"--help"});
  CHECK(top.status == 0);
  CHECK(top.out.find("compare") != std::string::npos);
}
