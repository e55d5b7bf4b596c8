#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "format_test_support.hpp"
#include "suanli/workload/trace_format.hpp"
#include "suanli/workload/trace_time.hpp"

using namespace suanli::workload;
using namespace suanli::testing;

namespace {

const std::string kPhilly = std::string(SUANLI_FIXTURES) + "/traces/philly/";

// Temporary files of this test file are suanli_philly_<pid>_<name>.
const std::string kTempPrefix = "suanli_philly";

std::string error_of(const std::string& path, const ReadOptions& options = {}) {
  return input_error_of([&] { read_philly(path, options); }, path);
}

// One job of the Philly schema with the given attempts (JSON text).
std::string job(const std::string& id, const std::string& submitted, const std::string& attempts) {
  return R"({"status": "Pass", "vc": "v", "jobid": ")" + id +
         R"(", "user": "u", "submitted_time": )" + submitted + R"(, "attempts": )" + attempts + "}";
}

// "[job, job, ...]"
std::string list_of(std::initializer_list<std::string> jobs) {
  std::string out = "[";
  for (const std::string& j : jobs) {
    if (out.size() > 1) out += ", ";
    out += j;
  }
  out += "]";
  return out;
}

const std::string kOneAttempt =
    R"([{"start_time": "2017-10-01 00:01:00", "end_time": "2017-10-01 00:02:00", "detail": [{"ip": "m1", "gpus": ["gpu0", "gpu1"]}]}])";

}  // namespace

TEST_CASE("philly: the fixture log, job by job") {
  const std::string path = kPhilly + "cluster_job_log.json";
  const Workload w =
      read_checked([](const std::string& p) { return read_philly(p, {}); }, path, "philly");
  CHECK(w.ignored_columns.empty());
  // Kept: jobs [0], [1], [4], [7], [8]; dropped: [2] and [3] (never started), [5] (no
  // submitted_time), [6] (its only attempt has no end).
  REQUIRE(w.jobs.size() == 5);

  // Time 0 is the earliest submission in the log, 2017-10-01 00:00:00, which is job [2]'s:
  // a job that is itself dropped (no attempts) still dates the trace.
  const Job& j0 = w.jobs[0];
  // line: index 0 + 1
  // submit_s: 00:10:00 - 00:00:00
  // num_gpus: first attempt: m47 2 GPUs + m48 2 GPUs (the second had 8)
  // duration_s: 00:20-00:30 (600 s) + 01:00-01:20 (1200 s)
  check_job(j0, {"application_1506638472019_00001", 1, 600, 4, 1800});
  CHECK(j0.trace_state == "Pass");
  CHECK(j0.user == "ce2f4c");
  CHECK(j0.started_in_trace);
  CHECK(j0.job_type.empty());
  CHECK(j0.gpu_type.empty());

  const Job& j1 = w.jobs[1];  // first attempt never ended (skipped), second one ran 1 h
  // submit_s: 01:59:00 = 119 min
  // num_gpus: GPUs of the FIRST attempt, even though it is skipped
  check_job(j1, {"application_1506638472019_00002", 2, 7140, 1, 3600});
  CHECK(j1.trace_state == "Killed");

  const Job& j4 = w.jobs[2];  // first attempt has start "None" (skipped), second ran 30 s
  // submit_s: 2017-10-02 09:00:00 = 1 day + 9 h = 86400 + 32400
  check_job(j4, {"application_1506638472019_00005", 5, 118800, 8, 30});
  CHECK(j4.trace_state == "Failed");

  const Job& j7 = w.jobs[3];  // no status key, user null, one attempt ends before it starts
  // submit_s: 2 days + 04:59:59 = 172800 + 17999
  // duration_s: only the 06:00:00-06:00:45 attempt counts
  check_job(j7, {"application_1506638472019_00008", 8, 190799, 1, 45});
  CHECK(j7.trace_state.empty());
  CHECK(j7.user.empty());

  const Job& j8 = w.jobs[4];  // runs across New Year
  CHECK(j8.line == 9);
  // 2017-10-01 -> 2017-12-31 is 31 (Oct) + 30 (Nov) + 30 days = 91 days; + 23:59:50.
  CHECK(j8.submit_s == 91 * 86400 + 86390);
  CHECK(j8.duration_s == 10);  // 2017-12-31 23:59:59 -> 2018-01-01 00:00:09

  const std::vector<std::pair<std::string, std::string>> expected = {
      {"epoch_first_submit", "2017-10-01 00:00:00"},
      {"dropped_no_submit_time", "1"},       // [5]
      {"dropped_never_started", "2"},        // [2] no attempts, [3] no GPUs
      {"dropped_no_complete_attempt", "1"},  // [6]
      {"skipped_attempts_no_end", "2"},      // [1] attempt 0, [6] attempt 0
      {"skipped_attempts_no_start", "1"},    // [4] attempt 0
      {"skipped_attempts_negative", "1"},    // [7] attempt 0
  };
  CHECK(w.metadata == expected);
}

