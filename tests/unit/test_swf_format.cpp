#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "format_test_support.hpp"
#include "suanli/workload/native_csv.hpp"
#include "suanli/workload/trace_format.hpp"

using namespace suanli::workload;
using namespace suanli::testing;

namespace {

const std::string kSwfFixtures = std::string(SUANLI_FIXTURES) + "/traces/swf/";
const std::string kSharedSwf = "/work/shared/traces/swf/";

// Temporary files of this test file are suanli_swf_<pid>_<name>.
const std::string kTempPrefix = "suanli_swf";

std::string swf_error_of(const std::string& path, const ReadOptions& options = {}) {
  return input_error_of([&] { read_swf(path, options); }, path);
}

// 18 fields with the given job number, submit time, run time and allocated processors.
std::string swf_line(int number, double submit, double run, int procs) {
  std::ostringstream out;
  out << number << ' ' << submit << " 0 " << run << ' ' << procs
      << " -1 -1 -1 -1 -1 1 -1 -1 -1 -1 -1 -1 -1\n";
  return out.str();
}

}  // namespace

TEST_CASE("swf: a file with the quirks of real logs (CRLF, tabs, -1, cancelled, partial)") {
  const std::string path = kSwfFixtures + "quirks.swf";
  const Workload w =
      read_checked([](const std::string& p) { return read_swf(p, ReadOptions{}); }, path, "swf");
  // 8 job numbers: job 4 (cancelled, no run time, no requested time) is dropped, and job 5's
  // two partial-execution lines (status 2 and 3) are skipped; its summary line is the job.
  REQUIRE(w.jobs.size() == 7);
  CHECK(w.jobs[0].id == "1");
  CHECK(w.jobs[1].id == "2");
  CHECK(w.jobs[2].id == "3");
  CHECK(w.jobs[3].id == "5");
  CHECK(w.jobs[4].id == "6");
  CHECK(w.jobs[5].id == "7");
  CHECK(w.jobs[6].id == "8");

  // Line 11: "1 100 5 3600 16 -1 -1 16 7200 -1 1 3 ...": the first submission (100) is time 0.
  const Job& j1 = job_by_id(w, "1");
  check_job(j1, {"1", 11, 0, 16, 3600});
  CHECK(j1.walltime_s == 7200);
  CHECK(j1.user == "3");
  CHECK(j1.trace_state == "completed");
  CHECK(j1.started_in_trace);

  // Line 12, tab-separated: allocated -1, so the 4 requested processors; requested time -1 is
  // no walltime; status 0 is failed. Submit 110 - 100 = 10.
  const Job& j2 = job_by_id(w, "2");
  check_job(j2, {"2", 12, 10, 4, 60});
  CHECK(j2.walltime_s == -1);
  CHECK(j2.user == "7");
  CHECK(j2.trace_state == "failed");

  // Line 13: cancelled before it ran (run time -1): kept, not started, and its requested time
  // (1800) stands in for the duration.
  const Job& j3 = job_by_id(w, "3");
  check_job(j3, {"3", 13, 20, 8, 1800});
  CHECK(j3.walltime_s == 1800);
  CHECK_FALSE(j3.started_in_trace);
  CHECK(j3.trace_state == "cancelled");

  // Line 15: the summary line of a checkpointed job (whole run time 500 on 32 processors).
  const Job& j5 = job_by_id(w, "5");
  check_job(j5, {"5", 15, 40, 32, 500});
  CHECK(j5.user == "9");

  // Line 18: run time 0 counts as never ran; requested time 600 becomes the duration. User -1
  // is no user. Submit 150.5 - 100.
  const Job& j6 = job_by_id(w, "6");
  CHECK(j6.line == 18);
  CHECK(j6.submit_s == 50.5);
  CHECK(j6.duration_s == 600);
  CHECK_FALSE(j6.started_in_trace);
  CHECK(j6.user.empty());

  // Line 19: allocated 3 wins over requested 4; status -1 is missing, so no trace state.
  const Job& j7 = job_by_id(w, "7");
  CHECK(j7.line == 19);
  CHECK(j7.num_gpus == 3);
  CHECK(j7.duration_s == 90.25);
  CHECK(j7.trace_state.empty());
  CHECK(j7.user == "12");

  // Line 22, after a blank line and a comment; user 0 is a real user.
  const Job& j8 = job_by_id(w, "8");
  CHECK(j8.line == 22);
  CHECK(j8.submit_s == 70);
  CHECK(j8.user == "0");

  // Header fields, the indented continuation of the Note, and what the reader did.
  CHECK(meta(w, "Version") == "2.2");
  CHECK(meta(w, "Computer") == "Test cluster (a fixture written for suanli)");
  CHECK(meta(w, "MaxProcs") == "128");
  CHECK(meta(w, "UnixStartTime") == "1000000000");
  CHECK(meta(w, "Note") ==
        "a fixture with the quirks real logs have: tabs, -1 fields, cancelled jobs, partial "
        "executions");
  CHECK(meta(w, "first_submit_s") == "100");
  CHECK(meta(w, "time0_unix_s") == "1000000100");
  CHECK(meta(w, "unstarted_kept_with_requested_time") == "2");  // jobs 3 and 6
  CHECK(meta(w, "dropped_no_runtime") == "1");                  // job 4
  CHECK(meta(w, "dropped_partial_execution_lines") == "2");     // lines 16 and 17
  CHECK(meta(w, "dropped_unstarted") == "(absent)");
}

