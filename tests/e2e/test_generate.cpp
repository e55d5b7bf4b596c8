// End-to-end: `workload generate` writes a native CSV that suanli reads back and runs.
// Needs the `generate` dispatch line in src/cli/workload_command.cpp.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <string>

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

// tests/fixtures/generator/mix.yaml: finetune (weight 0.7: 1, 2 or 8 GPUs, any model),
// multi8 (0.25: 8 GPUs, A100|H100), pretrain (0.05: 64 GPUs, 7e9 params x 2e10 tokens at MFU
// 0.4). With 2,000 jobs a class share's standard error is at most 1.02 points (p = 0.7):
// shares are checked to 5 standard errors.
TEST_CASE("workload generate --mix writes each class with its GPUs, constraint and work") {
  const auto dir = e2e::fresh_dir("generate-mix");
  std::filesystem::create_directories(dir);
  const auto out = dir + "/mix.csv";
  constexpr int kJobs = 2000;
  auto r = e2e::run_suanli({"workload", "generate", "--jobs", "2000", "--seed", "3", "--load",
                            "0.9", "--gpus", "512", "--mix", fixture("generator/mix.yaml"),
                            "--reference-gpu", "A100", "-o", out});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const auto rows = e2e::read_csv(out);
  REQUIRE(rows.size() == kJobs);
  std::map<std::string, int> count;
  constexpr double kA100 = 312e12;  // dense bf16 FLOP/s, the catalog's A100
  double work = 0;
  for (const auto& row : rows) {
    const auto& type = row.at("job_type");
    CAPTURE(row.at("job_id"));
    ++count[type];
    CHECK(row.at("reference_gpu") == "A100");
    const double gpus = num(row, "num_gpus");
    if (type == "pretrain") {
      CHECK(gpus == 64);
      CHECK(num(row, "params") == 7e9);
      CHECK(num(row, "tokens") == 2e10);
      CHECK(row.at("duration").empty());
      CHECK(row.at("gpu_type").empty());
      work += 6 * 7e9 * 2e10 / (0.4 * kA100);
    } else {
      CHECK(row.at("params").empty());
      CHECK(num(row, "duration") >= 1);
      CHECK(row.at("gpu_type") == (type == "multi8" ? "A100|H100" : ""));
      CHECK((type == "multi8" ? gpus == 8 : (gpus == 1 || gpus == 2 || gpus == 8)));
      work += gpus * num(row, "duration");
    }
  }
  CHECK(count.size() == 3);
  for (const auto& [type, p] :
       std::map<std::string, double>{{"finetune", 0.7}, {"multi8", 0.25}, {"pretrain", 0.05}}) {
    CAPTURE(type);
    CHECK(std::abs(double(count[type]) / kJobs - p) <= 5 * std::sqrt(p * (1 - p) / kJobs));
  }
  CHECK(work / (512 * num(rows.back(), "submit_time")) == doctest::Approx(0.9).epsilon(1e-6));
  CHECK(r.out ==
        "2000 jobs written to " + out + " (offered load 0.9 on 512 GPUs at A100 speed; finetune " +
            std::to_string(count["finetune"]) + ", multi8 " + std::to_string(count["multi8"]) +
            ", pretrain " + std::to_string(count["pretrain"]) + ")\n");

  // `workload stats` reads the classes back from the file.
  r = e2e::run_suanli({"workload", "stats", out, "--json"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const auto stats = nlohmann::json::parse(r.out);
  CHECK(stats["job_types"]["pretrain"] == count["pretrain"]);
  CHECK(stats["hour_basis"] == "trace-relative");
}

TEST_CASE("a generated mix runs: params/tokens jobs and A100|H100 constraints on an A100 pod") {
  const auto dir = e2e::fresh_dir("generate-mix-run");
  std::filesystem::create_directories(dir);
  const auto w = dir + "/w.csv";
  auto r =
      e2e::run_suanli({"workload", "generate", "--jobs", "60", "--seed", "2", "--gpus", "128",
                       "--mix", fixture("generator/mix.yaml"), "--reference-gpu", "A100", "-o", w});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const auto out = dir + "/run";
  r = e2e::run_suanli({"run", "--platform", fixture("e2e/formats.yaml"), "--workload", w,
                       "--policy", "easy", "--out", out});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const auto jobs = e2e::read_jobs(out);
  CHECK(jobs.size() == 60);
  int pretrain = 0;
  for (const auto& row : e2e::read_csv(w)) {
    const auto& job = jobs.at(row.at("job_id"));
    CHECK(job.at("final_state") == "COMPLETED");
    if (row.at("job_type") == "multi8") CHECK(job.at("gpu_type") == "A100");
    pretrain += row.at("job_type") == "pretrain";
  }
  CHECK(pretrain > 0);
}

TEST_CASE("workload generate --mix refuses a bad mix file with one line naming file, line, field") {
  const auto dir = e2e::fresh_dir("generate-mix-bad");
  std::filesystem::create_directories(dir);
  const auto out = dir + "/x.csv";
  const auto bad = fixture("generator/bad_weight.yaml");
  auto r = e2e::run_suanli(
      {"workload", "generate", "--jobs", "10", "--seed", "1", "--mix", bad, "-o", out});
  CHECK(r.status == 2);
  CHECK(r.err == "suanli: error: " + bad + ":8: classes[1].weight: must be > 0, got '0'\n");
  CHECK(r.out.empty());
  CHECK_FALSE(std::filesystem::exists(out));
  // A params/tokens class without --reference-gpu: the option is named.
  r = e2e::run_suanli({"workload", "generate", "--jobs", "10", "--seed", "1", "--mix",
                       fixture("generator/mix.yaml"), "-o", out});
  CHECK(r.status == 2);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK_MESSAGE(r.err.find("--reference-gpu: needed by class 'pretrain'") != std::string::npos,
                r.err);
  CHECK_FALSE(std::filesystem::exists(out));
}
