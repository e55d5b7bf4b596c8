// End-to-end: every class of bad input gives one line on stderr naming the file and the line or
// field, exit status 2, and nothing written to --out.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "run_binary.hpp"

using e2e::fixture;

namespace {

void expect_input_error(const std::string& platform, const std::string& workload,
                        const std::vector<std::string>& needles,
                        std::vector<std::string> extra = {}) {
  const auto out = e2e::fresh_dir("bad");
  std::vector<std::string> args{"run",    "--platform", platform, "--workload",
                                workload, "--out",      out};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = e2e::run_suanli(args);
  CHECK(r.status == 2);
  CHECK(r.err.rfind("suanli: error: ", 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  for (const auto& needle : needles) CHECK_MESSAGE(r.err.find(needle) != std::string::npos, r.err);
  CHECK_FALSE(std::filesystem::exists(out));
}

const std::string kGoodPlatform = fixture("e2e/one_node4.yaml");
const std::string kGoodWorkload = fixture("e2e/backfill.csv");

}  // namespace

TEST_CASE("malformed YAML names the file and line") {
  expect_input_error(fixture("e2e/bad/malformed.yaml"), kGoodWorkload, {"malformed.yaml:"});
}

TEST_CASE("an unknown GPU model names the field and the known models") {
  expect_input_error(
      fixture("e2e/bad/unknown_device.yaml"), kGoodWorkload,
      {"unknown_device.yaml:8", "sites[0].clusters[0].node.gpu.model", "B300", "H100"});
}

TEST_CASE("an unknown unit names the field") {
  expect_input_error(fixture("e2e/bad/unknown_unit.yaml"), kGoodWorkload,
                     {"unknown_unit.yaml:9", "nic.bandwidth", "Gbit"});
}

TEST_CASE("a negative GPU count names the field") {
  expect_input_error(fixture("e2e/bad/negative_gpus.yaml"), kGoodWorkload,
                     {"negative_gpus.yaml:8", "gpu.count"});
}

TEST_CASE("a missing required column names the column") {
  expect_input_error(kGoodPlatform, fixture("e2e/bad/missing_column.csv"),
                     {"missing_column.csv:1", "submit_time"});
}

TEST_CASE("a non-numeric value names line and column") {
  expect_input_error(kGoodPlatform, fixture("e2e/bad/non_numeric.csv"),
                     {"non_numeric.csv:3", "num_gpus", "two"});
}

TEST_CASE("a negative duration names line and column") {
  expect_input_error(kGoodPlatform, fixture("e2e/bad/negative.csv"),
                     {"negative.csv:3", "duration"});
}

TEST_CASE("a duplicate job id names both lines") {
  expect_input_error(kGoodPlatform, fixture("e2e/bad/duplicate.csv"),
                     {"duplicate.csv:4", "job_id", "j1", "line 2"});
}

TEST_CASE("a job larger than every cluster is an error unless --reject-oversized") {
  expect_input_error(kGoodPlatform, fixture("e2e/bad/too_large.csv"),
                     {"too_large.csv:3", "num_gpus", "64", "4"});
  const auto out = e2e::fresh_dir("rejected");
  const auto r =
      e2e::run_suanli({"run", "--platform", kGoodPlatform, "--workload",
                       fixture("e2e/bad/too_large.csv"), "--out", out, "--reject-oversized"});
  REQUIRE(r.status == 0);
  auto jobs = e2e::read_jobs(out);
  CHECK(jobs["huge"]["final_state"] == "REJECTED");
  CHECK(jobs["small"]["final_state"] == "COMPLETED");
  CHECK(e2e::read_file(out + "/summary.json").find("\"jobs_rejected\": 1") != std::string::npos);
}

TEST_CASE("a GPU type the platform lacks names line and column") {
  expect_input_error(kGoodPlatform, fixture("e2e/bad/unknown_model.csv"),
                     {"unknown_model.csv:2", "gpu_type", "B300", "testgpu"});
}

TEST_CASE("a missing file is named") {
  expect_input_error(fixture("e2e/bad/nope.yaml"), kGoodWorkload, {"nope.yaml"});
  expect_input_error(kGoodPlatform, fixture("e2e/bad/nope.csv"), {"nope.csv"});
}

TEST_CASE("an unknown policy or placement is named with the known ones") {
  expect_input_error(kGoodPlatform, kGoodWorkload, {"--policy", "lottery", "easy"},
                     {"--policy", "lottery"});
  expect_input_error(kGoodPlatform, kGoodWorkload, {"--placement", "worst-fit", "compact"},
                     {"--placement", "worst-fit"});
}

TEST_CASE("an unknown option is an input error") {
  expect_input_error(kGoodPlatform, kGoodWorkload, {"--bogus"}, {"--bogus", "1"});
}

TEST_CASE("a job whose work or traffic is past the simulator's limits names line and column") {
  expect_input_error(kGoodPlatform, fixture("e2e/bad/too_long.csv"),
                     {"too_long.csv:2", "duration", "limit"});
  expect_input_error(kGoodPlatform, fixture("e2e/bad/too_many_bytes.csv"),
                     {"too_many_bytes.csv:2", "batch_tokens", "limit"});
}

TEST_CASE("device speeds and link bandwidths outside what SimGrid can run are refused") {
  expect_input_error(fixture("e2e/bad/too_fast.yaml"), kGoodWorkload,
                     {"too_fast.yaml:3", "devices[0].tflops", "between"});
  expect_input_error(fixture("e2e/bad/too_thin.yaml"), kGoodWorkload,
                     {"too_thin.yaml:9", "nic.bandwidth", "between"});
}

TEST_CASE("--out naming a file, a negative seed and absurd periods are input errors") {
  const auto file = e2e::fresh_dir("out-is-a-file");
  { std::ofstream(file) << "not a directory\n"; }
  const auto r = e2e::run_suanli(
      {"run", "--platform", kGoodPlatform, "--workload", kGoodWorkload, "--out", file});
  CHECK(r.status == 2);
  CHECK(r.err.find("--out") != std::string::npos);
  CHECK(e2e::read_file(file) == "not a directory\n");
  expect_input_error(kGoodPlatform, kGoodWorkload, {"--seed"}, {"--seed", "-1"});
  // backfill.csv's longest job is 200 s: 200 / 1e-6 = 2e8 phases > 1e6.
  expect_input_error(kGoodPlatform, kGoodWorkload, {"--phase-seconds", "phases"},
                     {"--phase-seconds", "1e-6"});
}

// A --sample-seconds so short that the timeline would pass 5e7 rows fails mid-run: the run
// must still leave nothing behind (outputs are written as .partial files until the end).
// backfill.csv's makespan is 400 s: 400 / 1e-6 = 4e8 rows.
TEST_CASE("a run that fails midway leaves no output behind") {
  expect_input_error(kGoodPlatform, kGoodWorkload, {"--sample-seconds", "rows"},
                     {"--sample-seconds", "1e-6"});
}