TEST_CASE("swf: options drop unstarted jobs and scale processors to GPUs") {
  ReadOptions options;
  options.keep_unstarted = false;
  options.gpus_per_proc = 0.5;
  const Workload w = read_swf(kSwfFixtures + "quirks.swf", options);
  // Jobs 3, 4 and 6 never ran (run time -1, -1, 0).
  REQUIRE(w.jobs.size() == 5);
  CHECK(meta(w, "dropped_unstarted") == "3");
  CHECK(meta(w, "dropped_no_runtime") == "(absent)");
  CHECK(meta(w, "unstarted_kept_with_requested_time") == "(absent)");
  CHECK(job_by_id(w, "1").num_gpus == 8);  // 16 x 0.5
  CHECK(job_by_id(w, "2").num_gpus == 2);  // 4 x 0.5
  CHECK(job_by_id(w, "7").num_gpus == 2);  // ceil(3 x 0.5)
  CHECK(job_by_id(w, "8").num_gpus == 1);  // 2 x 0.5

  options.gpus_per_proc = 1.0 / 3.0;
  TempFile file(kTempPrefix, "thirds.swf", swf_line(1, 0, 10, 3) + swf_line(2, 1, 10, 1));
  const Workload thirds = read_swf(file.path(), options);
  CHECK(thirds.jobs[0].num_gpus == 1);  // 3 x 1/3 is 1, not ceil(1.0000000000000002)
  CHECK(thirds.jobs[1].num_gpus == 1);  // at least 1
}

TEST_CASE("swf: bad lines name the file, the line and the field") {
  {
    const std::string path = kSwfFixtures + "bad_field_count.swf";
    const std::string message = swf_error_of(path);
    check_contains(message, path + ":3:");
    check_contains(message, "expected 18 whitespace-separated fields, found 17");
  }
  {
    const std::string path = kSwfFixtures + "bad_number.swf";
    const std::string message = swf_error_of(path);
    check_contains(message, path + ":2:");
    check_contains(message, "field 4 (run time)");
    check_contains(message, "'12O' is not a number");
  }
  {
    const std::string path = kSwfFixtures + "bad_processors.swf";
    const std::string message = swf_error_of(path);
    check_contains(message, path + ":4:");
    check_contains(message, "field 5 (allocated processors)");
    check_contains(message, "field 8 (requested processors) is '0'");
  }
  {
    TempFile file(kTempPrefix, "dup.swf",
                  swf_line(7, 0, 10, 1) + swf_line(8, 1, 10, 1) + swf_line(7, 2, 10, 1));
    const std::string message = swf_error_of(file.path());
    check_contains(message, file.path() + ":3:");
    check_contains(message, "field 1 (job number)");
    check_contains(message, "duplicate job number 7 (first on line 1)");
  }
  {
    TempFile file(kTempPrefix, "nosubmit.swf", "; Version: 2\n" + swf_line(1, -1, 10, 1));
    const std::string message = swf_error_of(file.path());
    check_contains(message, file.path() + ":2:");
    check_contains(message, "field 2 (submit time)");
    check_contains(message, "missing (-1)");
  }
  {
    TempFile file(kTempPrefix, "fraction.swf",
                  swf_line(1, 0, 10, 1) +
                      "1.5 0 0 1 1 -1 -1 1 1 -1 1 -1 -1 "
                      "-1 -1 -1 -1 -1\n");
    const std::string message = swf_error_of(file.path());
    check_contains(message, file.path() + ":2:");
    check_contains(message, "field 1 (job number)");
  }
  {
    TempFile file(kTempPrefix, "only_comments.swf", "; Version: 2.2\n; MaxProcs: 4\n\n");
    check_contains(swf_error_of(file.path()), "no job lines");
  }
  {
    TempFile file(kTempPrefix, "empty.swf", "");
    check_contains(swf_error_of(file.path()), "no job lines");
  }
  check_contains(swf_error_of(kSwfFixtures + "does_not_exist.swf"), "cannot open");
}

