// End-to-end: `workload generate` writes a native CSV that suanli reads back and runs.
// Needs the `generate` dispatch line in src/cli/workload_command.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "run_binary.hpp"

using e2e::fixture;
using e2e::num;

TEST_CASE("workload generate writes N duration jobs, the same file for the same seed") {
  const auto dir = e2e::fresh_dir("generate");
  std::filesystem::create_directories(dir);
  const auto a = dir + "/a.csv";
  auto r = e2e::run_suanli({"workload", "generate", "--jobs", "200", "--seed", "5", "--load", "0.5",
                            "--gpus", "64", "--arrival", "diurnal", "-o", a});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(r.out == "200 jobs written to " + a + " (offered load 0.5 on 64 GPUs)\n");
  const auto rows = e2e::read_csv(a);
  REQUIRE(rows.size() == 200);
  CHECK(rows.front().at("job_id") == "g000001");
  CHECK(rows.back().at("job_id") == "g000200");
  CHECK(num(rows.front(), "submit_time") == 0);
  double work = 0, previous = 0;
  for (const auto& row : rows) {
    CHECK(num(row, "num_gpus") >= 1);
    CHECK(num(row, "num_gpus") <= 64);
    CHECK(num(row, "duration") >= 1);
    CHECK(num(row, "walltime") >= num(row, "duration"));
    CHECK(row.at("params").empty());
    CHECK(row.at("gpu_type").empty());
    CHECK_FALSE(row.at("user").empty());
    CHECK(num(row, "submit_time") >= previous);
    previous = num(row, "submit_time");
    work += num(row, "num_gpus") * num(row, "duration");
  }
  CHECK(work / (64 * previous) == doctest::Approx(0.5).epsilon(0.01));

  const auto b = dir + "/b.csv";
  r = e2e::run_suanli({"workload", "generate", "--jobs", "200", "--seed", "5", "--load", "0.5",
                       "--gpus", "64", "--arrival", "diurnal", "-o", b});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(e2e::read_file(a) == e2e::read_file(b));
}

TEST_CASE("a generated workload runs: every job fits the cluster") {
  const auto dir = e2e::fresh_dir("generate-run");
  std::filesystem::create_directories(dir);
  const auto w = dir + "/w.csv";
  auto r = e2e::run_suanli(
      {"workload", "generate", "--jobs", "30", "--seed", "1", "--gpus", "4", "-o", w});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const auto out = dir + "/run";
  r = e2e::run_suanli(
      {"run", "--platform", fixture("e2e/one_node4.yaml"), "--workload", w, "--out", out});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(e2e::read_jobs(out).size() == 30);
}

TEST_CASE("workload generate refuses bad options with one line naming the option") {
  const auto dir = e2e::fresh_dir("generate-bad");
  std::filesystem::create_directories(dir);
  const auto check = [&](std::vector<std::string> args, const std::string& needle) {
    args.insert(args.begin(), {"workload", "generate"});
    const auto r = e2e::run_suanli(args);
    CHECK(r.status == 2);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    CHECK_MESSAGE(r.err.find(needle) != std::string::npos, r.err);
  };
  const auto out = dir + "/x.csv";
  check({"--jobs", "10", "--seed", "1", "--arrival", "bursty", "-o", out}, "--arrival");
  check({"--jobs", "0", "--seed", "1", "-o", out}, "--jobs");
  check({"--jobs", "10", "--seed", "1", "--load", "0", "-o", out}, "--load");
  check({"--jobs", "10", "--seed", "1", "--gpus", "0", "-o", out}, "--gpus");
  check({"--jobs", "10", "--seed", "1"}, "output");
  CHECK_FALSE(std::filesystem::exists(out));
}
