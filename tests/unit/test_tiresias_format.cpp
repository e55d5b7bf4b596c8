#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "format_test_support.hpp"
#include "suanli/workload/trace_format.hpp"

using namespace suanli::workload;
using namespace suanli::testing;

namespace {

const std::string kTiresias = std::string(SUANLI_FIXTURES) + "/traces/tiresias/";
const std::string kShared = "/work/shared/traces/tiresias_sim/";
const std::string kHeader = "job_id,num_gpu,submit_time,iterations,model_name,duration,interval\n";

// Temporary files of this test file are suanli_tiresias_<pid>_<name>.
const std::string kTempPrefix = "suanli_tiresias";

std::string error_of(const std::string& path) {
  return input_error_of([&] { read_tiresias(path, {}); }, path);
}

}  // namespace

TEST_CASE("tiresias: the fixture trace, row by row") {
  const std::string path = kTiresias + "jobs.csv";
  const Workload w =
      read_checked([](const std::string& p) { return read_tiresias(p, {}); }, path, "tiresias");
  CHECK(w.ignored_columns.empty());  // iterations and interval are known, just unused
  REQUIRE(w.jobs.size() == 4);

  // Time 0 = the earliest submission, 50 on line 4 (a 0-GPU row, itself dropped).
  const Job& a = w.jobs[0];
  // submit_s: 100 - 50
  check_job(a, {"0", 2, 50, 1, 164});
  CHECK(a.job_type == "vgg19");
  CHECK(a.started_in_trace);
  CHECK(a.trace_state.empty());
  CHECK(a.user.empty());

  const Job& b = w.jobs[1];  // quoted model name
  CHECK(b.submit_s == 80);
  CHECK(b.num_gpus == 8);
  CHECK(b.job_type == "resnet50");

  const Job& c = w.jobs[2];  // num_gpu "4.0", empty model_name
  CHECK(c.id == "3");
  CHECK(c.line == 5);
  CHECK(c.num_gpus == 4);
  CHECK(c.submit_s == 103);
  CHECK(c.job_type.empty());

  const Job& d = w.jobs[3];  // quoted id with a comma, fractional times
  CHECK(d.id == "job,4");
  CHECK(d.submit_s == 150.5);
  CHECK(d.duration_s == 121.5);
  CHECK(d.job_type == "inception4");

  const std::vector<std::pair<std::string, std::string>> expected = {{"epoch_first_submit", "50"},
                                                                     {"dropped_cpu_only", "1"}};
  CHECK(w.metadata == expected);
}

TEST_CASE("tiresias: other column sets") {
  SUBCASE("tf_job.csv style: no iterations, extra columns") {
    const Workload w = read_tiresias(kTiresias + "tf_job.csv", {});
    CHECK(w.ignored_columns ==
          std::vector<std::string>{"start_time", "model_size", "aggr_interval", "model_scale"});
    REQUIRE(w.jobs.size() == 2);
    CHECK(w.jobs[0].submit_s == 0);  // 11 - 11
    CHECK(w.jobs[0].num_gpus == 12);
    CHECK(w.jobs[0].duration_s == 20);
    CHECK(w.jobs[0].job_type == "vgg19");
    CHECK(w.jobs[1].submit_s == 4);
    CHECK(meta(w, "epoch_first_submit") == "11");
  }
  SUBCASE("only the four required columns") {
    const Workload w = read_tiresias(kTiresias + "minimal.csv", {});
    REQUIRE(w.jobs.size() == 2);
    CHECK(w.jobs[1].submit_s == 10);
    CHECK(w.jobs[1].duration_s == 120);
    CHECK(w.jobs[1].job_type.empty());
  }
  SUBCASE("byte order mark, CRLF, comments, no final line break") {
    const TempFile f(kTempPrefix, "crlf.csv",
                     "\xEF\xBB\xBF# from a test\r\n" + std::string("job_id,num_gpu,") +
                         "submit_time,iterations,model_name,duration,interval\r\n" +
                         "\r\n7,2,5,10,vgg16,60,0\r\n8,1,3,10,vgg16,30,0");
    const Workload w = read_tiresias(f.path(), {});
    REQUIRE(w.jobs.size() == 2);
    CHECK(w.jobs[0].line == 4);
    CHECK(w.jobs[0].submit_s == 2);
    CHECK(w.jobs[1].submit_s == 0);
    CHECK(w.jobs[1].job_type == "vgg16");
  }
  SUBCASE("keep_unstarted does not matter: every job runs") {
    ReadOptions options;
    options.keep_unstarted = false;
    CHECK(read_tiresias(kTiresias + "jobs.csv", options).jobs.size() == 4);
  }
}

