#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "format_test_support.hpp"
#include "suanli/workload/trace_format.hpp"

using namespace suanli::workload;
using namespace suanli::testing;

namespace {

const std::string kBatsimFixtures = std::string(SUANLI_FIXTURES) + "/traces/batsim/";
const std::string kSharedBatsim = "/work/shared/traces/batsim/workloads/";

// Temporary files of this test file are suanli_batsim_<pid>_<name>.
const std::string kTempPrefix = "suanli_batsim";

std::string batsim_error_of(const std::string& path, const ReadOptions& options = {}) {
  return input_error_of([&] { read_batsim(path, options); }, path);
}

std::string batsim_error_of_text(const std::string& text) {
  TempFile file(kTempPrefix, "error.json", text);
  return batsim_error_of(file.path());
}

}  // namespace

TEST_CASE("batsim: ids with '!', numeric ids, walltime -1, delay and unsupported profiles") {
  const std::string path = kBatsimFixtures + "quirks.json";
  const Workload w = read_checked(
      [](const std::string& p) { return read_batsim(p, ReadOptions{}); }, path, "batsim");
  // Of 5 jobs, w0!3 (a "parallel" profile) and w0!5 (a "composed" one) are dropped.
  REQUIRE(w.jobs.size() == 3);

  // jobs[0]: {"id": "w0!1", "subtime": 10.5, "walltime": 100, "res": 4, "profile": "delay_30"}
  // The first submission (10.5) is time 0.
  const Job& a = w.jobs[0];
  // line: the job's index + 1, not a line of the file
  check_job(a, {"w0!1", 1, 0, 4, 30});
  CHECK(a.walltime_s == 100);
  CHECK(a.started_in_trace);
  CHECK(a.trace_state.empty());

  // jobs[1]: {"id": 2, "subtime": 12, "walltime": -1, "res": 1, "profile": "new_style_delay"}
  // with the newer type name "DelayProfile" and delay 7.25; walltime -1 is none.
  const Job& b = w.jobs[1];
  check_job(b, {"2", 2, 1.5, 1, 7.25});
  CHECK(b.walltime_s == -1);

  // jobs[3]: no walltime at all, and an extra_data member that is ignored.
  const Job& c = w.jobs[2];
  check_job(c, {"w0!4", 4, 4.5, 16, 30});
  CHECK(c.walltime_s == -1);

  CHECK(meta(w, "nb_res") == "16");
  CHECK(meta(w, "first_submit_s") == "10.5");
  CHECK(meta(w, "dropped_unsupported_profile_parallel") == "1");
  CHECK(meta(w, "dropped_unsupported_profile_composed") == "1");
  // The unused profile of an unknown type is not a job: nothing to count.
  CHECK(meta(w, "dropped_unsupported_profile_no such type") == "(absent)");

  ReadOptions options;
  options.gpus_per_proc = 2.5;
  const Workload scaled = read_batsim(path, options);
  CHECK(scaled.jobs[0].num_gpus == 10);  // 4 x 2.5
  CHECK(scaled.jobs[1].num_gpus == 3);   // ceil(1 x 2.5)
}

TEST_CASE("batsim: homogeneous parallel tasks need the resource speed") {
  // suanli_flops_per_second = 2e9.
  const Workload w = read_batsim(kBatsimFixtures + "homogeneous.json", ReadOptions{});
  REQUIRE(w.jobs.size() == 4);
  CHECK(w.jobs[0].duration_s == 5);  // 1e10 FLOPs per resource / 2e9
  CHECK(w.jobs[0].num_gpus == 2);
  CHECK(w.jobs[1].duration_s == 10);   // 8e10 spread over 4 resources = 2e10 each / 2e9
  CHECK(w.jobs[2].duration_s == 0.5);  // parallel_homogeneous_total: 4e9 / 4 / 2e9
  CHECK(w.jobs[3].duration_s == 1.5);  // 3e9 / 2e9; its 1e6 bytes of com are left out
  CHECK(meta(w, "suanli_flops_per_second") == "2e+09");
  CHECK(meta(w, "communication_ignored_jobs") == "1");
  CHECK(meta(w, "dropped_communication_only") == "1");  // cpu 0: nothing to time

  const std::string path = kBatsimFixtures + "homogeneous_no_speed.json";
  const std::string message = batsim_error_of(path);
  check_contains(message, path + ": jobs[1].profile: ");
  check_contains(message, "profile 'compute' (parallel_homogeneous)");
  check_contains(message, "needs the resource speed");
  check_contains(message, "suanli_flops_per_second");
}