TEST_CASE("swf: sniffing") {
  CHECK(sniff_swf(head_of(kSwfFixtures + "quirks.swf"), "x"));
  CHECK(sniff_swf("\n\n" + swf_line(1, 0, 10, 1), "x"));
  CHECK(sniff_swf("1\t0\t0\t10\t1\t-1\t-1\t1\t20\t-1\t1\t1\t-1\t-1\t1\t-1\t-1\t-1\r\n", "x"));
  CHECK(sniff_swf("\xEF\xBB\xBF; Version: 2\n", "x"));
  CHECK_FALSE(sniff_swf("job_id,submit_time,num_gpus,duration\nj1,0,1,10\n", "x"));
  CHECK_FALSE(sniff_swf("{\"nb_res\": 4, \"jobs\": []}", "x"));
  CHECK_FALSE(sniff_swf("1 2 3\n", "x"));
  CHECK_FALSE(sniff_swf("a b c d e f g h i j k l m n o p q r\n", "x"));
  CHECK_FALSE(sniff_swf("", "x"));
}

namespace {

Workload sample_workload() {
  Workload w;
  const std::vector<std::pair<double, int>> shapes = {
      {0, 1}, {0, 8}, {12.5, 3}, {60, 64}, {61.125, 2}, {3600, 16}, {3600, 1}, {90000, 512}};
  int n = 0;
  for (const auto& [submit, gpus] : shapes) {
    Job job;
    job.id = "job-" + std::to_string(++n);
    job.submit_s = submit;
    job.num_gpus = gpus;
    job.duration_s = 10.0 * n + 0.1;  // not a whole number: the text must keep every digit
    if (n % 3 != 0) job.walltime_s = 2 * job.duration_s + 1;
    if (n % 2 == 0) job.user = std::to_string(100 + n);
    w.jobs.push_back(job);
  }
  return w;
}

void check_same_jobs(const Workload& original, const Workload& back) {
  REQUIRE(back.jobs.size() == original.jobs.size());
  for (std::size_t i = 0; i < original.jobs.size(); ++i) {
    const Job& a = original.jobs[i];
    const Job& b = back.jobs[i];
    INFO("job " << i);
    CHECK(b.submit_s == a.submit_s);
    CHECK(b.num_gpus == a.num_gpus);
    CHECK(b.duration_s == a.duration_s);
    CHECK(b.walltime_s == a.walltime_s);
    CHECK(b.user == a.user);
    CHECK(b.started_in_trace);
  }
}

}  // namespace

TEST_CASE("swf: write then read gives back every job (ids become 1..N)") {
  const Workload original = sample_workload();
  std::ostringstream text;
  write_swf(original, text);
  TempFile file(kTempPrefix, "roundtrip.swf", text.str());
  CHECK(sniff_swf(text.str(), file.path()));
  const Workload back = read_swf(file.path(), ReadOptions{});
  check_same_jobs(original, back);
  for (std::size_t i = 0; i < back.jobs.size(); ++i)
    CHECK(back.jobs[i].id == std::to_string(i + 1));
  CHECK(meta(back, "MaxProcs") == "512");
  CHECK(meta(back, "Version") == "2.2");
  CHECK(meta(back, "MaxJobs") == "8");

  // native -> swf -> native: the native file read back holds the same jobs.
  std::ostringstream native_text;
  write_native_csv(back, native_text);
  TempFile native_file(kTempPrefix, "roundtrip.csv", native_text.str());
  check_same_jobs(original, read_native_csv(native_file.path()));
}

