#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "format_test_support.hpp"
#include "suanli/workload/trace_format.hpp"

using namespace suanli::workload;
using namespace suanli::testing;

namespace {

const std::string kHelios = std::string(SUANLI_FIXTURES) + "/traces/helios/";
const std::string kHeader =
    "job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,duration,"
    "queue\n";

// Temporary files of this test file are suanli_helios_<pid>_<name>.
const std::string kTempPrefix = "suanli_helios";

std::string error_of(const std::string& path) {
  return input_error_of([&] { read_helios(path, {}); }, path);
}

}  // namespace

TEST_CASE("helios: the fixture log, row by row") {
  const std::string path = kHelios + "cluster_log.csv";
  const Workload w =
      read_checked([](const std::string& p) { return read_helios(p, {}); }, path, "helios");
  CHECK(w.ignored_columns.empty());  // vc, cpu_num, node_num, queue are known, just unused
  REQUIRE(w.jobs.size() == 6);

  // Time 0 = the earliest submission, 18:40:00 on line 4: a CPU-only row, itself dropped.
  const Job& a = w.jobs[0];  // the README's first example row
  // submit_s: 18:41:01 - 18:40:00
  // duration_s: the duration column
  check_job(a, {"1425511", 2, 61, 1, 36848});
  CHECK(a.trace_state == "COMPLETED");
  CHECK(a.user == "uXBbc");
  CHECK(a.started_in_trace);
  CHECK(a.job_type.empty());

  const Job& b = w.jobs[1];
  CHECK(b.id == "1425512");
  CHECK(b.submit_s == 87);
  CHECK(b.num_gpus == 4);
  CHECK(b.duration_s == 249);
  CHECK(b.trace_state == "FAILED");

  const Job& c = w.jobs[2];  // duration 0: cancelled before it ran
  check_job(c, {"1425514", 5, 120, 8, 0});
  CHECK_FALSE(c.started_in_trace);
  CHECK(c.trace_state == "CANCELLED");

  const Job& d = w.jobs[3];  // quoted user with a comma, gpu_num "2.0", duration left empty
  CHECK(d.id == "1425515");
  CHECK(d.user == "u,quoted");
  CHECK(d.num_gpus == 2);
  CHECK(d.duration_s == 3600);  // end - start = 19:44:00 - 18:44:00
  CHECK(d.started_in_trace);
  CHECK(d.trace_state == "TIMEOUT");

  const Job& e = w.jobs[4];  // no start, no end, no duration: never started
  CHECK(e.id == "1425516");
  CHECK(e.line == 7);
  CHECK_FALSE(e.started_in_trace);
  CHECK(e.duration_s == 0);

  const Job& f = w.jobs[5];  // after a blank line; runs across midnight
  // submit_s: 23:59:00 - 18:40:00 = 5 h 19 min
  check_job(f, {"1425518", 10, 19140, 16, 30});

  const std::vector<std::pair<std::string, std::string>> expected = {
      {"epoch_first_submit", "2020-06-09 18:40:00"},
      {"dropped_cpu_only", "1"},        // line 4
      {"dropped_no_submit_time", "1"},  // line 11
      {"dropped_no_end_time", "1"},     // line 8: started 18:46:00, end NaT, no duration
  };
  CHECK(w.metadata == expected);
}

TEST_CASE("helios: keep_unstarted false drops and counts the jobs that never ran") {
  ReadOptions options;
  options.keep_unstarted = false;
  const Workload w = read_helios(kHelios + "cluster_log.csv", options);
  REQUIRE(w.jobs.size() == 4);  // lines 5 and 7 go
  for (const Job& j : w.jobs) CHECK(j.started_in_trace);
  CHECK(meta(w, "dropped_never_started") == "2");
  CHECK(meta(w, "epoch_first_submit") == "2020-06-09 18:40:00");  // times do not move
  CHECK(w.jobs[3].submit_s == 19140);
}