TEST_CASE("batsim: bad input names the file and the line or JSON path") {
  {
    // Line 4 lacks a comma: {"id": 1, "subtime": 0 "res": 1, ...
    const std::string path = kBatsimFixtures + "bad_syntax.json";
    const std::string message = batsim_error_of(path);
    check_contains(message,
                   path + ":4: invalid JSON at column 32");  // the end of the unexpected "res"
    check_contains(message, "syntax error");
    CHECK(message.find("[json.exception") == std::string::npos);
  }
  {
    const std::string path = kBatsimFixtures + "bad_missing_res.json";
    check_contains(batsim_error_of(path), path + ": jobs[1].res: missing");
  }
  {
    const std::string path = kBatsimFixtures + "bad_unknown_profile.json";
    const std::string message = batsim_error_of(path);
    check_contains(message, path + ": jobs[1].profile: unknown profile 'q'");
  }
  const std::string profiles = R"("profiles": {"p": {"type": "delay", "delay": 1}})";
  check_contains(batsim_error_of_text("[1, 2]"), "expected a JSON object");
  check_contains(batsim_error_of_text("{\"jobs\": [], \"nb_res\": 1}"), "profiles: missing");
  check_contains(batsim_error_of_text("{" + profiles + "}"), "jobs: missing");
  check_contains(batsim_error_of_text("{\"jobs\": {}, " + profiles + "}"),
                 "jobs: must be an array");
  check_contains(
      batsim_error_of_text(R"({"jobs": [{"id": 1, "subtime": 0, "res": 1, "profile": "p"},
      {"id": "1", "subtime": 0, "res": 1, "profile": "p"}], )" +
                           profiles + "}"),
      "jobs[1].id: duplicate job id '1' (first in jobs[0])");
  check_contains(
      batsim_error_of_text(R"({"jobs": [{"id": [1], "subtime": 0, "res": 1, "profile": "p"}], )" +
                           profiles + "}"),
      "jobs[0].id: must be a string or a number");
  check_contains(
      batsim_error_of_text(R"({"jobs": [{"id": 1, "subtime": "0", "res": 1, "profile": "p"}], )" +
                           profiles + "}"),
      "jobs[0].subtime: must be a number, found string");
  check_contains(
      batsim_error_of_text(R"({"jobs": [{"id": 1, "subtime": 0, "res": 0.5, "profile": "p"}], )" +
                           profiles + "}"),
      "jobs[0].res: must be a whole number >= 1, found 0.5");
  check_contains(
      batsim_error_of_text(R"({"jobs": [{"id": 1, "subtime": 0, "res": 1e300, "profile": "p"}], )" +
                           profiles + "}"),
      "too many GPUs");
  check_contains(
      batsim_error_of_text(
          R"({"jobs": [{"id": 1, "subtime": 0, "res": 1, "walltime": "1h", "profile": "p"}], )" +
          profiles + "}"),
      "jobs[0].walltime: must be a number");
  check_contains(batsim_error_of_text(
                     R"({"jobs": [{"id": 1, "subtime": 0, "res": 1, "profile": "p"}],
                   "profiles": {"p": {"type": "delay", "delay": 0}}})"),
                 "profiles.p.delay: must be > 0 seconds");
  check_contains(batsim_error_of_text(
                     R"({"jobs": [{"id": 1, "subtime": 0, "res": 1, "profile": "p"}],
                   "profiles": {"p": {"delay": 3}}})"),
                 "profiles.p.type: missing");
  check_contains(batsim_error_of_text("{\"jobs\": [1e999]}"), "invalid JSON");
  check_contains(batsim_error_of_text(""), "invalid JSON");
  check_contains(batsim_error_of(kBatsimFixtures + "does_not_exist.json"), "cannot open");
}

TEST_CASE("batsim: sniffing") {
  CHECK(sniff_batsim(head_of(kBatsimFixtures + "quirks.json"), "x"));
  CHECK(sniff_batsim("\xEF\xBB\xBF  {\"jobs\": [{\"subtime\": 0", "x"));
  CHECK_FALSE(sniff_batsim("[{\"jobid\": \"application_1\", \"attempts\": []}]", "x"));
  CHECK_FALSE(sniff_batsim("{\"v100\": {\"(ResNet-18, 1)\": {\"null\": 5.0}}}", "x"));
  CHECK_FALSE(sniff_batsim("; Version: 2.2\n", "x"));
  CHECK_FALSE(sniff_batsim("", "x"));
}

namespace {

Workload batsim_sample() {
  Workload w;
  const std::vector<std::pair<double, int>> shapes = {{0, 1},      {0, 8},     {12.5, 3}, {60, 64},
                                                      {61.125, 2}, {3600, 16}, {3600, 1}};
  int n = 0;
  for (const auto& [submit, gpus] : shapes) {
    Job job;
    ++n;
    job.id = n % 2 ? "w0!" + std::to_string(n) : "job \"" + std::to_string(n) + "\"";
    job.submit_s = submit;
    job.num_gpus = gpus;
    job.duration_s = n == 7 ? 10.1 : 10.0 * (n % 4) + 0.1;  // durations repeat: shared profiles
    if (n % 3 != 0) job.walltime_s = 2 * job.duration_s + 1;
    w.jobs.push_back(job);
  }
  return w;
}

}  // namespace