TEST_CASE("philly: keep_unstarted cannot keep jobs without a run time") {
  // A Philly job with no attempt (or no GPU) has no duration, so it is dropped and counted
  // whatever keep_unstarted says; kept jobs all started.
  for (const bool keep : {true, false}) {
    ReadOptions options;
    options.keep_unstarted = keep;
    const Workload w = read_philly(kPhilly + "cluster_job_log.json", options);
    CHECK(w.jobs.size() == 5);
    CHECK(meta(w, "dropped_never_started") == "2");
    for (const Job& j : w.jobs) CHECK(j.started_in_trace);
  }
}

TEST_CASE("philly: byte order mark, CRLF, compact JSON and 'None' strings") {
  const std::string text = "\xEF\xBB\xBF[\r\n" + job("a", R"("2017-10-01 00:00:00")", kOneAttempt) +
                           ",\r\n" + job("b", R"("None")", kOneAttempt) + ",\r\n" +
                           job("c", R"("2017-10-01 00:00:30")", "null") + "\r\n]\r\n";
  const TempFile f(kTempPrefix, "crlf.json", text);
  const Workload w = read_philly(f.path(), {});
  REQUIRE(w.jobs.size() == 1);
  CHECK(w.jobs[0].id == "a");
  CHECK(w.jobs[0].num_gpus == 2);
  CHECK(w.jobs[0].duration_s == 60);
  CHECK(meta(w, "dropped_no_submit_time") == "1");
  CHECK(meta(w, "dropped_never_started") == "1");
}

TEST_CASE("philly: an empty list is an empty workload") {
  const TempFile f(kTempPrefix, "empty_list.json", "[ ]\n");
  const Workload w = read_philly(f.path(), {});
  CHECK(w.jobs.empty());
  CHECK(w.metadata.empty());
}

TEST_CASE("philly: errors name the file and the JSON path") {
  SUBCASE("a bad date in a later attempt") {
    const std::string path = kPhilly + "bad_time.json";
    const std::string e = error_of(path);
    check_contains(e, path + ": [1].attempts[1].start_time: ");
    check_contains(e, "'2017-13-01 00:00:00' is not a date-time 'YYYY-MM-DD HH:MM:SS'");
  }
  SUBCASE("a JSON syntax error is located by line") {
    const std::string path = kPhilly + "bad_syntax.json";
    const std::string e = error_of(path);
    check_contains(e, path + ":5: invalid JSON: ");  // the missing comma is on line 5
    CHECK(e.find("json.exception") == std::string::npos);
  }
  SUBCASE("not a list") {
    const TempFile f(kTempPrefix, "object.json", "\n {\"jobs\": []}");
    check_contains(error_of(f.path()), f.path() + ":2: expected a JSON list of jobs");
  }
  SUBCASE("empty file") {
    const TempFile f(kTempPrefix, "blank.json", " \n");
    check_contains(error_of(f.path()), "the file is empty");
  }
  SUBCASE("an element that is not an object") {
    const TempFile f(kTempPrefix, "number.json",
                     list_of({job("a", R"("2017-10-01 00:00:00")", kOneAttempt), "7"}));
    check_contains(error_of(f.path()), f.path() + ": [1]: expected a job object, found number");
  }
  SUBCASE("a time that is not a string") {
    const TempFile f(kTempPrefix, "number_time.json",
                     list_of({job("a", "1506816000", kOneAttempt)}));
    check_contains(error_of(f.path()),
                   f.path() + ": [0].submitted_time: expected a date-time string");
  }
  SUBCASE("an impossible date") {
    const TempFile f(kTempPrefix, "feb30.json",
                     list_of({job("a", R"("2017-02-30 00:00:00")", kOneAttempt)}));
    check_contains(error_of(f.path()),
                   "[0].submitted_time: '2017-02-30 00:00:00' is not a date-time");
  }
  SUBCASE("missing jobid") {
    const TempFile f(kTempPrefix, "noid.json",
                     R"([{"submitted_time": "2017-10-01 00:00:00", "attempts": []}])");
    check_contains(error_of(f.path()), "[0].jobid: missing value");
  }
  SUBCASE("duplicate jobid") {
    const TempFile f(kTempPrefix, "dup.json",
                     list_of({job("a", R"("2017-10-01 00:00:00")", kOneAttempt),
                              job("b", R"("2017-10-01 00:00:00")", kOneAttempt),
                              job("a", R"("2017-10-01 00:00:00")", kOneAttempt)}));
    check_contains(error_of(f.path()), "[2].jobid: duplicate job id 'a' (first at [0])");
  }
  SUBCASE("attempts of the wrong type") {
    const TempFile f(kTempPrefix, "attempts.json",
                     list_of({job("a", R"("2017-10-01 00:00:00")", "{}")}));
    check_contains(error_of(f.path()), "[0].attempts: expected a list of attempts, found object");
  }
  SUBCASE("gpus of the wrong type") {
    const TempFile f(
        kTempPrefix, "gpus.json",
        list_of({job(
            "a", R"("2017-10-01 00:00:00")",
            R"([{"start_time": null, "end_time": null, "detail": [{"ip": "m", "gpus": 4}]}])")}));
    check_contains(error_of(f.path()),
                   "[0].attempts[0].detail[0].gpus: expected a list of GPUs, found number");
  }
  SUBCASE("status of the wrong type") {
    const TempFile f(kTempPrefix, "status.json",
                     R"([{"jobid": "a", "status": 3, "submitted_time": "2017-10-01 00:00:00"}])");
    check_contains(error_of(f.path()), "[0].status: expected a string, found number");
  }
  SUBCASE("missing file") {
    check_contains(error_of(kPhilly + "no_such_file.json"), "cannot open");
  }
}