TEST_CASE("helios: epoch-number times") {
  const Workload w = read_helios(kHelios + "cluster_log_epoch.csv", {});
  REQUIRE(w.jobs.size() == 3);
  CHECK(meta(w, "epoch_first_submit") == "1591728000");  // line 3's submission
  CHECK(w.jobs[0].submit_s == 61);
  CHECK(w.jobs[0].duration_s == 36848);  // empty duration: 1591764909 - 1591728061
  CHECK(w.jobs[1].submit_s == 0);
  CHECK(w.jobs[1].duration_s == 249);
  CHECK(w.jobs[1].num_gpus == 8);
  CHECK(w.jobs[2].submit_s == 100.5);
  CHECK_FALSE(w.jobs[2].started_in_trace);
}

TEST_CASE("helios: byte order mark, CRLF, columns in another order, unknown columns") {
  const TempFile f(kTempPrefix, "crlf.csv",
                   "\xEF\xBB\xBF"
                   "state,job_id,gpu_num,node_num,submit_time,duration,jobname\r\n"
                   "COMPLETED,9,2,1,2020-04-01 00:00:10,100,\"train, v2\"\r\n"
                   "FAILED,10,1,1,2020-04-01 00:00:00,5,x");  // no final line break
  const Workload w = read_helios(f.path(), {});
  REQUIRE(w.jobs.size() == 2);
  CHECK(w.ignored_columns == std::vector<std::string>{"jobname"});
  CHECK(w.jobs[0].id == "9");
  CHECK(w.jobs[0].submit_s == 10);
  CHECK(w.jobs[0].duration_s == 100);
  CHECK(w.jobs[0].trace_state == "COMPLETED");
  CHECK(w.jobs[0].user.empty());
  CHECK(w.jobs[1].line == 3);
}

TEST_CASE("helios: errors name the file, the line and the column") {
  const std::string ok_times = "2020-06-09 18:41:01,2020-06-09 18:41:01,2020-06-09 18:45:01";
  const auto job_row = [&](const std::string& id, const std::string& gpus,
                           const std::string& duration) {
    return id + ",u,v," + gpus + ",1,1,COMPLETED," + ok_times + "," + duration + ",0\n";
  };
  // Each file is the Helios header and then these rows.
  std::vector<ContentError> cases = {
      {"gpu_x.csv", job_row("1", "x", "240"), ":2: gpu_num: 'x' is not a number"},
      {"gpu_half.csv", job_row("1", "1.5", "240"),
       ":2: gpu_num: '1.5' is not a whole number of GPUs"},
      {"gpu_neg.csv", job_row("1", "-2", "240"), ":2: gpu_num: must be >= 0, got '-2'"},
      {"gpu_empty.csv", job_row("1", "", "240"), ":2: gpu_num: missing value"},
      {"id.csv", job_row("", "1", "240"), ":2: job_id: missing value"},
      {"date.csv", "1,u,v,1,1,1,COMPLETED,2020-06-31 00:00:00,2020-06-09 18:41:01,,,0\n",
       ":2: submit_time: '2020-06-31 00:00:00' is neither a date-time 'YYYY-MM-DD HH:MM:SS' "
       "nor a number of seconds"},
      {"mixed.csv", job_row("1", "1", "240") + "2,u,v,1,1,1,COMPLETED,1591728000,,,,\n",
       ":3: submit_time: '1591728000' is not a date-time 'YYYY-MM-DD HH:MM:SS' like "
       "the column's first value (line 2)"},
      {"dur.csv", job_row("1", "1", "4m"), ":2: duration: '4m' is not a number"},
      {"dur_neg.csv", job_row("1", "1", "-1"), ":2: duration: must be >= 0, got '-1'"},
      {"backwards.csv",
       "1,u,v,1,1,1,COMPLETED,2020-06-09 18:41:01,2020-06-09 18:45:01,2020-06-09 18:41:01,,0\n",
       ":2: end_time: '2020-06-09 18:41:01' is before start_time '2020-06-09 18:45:01'"},
      {"kinds.csv", "1,u,v,1,1,1,COMPLETED,2020-06-09 18:41:01,2020-06-09 18:45:01,1591728000,,0\n",
       ":2: end_time: start_time and end_time are written differently"},
      {"count.csv", "1,u,v,1,1,1,COMPLETED," + ok_times + ",240\n",
       ":2: expected 12 fields as in the header (line 1), found 11"},
      {"quote.csv", "1,\"u,v,1,1,1,COMPLETED," + ok_times + ",240,0\n",
       ":2: user: unterminated quoted field"},
      {"dup.csv", job_row("7", "1", "240") + "\n" + job_row("7", "1", "240"),
       ":4: job_id: duplicate job id '7' (first on line 2)"},
  };
  for (ContentError& c : cases) c.content.insert(0, kHeader);
  check_content_errors(kTempPrefix, cases, error_of);
}

