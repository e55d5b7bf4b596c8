// End-to-end: every supported trace format is detected, converted to native and compared
// under every policy; native -> batsim/swf -> native keeps every job.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "run_binary.hpp"

using e2e::fixture;
using e2e::num;

namespace {

struct FormatCase {
  const char* format;
  const char* file;  // under tests/fixtures
  std::vector<std::string> options;
};

const std::vector<FormatCase> kCases = {
    {"native", "e2e/backfill.csv", {}},
    {"swf", "traces/swf/quirks.swf", {}},
    {"batsim", "traces/batsim/quirks.json", {}},
    {"philly", "traces/philly/cluster_job_log.json", {}},
    {"helios", "traces/helios/cluster_log.csv", {}},
    {"alibaba-gpu-2023", "traces/alibaba/pod_list.csv", {}},
    {"gavel",
     "traces/gavel/physical.trace",
     {"--throughputs", fixture("traces/gavel/throughputs.json")}},
    {"tiresias", "traces/tiresias/jobs.csv", {}},
};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace

// Every policy of the registry (tests/unit/test_fifo_policy.cpp checks this is all of them).
const char* const kAllPolicies =
    "fifo,sjf,easy,greedy,conservative,srtf,las,tiresias,themis,qssf,gavel,gavel-max-throughput";
constexpr std::size_t kPolicyCount = 12;

TEST_CASE("each trace format is detected, converted to native and compared under every policy") {
  for (const auto& c : kCases) {
    const std::string format = c.format;
    CAPTURE(format);
    const auto stats =
        e2e::run_suanli(with({"workload", "stats", fixture(c.file), "--json"}, c.options));
    REQUIRE_MESSAGE(stats.status == 0, stats.err);
    const auto s = nlohmann::json::parse(stats.out);
    CHECK(s["format"] == c.format);
    const int jobs = s["jobs"].get<int>();
    CHECK(jobs > 0);

    const auto dir = e2e::fresh_dir(std::string("fmt-") + c.format);
    std::filesystem::create_directories(dir);
    const auto native = dir + "/converted.csv";
    const auto conv = e2e::run_suanli(
        with({"workload", "convert", fixture(c.file), "--to", "native", "-o", native}, c.options));
    REQUIRE_MESSAGE(conv.status == 0, conv.err);
    // "N jobs from ...": jobs that never ran in the trace have no duration and are left out.
    const int converted = std::stoi(conv.out);
    CHECK(converted > 0);
    CHECK(converted <= jobs);

    const auto out = dir + "/compare";
    const auto cmp =
        e2e::run_suanli({"compare", "--platform", fixture("e2e/formats.yaml"), "--workload", native,
                         "--policies", kAllPolicies, "--reject-oversized", "--out", out});
    REQUIRE_MESSAGE(cmp.status == 0, cmp.err);
    auto rows = e2e::read_csv(out + "/compare.csv");
    REQUIRE(rows.size() == kPolicyCount);
    for (auto& row : rows) {
      CHECK(num(row, "jobs_total") == converted);
      CHECK(num(row, "jobs_completed") + num(row, "jobs_rejected") == converted);
    }
  }
}

// backfill.csv (4 jobs with walltimes) through batsim and swf and back: same submit times,
// sizes, durations and walltimes (and ids, for batsim).
TEST_CASE("native to batsim or swf and back keeps every job") {
  const auto original = e2e::read_csv(fixture("e2e/backfill.csv"));
  for (const char* to : {"batsim", "swf"}) {
    const std::string target = to;
    CAPTURE(target);
    const auto dir = e2e::fresh_dir(std::string("roundtrip-") + to);
    std::filesystem::create_directories(dir);
    const auto there = dir + "/there";
    const auto back = dir + "/back.csv";
    REQUIRE(e2e::run_suanli(
                {"workload", "convert", fixture("e2e/backfill.csv"), "--to", to, "-o", there})
                .status == 0);
    const auto r = e2e::run_suanli(
        {"workload", "convert", there, "--format", to, "--to", "native", "-o", back});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    const auto rows = e2e::read_csv(back);
    REQUIRE(rows.size() == original.size());
    for (std::size_t i = 0; i < rows.size(); ++i) {
      CHECK(num(rows[i], "submit_time") == num(original[i], "submit_time"));
      CHECK(num(rows[i], "num_gpus") == num(original[i], "num_gpus"));
      CHECK(num(rows[i], "duration") == num(original[i], "duration"));
      CHECK(num(rows[i], "walltime") == num(original[i], "walltime"));
      if (std::string(to) == "batsim") CHECK(rows[i].at("job_id") == original[i].at("job_id"));
    }
  }
}

// The writable formats are the registry's entries with a writer: a readable-only format
// (gavel) or an unknown one is refused before the trace is read, and nothing is written.
TEST_CASE("convert --to a format without a writer is an input error naming the writable ones") {
  const auto dir = e2e::fresh_dir("convert-to");
  std::filesystem::create_directories(dir);
  for (const char* to : {"gavel", "pbs"}) {
    CAPTURE(to);
    const auto r = e2e::run_suanli(
        {"workload", "convert", fixture("e2e/backfill.csv"), "--to", to, "-o", dir + "/out"});
    CHECK(r.status == 2);
    CHECK(r.err.find("--to: cannot write '" + std::string(to) +
                     "' (writable: batsim, swf, native)") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir + "/out"));
  }
}