TEST_CASE("tiresias: errors name the file, the line and the column") {
  check_content_errors(
      kTempPrefix,
      {
          {"gpu.csv", kHeader + "0,x,0,1,vgg19,10,0\n", ":2: num_gpu: 'x' is not a number"},
          {"gpu_half.csv", kHeader + "0,0.5,0,1,vgg19,10,0\n",
           ":2: num_gpu: '0.5' is not a whole number of GPUs"},
          {"gpu_neg.csv", kHeader + "0,-1,0,1,vgg19,10,0\n", ":2: num_gpu: must be >= 0, got '-1'"},
          {"submit.csv", kHeader + "0,1,0,1,vgg19,10,0\n1,1,,1,vgg19,10,0\n",
           ":3: submit_time: missing value"},
          {"submit_date.csv", kHeader + "0,1,2020-01-01 00:00:00,1,a,10,0\n",
           ":2: submit_time: '2020-01-01 00:00:00' is not a number"},
          {"dur.csv", kHeader + "0,1,0,1,vgg19,-3,0\n", ":2: duration: must be >= 0, got '-3'"},
          {"dur_empty.csv", kHeader + "0,1,0,1,vgg19,,0\n", ":2: duration: missing value"},
          {"id.csv", kHeader + ",1,0,1,vgg19,10,0\n", ":2: job_id: missing value"},
          {"dup.csv", kHeader + "5,1,0,1,a,10,0\n5,2,0,1,a,10,0\n",
           ":3: job_id: duplicate job id '5' (first on line 2)"},
          {"count.csv", kHeader + "0,1,0,1,vgg19,10\n",
           ":2: expected 7 fields as in the header (line 1), found 6"},
          {"quote.csv", kHeader + "0,1,0,1,\"vgg19,10,0\n",
           ":2: model_name: unterminated quoted field"},
          {"no_dur.csv", "job_id,num_gpu,submit_time\n0,1,0\n",
           ":1: duration: required column missing from the header"},
          {"empty.csv", "", ": no header line"},
          {"yarn.csv", "duration\r\n121\r\n",
           ":1: a single 'duration' column is a Tiresias GPU-time distribution"},
      },
      error_of);
}

TEST_CASE("tiresias: sniff") {
  CHECK(sniff_tiresias(head_of(kTiresias + "jobs.csv"), "jobs.csv"));
  CHECK(sniff_tiresias("\xEF\xBB\xBF" + kHeader, "x.csv"));
  // tf_job.csv style has no iterations column: read it with --format tiresias.
  CHECK_FALSE(sniff_tiresias(head_of(kTiresias + "tf_job.csv"), "tf_job.csv"));
  CHECK_FALSE(sniff_tiresias(head_of(kTiresias + "minimal.csv"), "minimal.csv"));
  // suanli's native header says num_gpus, not num_gpu, and has no model_name.
  CHECK_FALSE(sniff_tiresias("job_id,submit_time,num_gpus,duration,model_name,iterations\n", "x"));
  CHECK_FALSE(sniff_tiresias("duration\n121\n", "yarn-gput1000.csv"));
  CHECK_FALSE(sniff_helios(head_of(kTiresias + "jobs.csv"), "jobs.csv"));
  CHECK_FALSE(sniff_philly(head_of(kTiresias + "jobs.csv"), "jobs.csv"));
  CHECK_FALSE(sniff_native(head_of(kTiresias + "jobs.csv"), "jobs.csv"));
}

TEST_CASE("tiresias: the real simulator files in /work/shared") {
  if (!std::filesystem::exists(kShared + "60_job.csv")) {
    MESSAGE("skipped: " << kShared << "60_job.csv is absent");
    return;
  }
  const std::string path = kShared + "60_job.csv";  // CRLF line endings
  CHECK(sniff_tiresias(head_of(path), path));
  const Workload w = read_tiresias(path, {});
  REQUIRE(w.jobs.size() == 60);
  // Figures from the file itself (MANIFEST.md; recomputed with Python's csv module):
  // num_gpu {1: 30, 2: 10, 4: 10, 8: 10}, submit 0..1779 s, durations 121..1800 s summing to
  // 10,705 s, 10 models.
  std::map<int, int> sizes;
  std::set<std::string> models;
  double total = 0, last_submit = 0;
  for (const Job& j : w.jobs) {
    ++sizes[j.num_gpus];
    models.insert(j.job_type);
    total += j.duration_s;
    last_submit = std::max(last_submit, j.submit_s);
  }
  CHECK(sizes == std::map<int, int>{{1, 30}, {2, 10}, {4, 10}, {8, 10}});
  CHECK(models.size() == 10);
  CHECK(total == 10705);
  CHECK(last_submit == 1779);
  CHECK(w.jobs[0].job_type == "vgg19");
  CHECK(w.jobs[59].id == "59");
  CHECK(w.jobs[59].line == 61);
  CHECK(meta(w, "epoch_first_submit") == "0");

  // The GPU-time samples and cluster specs next to it are no job traces.
  for (const char* name :
       {"yarn-gput1000.csv", "yarn-gput5000.csv", "cluster_spec.csv", "n32g4.csv", "n160g8.csv"}) {
    const std::string other = kShared + name;
    if (!std::filesystem::exists(other)) continue;
    const std::string head = head_of(other);
    CHECK_MESSAGE(!sniff_tiresias(head, other), other);
    CHECK_MESSAGE(!sniff_helios(head, other), other);
    CHECK_MESSAGE(!sniff_philly(head, other), other);
  }
  if (std::filesystem::exists(kShared + "yarn-gput1000.csv")) {
    check_contains(error_of(kShared + "yarn-gput1000.csv"), "GPU-time distribution");
  }
}

TEST_CASE("philly, helios, tiresias: auto-detection through the registry") {
  // Every sniff in the registry runs on these files; only the right reader may claim each.
  const std::string traces = std::string(SUANLI_FIXTURES) + "/traces/";
  const std::vector<std::pair<std::string, std::string>> files = {
      {traces + "philly/cluster_job_log.json", "philly"},
      {traces + "helios/cluster_log.csv", "helios"},
      {traces + "helios/cluster_log_epoch.csv", "helios"},
      {traces + "tiresias/jobs.csv", "tiresias"},
  };
  for (const auto& [path, format] : files) {
    CHECK_MESSAGE(read_workload(path, "", {}).format == format, path);
  }
  if (std::filesystem::exists(kShared + "60_job.csv")) {
    CHECK(read_workload(kShared + "60_job.csv", "", {}).format == "tiresias");
  }
  // Given by name, a file no sniff claims is read too.
  CHECK(read_workload(kTiresias + "tf_job.csv", "tiresias", {}).jobs.size() == 2);
}