TEST_CASE("helios: header errors") {
  check_content_errors(
      kTempPrefix,
      {
          {"no_gpu.csv", "job_id,state,submit_time,duration\n1,A,0,1\n",
           ":1: gpu_num: required column missing from the header"},
          {"no_dur.csv", "job_id,gpu_num,submit_time,start_time\n1,1,0,0\n",
           ":1: duration: column missing: the header needs duration, or start_time and end_time"},
          {"empty.csv", "\n\n", ": no header line"},
          {"dupcol.csv", "job_id,gpu_num,submit_time,duration,gpu_num\n",
           ":1: gpu_num: duplicate column in the header"},
      },
      error_of);
}

TEST_CASE("helios: sniff") {
  CHECK(sniff_helios(head_of(kHelios + "cluster_log.csv"), "cluster_log.csv"));
  CHECK(sniff_helios(head_of(kHelios + "cluster_log_epoch.csv"), "x.csv"));
  CHECK(sniff_helios("\xEF\xBB\xBF# a comment\n\n\"job_id\", \"gpu_num\" ,node_num,state\r\n",
                     "x.csv"));
  CHECK_FALSE(sniff_helios("job_id,gpu_num_x,node_num,state\n", "x.csv"));
  CHECK_FALSE(sniff_helios("job_id,submit_time,num_gpus,duration,state\n", "x.csv"));  // native
  CHECK_FALSE(sniff_helios(head_of(std::string(SUANLI_FIXTURES) + "/traces/tiresias/jobs.csv"),
                           "jobs.csv"));
  CHECK_FALSE(sniff_helios("x\njob_id,gpu_num,node_num,state\n", "x.csv"));  // header = line 1
  CHECK_FALSE(sniff_native(head_of(kHelios + "cluster_log.csv"), "cluster_log.csv"));
  CHECK_FALSE(sniff_tiresias(head_of(kHelios + "cluster_log.csv"), "cluster_log.csv"));
  CHECK_FALSE(sniff_philly(head_of(kHelios + "cluster_log.csv"), "cluster_log.csv"));
}

TEST_CASE("helios: the real files in /work/shared") {
  const std::filesystem::path dir = "/work/shared/traces/helios_samples";
  if (!std::filesystem::exists(dir)) {
    MESSAGE("skipped: " << dir << " is absent");
    return;
  }
  // The raw job logs (HeliosData data.zip) are not there; read any cluster_log.csv that is.
  bool found_log = false;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".csv") continue;
    const std::string path = entry.path().string();
    if (entry.path().filename() == "cluster_log.csv") {
      found_log = true;
      const Workload w = read_helios(path, {});
      CHECK(!w.jobs.empty());
      CHECK(meta(w, "epoch_first_submit").starts_with("2020-"));
    } else {
      // The derived aggregates (per-VC GPU counts, sequences, summaries) are no job logs:
      // the trace sniffers must not claim them.
      const std::string head = head_of(path);
      CHECK_MESSAGE(!sniff_helios(head, path), path);
      CHECK_MESSAGE(!sniff_tiresias(head, path), path);
      CHECK_MESSAGE(!sniff_philly(head, path), path);
    }
  }
  if (!found_log) MESSAGE("no Helios cluster_log.csv under " << dir << ": only aggregates checked");
}