TEST_CASE("batsim: write then read gives back every job with its id") {
  const Workload original = batsim_sample();
  std::ostringstream text;
  write_batsim(original, text);
  // One delay profile per distinct duration; nb_res is the largest job.
  const auto doc = nlohmann::json::parse(text.str());
  CHECK(doc["nb_res"] == 64);
  CHECK(doc["profiles"].size() == 4);  // 10.1, 20.1, 30.1, 0.1
  CHECK(doc["profiles"]["delay_10.1"]["type"] == "delay");
  CHECK(doc["jobs"][2]["profile"] == "delay_30.1");

  TempFile file(kTempPrefix, "roundtrip.json", text.str());
  CHECK(sniff_batsim(text.str(), file.path()));
  const Workload back = read_batsim(file.path(), ReadOptions{});
  REQUIRE(back.jobs.size() == original.jobs.size());
  for (std::size_t i = 0; i < original.jobs.size(); ++i) {
    const Job& a = original.jobs[i];
    const Job& b = back.jobs[i];
    INFO("job " << i);
    CHECK(b.id == a.id);
    CHECK(b.submit_s == a.submit_s);
    CHECK(b.num_gpus == a.num_gpus);
    CHECK(b.duration_s == a.duration_s);
    CHECK(b.walltime_s == a.walltime_s);
  }

  // Written twice, the same bytes.
  std::ostringstream again;
  write_batsim(original, again);
  CHECK(again.str() == text.str());

  std::ostringstream empty;
  write_batsim(Workload{}, empty);
  CHECK(nlohmann::json::parse(empty.str())["jobs"].empty());
}

TEST_CASE("batsim: jobs a delay profile cannot carry are refused, naming the job") {
  Workload w = batsim_sample();
  w.jobs.push_back(params_tokens_job());
  std::ostringstream out;
  check_refused([&] { write_batsim(w, out); }, {"'llm-7b'", "params/tokens"});
  Workload dup = batsim_sample();
  dup.jobs.push_back(dup.jobs[0]);
  CHECK_THROWS_AS(write_batsim(dup, out), std::invalid_argument);
  Workload latin1 = batsim_sample();
  latin1.jobs[0].id = "caf\xE9";
  CHECK_THROWS_AS(write_batsim(latin1, out), std::invalid_argument);
}

TEST_CASE("batsim: damaged files give InputError, never a crash") {
  const std::string alphabet = "{}[]\",:0123456789-.e ";
  const auto damage = [&](std::string& text, std::mt19937& random) {
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = random() % text.size();
      if (random() % 2) {
        text[at] = alphabet[random() % alphabet.size()];
      } else {
        text.erase(at, 1 + random() % 10);
      }
      if (text.empty()) text.push_back('{');
    }
  };
  check_damaged_copies(kBatsimFixtures + "quirks.json", kTempPrefix, "fuzz.json", 4242, damage,
                       [](const std::string& path) { return read_batsim(path, ReadOptions{}); });
}

TEST_CASE("batsim: the real workloads in /work/shared/traces, when present") {
  const std::string paper = kSharedBatsim + "test_batsim_paper_workload_seed1.json";
  const std::string delays = kSharedBatsim + "test_delays.json";
  const std::string various = kSharedBatsim + "test_various_profile_types.json";
  if (!std::filesystem::exists(paper) || !std::filesystem::exists(delays) ||
      !std::filesystem::exists(various)) {
    MESSAGE("skipped: " << kSharedBatsim << " is not on this machine");
    return;
  }
  // 800 jobs, all with "DelayProfile" profiles; its profiles come after the jobs, beyond the
  // 64 KiB head, so the sniff finds "subtime" instead.
  const Workload w = read_batsim(paper, ReadOptions{});
  CHECK(sniff_batsim(head_of(paper), paper));
  CHECK(w.jobs.size() == 800);
  for (const Job& job : w.jobs) {
    CHECK(job.duration_s > 0);
    CHECK(job.walltime_s > 0);
  }

  // {"id": 1, "subtime": 3, "walltime": 100, "res": 1, "profile": "delay10"}, delay10 = 10 s.
  const Workload d = read_batsim(delays, ReadOptions{});
  REQUIRE(d.jobs.size() == 10);
  CHECK(d.jobs[1].id == "1");
  CHECK(d.jobs[1].submit_s == 3);
  CHECK(d.jobs[1].duration_s == 10);
  CHECK(d.jobs[1].walltime_s == 100);
  CHECK(d.jobs[1].num_gpus == 1);
  CHECK(meta(d, "nb_res") == "2");

  // jobs[5] ("homo") is the first with a ParallelTaskHomogeneousProfile: no speed given.
  check_contains(batsim_error_of(various), "jobs[5].profile: profile 'homogeneous'");
}