TEST_CASE("an unknown format or an undetectable file is an input error") {
  auto r = e2e::run_suanli({"workload", "stats", fixture("e2e/backfill.csv"), "--format", "pbs"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--format") != std::string::npos);
  const auto dir = e2e::fresh_dir("undetectable");
  std::filesystem::create_directories(dir);
  { std::ofstream(dir + "/x.txt") << "hello\nworld\n"; }
  r = e2e::run_suanli({"workload", "stats", dir + "/x.txt"});
  CHECK(r.status == 2);
  CHECK(r.err.find("cannot tell the workload format") != std::string::npos);
}

// Batsim parallel-task profiles give FLOPs; the resource speed turns them into seconds.
TEST_CASE("batsim parallel-task profiles need --batsim-speed") {
  const auto file = fixture("traces/batsim/homogeneous_no_speed.json");
  auto r = e2e::run_suanli({"workload", "stats", file, "--json"});
  CHECK(r.status == 2);
  CHECK(r.err.find("--batsim-speed") != std::string::npos);
  r = e2e::run_suanli({"workload", "stats", file, "--json", "--batsim-speed", "1e9"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  CHECK(nlohmann::json::parse(r.out)["jobs"] == 2);
}

// backfill.csv submits at 0, 1, 2, 3: with --time-factor 0.5 at 0, 0.5, 1, 1.5, nothing else
// changed. A sample keeps jobs in order, the same ones for the same seed (mt19937_64).
TEST_CASE("workload scale compresses arrivals and samples jobs reproducibly") {
  const auto dir = e2e::fresh_dir("scale");
  std::filesystem::create_directories(dir);
  auto r = e2e::run_suanli({"workload", "scale", fixture("e2e/backfill.csv"), "--time-factor",
                            "0.5", "-o", dir + "/half.csv"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const auto original = e2e::read_csv(fixture("e2e/backfill.csv"));
  const auto half = e2e::read_csv(dir + "/half.csv");
  REQUIRE(half.size() == original.size());
  for (std::size_t i = 0; i < half.size(); ++i) {
    CHECK(num(half[i], "submit_time") == doctest::Approx(0.5 * num(original[i], "submit_time")));
    CHECK(num(half[i], "duration") == num(original[i], "duration"));
    CHECK(half[i].at("job_id") == original[i].at("job_id"));
  }
  const auto workload = std::string(SUANLI_SOURCE_DIR) + "/workloads/default.csv";
  for (const char* name : {"a.csv", "b.csv"}) {
    r = e2e::run_suanli(
        {"workload", "scale", workload, "--sample", "0.1", "--seed", "3", "-o", dir + "/" + name});
    REQUIRE_MESSAGE(r.status == 0, r.err);
  }
  CHECK(e2e::read_file(dir + "/a.csv") == e2e::read_file(dir + "/b.csv"));
  const auto sampled = e2e::read_csv(dir + "/a.csv");
  CHECK(sampled.size() > 200);  // 3,000 jobs x 0.1: 300 expected
  CHECK(sampled.size() < 400);
  CHECK(e2e::run_suanli({"workload", "scale", workload, "--sample", "0", "-o", dir + "/c.csv"})
            .status == 2);
}

// backfill.csv: 4 jobs submitted at 0, 1, 2, 3 (mean gap 1). --inflate 1.5: ceil(4 x 1.5) = 6
// jobs, the 4 then two clones at 4 and 5, each named after a job of the trace and equal to
// it but for id and submit time; the same seed gives the same clones.
TEST_CASE("workload scale --inflate appends seeded clones after the trace") {
  const auto dir = e2e::fresh_dir("inflate");
  std::filesystem::create_directories(dir);
  for (const char* name : {"a.csv", "b.csv"}) {
    auto r = e2e::run_suanli({"workload", "scale", fixture("e2e/backfill.csv"), "--inflate", "1.5",
                              "--seed", "5", "-o", dir + "/" + name});
    REQUIRE_MESSAGE(r.status == 0, r.err);
  }
  CHECK(e2e::read_file(dir + "/a.csv") == e2e::read_file(dir + "/b.csv"));
  const auto original = e2e::read_csv(fixture("e2e/backfill.csv"));
  const auto inflated = e2e::read_csv(dir + "/a.csv");
  REQUIRE(original.size() == 4);
  REQUIRE(inflated.size() == 6);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& clone = inflated[4 + i];
    const std::string id = clone.at("job_id");
    const std::string suffix = "-clone-" + std::to_string(i);
    REQUIRE(id.size() > suffix.size());
    CHECK(id.substr(id.size() - suffix.size()) == suffix);
    const std::string of = id.substr(0, id.size() - suffix.size());
    const auto source = std::find_if(original.begin(), original.end(),
                                     [&](const auto& row) { return row.at("job_id") == of; });
    REQUIRE(source != original.end());
    CHECK(num(clone, "submit_time") == doctest::Approx(4 + double(i)));
    CHECK(num(clone, "duration") == num(*source, "duration"));
    CHECK(num(clone, "num_gpus") == num(*source, "num_gpus"));
  }
  const auto bad = e2e::run_suanli(
      {"workload", "scale", fixture("e2e/backfill.csv"), "--inflate", "0.5", "-o", dir + "/c.csv"});
  CHECK(bad.status == 2);
  CHECK(bad.err.find("--inflate") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir + "/c.csv"));
}

// backfill.csv asks for 2 + 4 + 2 + 2 = 10 GPUs (submits 0, 1, 2, 3).
//  --tune-gpus 6: jobs drawn at random are removed until at most 6 GPUs are asked: which
//    ones depends on the seed, the total is at most 6 and more than 6 minus the largest (4).
//  --tune-gpus 14: clones are appended while total + the next drawn job's per-GPU share (1)
//    is at most 14, so it stops at a total of 14 or more, and at most 13 + 4 = 17 (a clone's
//    whole request is counted after the check, as in the artifact); the clones, named
//    -tuned-i, arrive after the last job at the mean gap (1 s): at 4, 5, ...
//  --shuffle: the same submit times, the same jobs, in another order for some seed.
TEST_CASE("workload scale --tune-gpus prunes or clones to a GPU total, --shuffle deals arrivals") {
  const auto dir = e2e::fresh_dir("tune");
  std::filesystem::create_directories(dir);
  const auto gpus = [](const std::vector<e2e::Row>& rows) {
    double n = 0;
    for (const auto& r : rows) n += num(r, "num_gpus");
    return n;
  };
  auto r = e2e::run_suanli({"workload", "scale", fixture("e2e/backfill.csv"), "--tune-gpus", "6",
                            "--seed", "1", "-o", dir + "/down.csv"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const auto down = e2e::read_csv(dir + "/down.csv");
  CHECK(gpus(down) <= 6);
  CHECK(gpus(down) > 2);
  r = e2e::run_suanli({"workload", "scale", fixture("e2e/backfill.csv"), "--tune-gpus", "14",
                       "--seed", "1", "-o", dir + "/up.csv"});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  const auto up = e2e::read_csv(dir + "/up.csv");
  CHECK(gpus(up) >= 14);
  CHECK(gpus(up) <= 17);
  REQUIRE(up.size() > 4);
  for (std::size_t i = 4; i < up.size(); ++i) {
    CHECK(up[i].at("job_id").find("-tuned-" + std::to_string(i - 4)) != std::string::npos);
    CHECK(num(up[i], "submit_time") == doctest::Approx(double(i)));
  }
  bool reordered = false;
  for (int seed = 0; seed < 8 && !reordered; ++seed) {
    const auto out = dir + "/shuffled-" + std::to_string(seed) + ".csv";
    r = e2e::run_suanli({"workload", "scale", fixture("e2e/backfill.csv"), "--shuffle", "--seed",
                         std::to_string(seed), "-o", out});
    REQUIRE_MESSAGE(r.status == 0, r.err);
    const auto shuffled = e2e::read_csv(out);
    REQUIRE(shuffled.size() == 4);
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < 4; ++i) {
      CHECK(num(shuffled[i], "submit_time") == doctest::Approx(double(i)));
      ids.push_back(shuffled[i].at("job_id"));
    }
    reordered = ids != std::vector<std::string>{"A", "B", "C", "D"};
    std::sort(ids.begin(), ids.end());
    CHECK(ids == std::vector<std::string>{"A", "B", "C", "D"});
  }
  CHECK(reordered);
  CHECK(e2e::run_suanli({"workload", "scale", fixture("e2e/backfill.csv"), "--tune-gpus", "-1",
                         "-o", dir + "/bad.csv"})
            .status == 2);
}