TEST_CASE("swf: writing keeps trace states and numbers user names") {
  Workload w;
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"alice", "completed"}, {"bob", "failed"}, {"alice", "cancelled"}, {"", ""}};
  for (const auto& [user, state] : rows) {
    Job job;
    job.id = user + state;
    job.num_gpus = 2;
    job.duration_s = 5;
    job.user = user;
    job.trace_state = state;
    w.jobs.push_back(job);
  }
  std::ostringstream text;
  write_swf(w, text);
  TempFile file(kTempPrefix, "users.swf", text.str());
  const Workload back = read_swf(file.path(), ReadOptions{});
  REQUIRE(back.jobs.size() == 4);
  CHECK(back.jobs[0].user == "1");
  CHECK(back.jobs[1].user == "2");
  CHECK(back.jobs[2].user == "1");
  CHECK(back.jobs[3].user.empty());
  CHECK(back.jobs[0].trace_state == "completed");
  CHECK(back.jobs[1].trace_state == "failed");
  CHECK(back.jobs[2].trace_state == "cancelled");
  CHECK(back.jobs[3].trace_state.empty());
}

TEST_CASE("swf: jobs SWF cannot carry are refused, naming the job") {
  Workload w = sample_workload();
  w.jobs.push_back(params_tokens_job());
  std::ostringstream out;
  check_refused([&] { write_swf(w, out); }, {"'llm-7b'", "params/tokens"});

  Workload shared;
  Job share;
  share.id = "pod-1";
  share.num_gpus = 1;
  share.duration_s = 10;
  share.gpu_milli = 500;
  shared.jobs.push_back(share);
  CHECK_THROWS_AS(write_swf(shared, out), std::invalid_argument);
}

TEST_CASE("swf: damaged files give InputError, never a crash") {
  const std::string alphabet = "0123456789-;. \t\r\n:eE+x";
  const auto damage = [&](std::string& text, std::mt19937& random) {
    const int edits = 1 + static_cast<int>(random() % 8);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = random() % text.size();
      switch (random() % 3) {
        case 0:
          text[at] = alphabet[random() % alphabet.size()];
          break;
        case 1:
          text.erase(at, 1 + random() % 20);
          break;
        default:
          text.insert(at, 1, static_cast<char>(random() % 256));
      }
      if (text.empty()) text.push_back('x');
    }
  };
  check_damaged_copies(kSwfFixtures + "quirks.swf", kTempPrefix, "fuzz.swf", 12345, damage,
                       [](const std::string& path) { return read_swf(path, ReadOptions{}); });
}

TEST_CASE("swf: the real files in /work/shared/traces, when present") {
  const std::string lublin = kSharedSwf + "rlscheduler_lublin/lublin_256.swf";
  const std::string evalys = kSharedSwf + "evalys_tests/easy_mediumWL_smallPF.swf";
  if (!std::filesystem::exists(lublin) || !std::filesystem::exists(evalys)) {
    MESSAGE("skipped: " << kSharedSwf << " is not on this machine");
    return;
  }
  // Lublin-Feitelson model output: 10000 jobs, all completed, first submission at 5094 s.
  // Its first lines: "1 5094 -1 12072 16 ..." and "2 5170 -1 2 1 ...".
  const Workload w = read_swf(lublin, ReadOptions{});
  CHECK(sniff_swf(head_of(lublin), lublin));
  REQUIRE(w.jobs.size() == 10000);
  check_job(w.jobs[0], {"1", 8, 0, 16, 12072});
  CHECK(w.jobs[0].walltime_s == -1);
  CHECK(w.jobs[1].submit_s == 76);
  CHECK(w.jobs[1].duration_s == 2);
  CHECK(meta(w, "MaxNodes") == "256");
  CHECK(meta(w, "first_submit_s") == "5094");

  // evalys's scheduler output: CRLF, no header, fractional times, lines not in submit order.
  // Its first lines: "0 0.0 0.0 88.51 1 -1 -1 1 149.0 ..." and
  // "2050 2739.599152 0.0 6.609 2 -1 -1 2 67.0 ...".
  const Workload e = read_swf(evalys, ReadOptions{});
  CHECK(sniff_swf(head_of(evalys), evalys));
  REQUIRE(e.jobs.size() == 800);
  CHECK(e.jobs[0].id == "0");
  CHECK(e.jobs[0].duration_s == 88.51);
  CHECK(e.jobs[0].walltime_s == 149);
  CHECK(e.jobs[1].id == "2050");
  CHECK(e.jobs[1].submit_s == 2739.599152);
  CHECK(e.jobs[1].num_gpus == 2);
  CHECK(e.jobs[1].duration_s == 6.609);
}