TEST_CASE("philly: sniff") {
  CHECK(sniff_philly(
      R"([{"status": "Pass", "jobid": "x", "attempts": [], "submitted_time": null}])", "x.json"));
  CHECK(sniff_philly("\xEF\xBB\xBF\n  [\n{\"attempts\": [], \"submitted_time\": \"\"}]", "x"));
  CHECK_FALSE(sniff_philly(R"({"attempts": [], "submitted_time": null})", "x.json"));  // not a list
  CHECK_FALSE(sniff_philly(R"([{"id": 1, "subtime": 0}])", "x.json"));
  CHECK_FALSE(sniff_philly("job_id,submit_time,num_gpus,duration\na,0,1,60\n", "x.csv"));
  CHECK_FALSE(sniff_philly("", "x"));
  // The other readers' sniffs leave Philly logs alone.
  const std::string head = content_of(kPhilly + "cluster_job_log.json");
  CHECK(sniff_philly(head, "cluster_job_log.json"));
  CHECK_FALSE(sniff_helios(head, "cluster_job_log.json"));
  CHECK_FALSE(sniff_tiresias(head, "cluster_job_log.json"));
}

TEST_CASE("trace time: calendar date-times as UTC seconds") {
  double s = -1;
  CHECK(parse_datetime("1970-01-01 00:00:00", s));
  CHECK(s == 0);
  CHECK(parse_datetime("2017-10-07 01:11:39", s));
  CHECK(s == 1507338699);  // date -u -d '2017-10-07 01:11:39' +%s
  CHECK(parse_datetime("2020-02-29T23:59:59", s));
  CHECK(s == 1583020799);  // leap day, 'T' separator
  CHECK(parse_datetime("2023-11-16 18:17:03.5", s));
  CHECK(s == 1700158623.5);
  CHECK(parse_datetime("1969-12-31 23:59:59", s));
  CHECK(s == -1);
  for (const char* bad :
       {"", "2017-10-07", "2017-10-07 01:11", "2017-10-07 01:11:39 ", "2017-10-07 1:11:39",
        "2017/10/07 01:11:39", "2019-02-29 00:00:00", "2017-00-10 00:00:00", "2017-10-07 24:00:00",
        "2017-10-07 23:60:00", "2017-10-07 01:11:39.", "2017-10-07 01:11:39Z", "1507338699"}) {
    CHECK_MESSAGE(!parse_datetime(bad, s), bad);
  }
  CHECK(is_missing_time(""));
  CHECK(is_missing_time("None"));
  CHECK(is_missing_time("NaT"));
  CHECK_FALSE(is_missing_time("0"));
}

TEST_CASE("philly: the real cluster_job_log when it is there") {
  // The raw log (msr-fiddle/philly-traces, trace-data.tar.gz) is not in /work/shared (Git LFS,
  // 1 GB); when someone puts it at this path, read it whole.
  const std::string path = "/work/shared/traces/philly/cluster_job_log";
  if (!std::filesystem::exists(path)) {
    MESSAGE("skipped: " << path << " is absent");
    return;
  }
  const Workload w = read_philly(path, {});
  CHECK(w.jobs.size() > 100000);  // 117,325 jobs in the log, minus the dropped ones
  CHECK(meta(w, "epoch_first_submit").starts_with("2017-"));
}
