#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "format_test_support.hpp"
#include "suanli/common/input_error.hpp"
#include "suanli/workload/trace_format.hpp"

using suanli::InputError;
using namespace suanli::workload;
using namespace suanli::testing;

namespace {

const std::string kAlibaba = std::string(SUANLI_FIXTURES) + "/traces/alibaba/";
const std::string kHeader =
    "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,"
    "deletion_time,scheduled_time\n";

// Temporary files of this test file are suanli_alibaba_<pid>_<name>.
const std::string kTempPrefix = "suanli_alibaba";

std::string alibaba_error(const std::string& path) {
  return input_error_of([&] { read_alibaba_gpu_2023(path, ReadOptions{}); }, path);
}

const Job* find_job(const Workload& w, const std::string& id) {
  for (const Job& j : w.jobs) {
    if (j.id == id) return &j;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("alibaba-gpu-2023: pods become jobs from scheduled_time to deletion_time") {
  for (const bool keep_unstarted : {true, false}) {
    CAPTURE(keep_unstarted);
    ReadOptions o;
    o.keep_unstarted = keep_unstarted;  // the Pending pod is dropped either way
    const Workload w = read_alibaba_gpu_2023(kAlibaba + "pod_list.csv", o);
    CHECK(w.format == "alibaba-gpu-2023");
    CHECK(w.ignored_columns.empty());
    // 9 rows: 0002 and 0008 ask for no GPU, 0003 was never scheduled (Pending).
    REQUIRE(w.jobs.size() == 7);
    CHECK(find_job(w, "openb-pod-0003") == nullptr);
    CHECK(find_job(w, "openb-pod-0008") == nullptr);

    // Time 0 is the earliest creation_time over all rows, dropped ones included: 50, of the
    // CPU-only pod-0002. pod-0000: created 100 -> submit 50; 1 whole GPU, scheduled at 100,
    // deleted at 5000 -> 4900 s; asks 12 cores and 16 GiB beside it.
    const Job& a = w.jobs[0];
    CHECK(a.cpu_milli == 12000);
    CHECK(a.memory_mib == 16384);
    CHECK(a.is_pod());
    CHECK(a.id == "openb-pod-0000");
    CHECK(a.line == 2);
    CHECK(a.submit_s == doctest::Approx(50));
    CHECK(a.num_gpus == 1);
    CHECK(a.gpu_milli == 0);
    CHECK(a.duration_s == doctest::Approx(4900));
    CHECK(a.trace_state == "Running");
    CHECK(a.started_in_trace);
    CHECK(a.gpu_type.empty());
    CHECK(a.user.empty());
    CHECK(a.reference_gpu.empty());
    CHECK(a.priority == 0);

    // pod-0001: 460 thousandths of one GPU; created 200 (submit 150), scheduled 250, deleted
    // 9000 = the trace's last timestamp while Running -> 8750 s, censored.
    const Job& b = w.jobs[1];
    CHECK(b.id == "openb-pod-0001");
    CHECK(b.submit_s == doctest::Approx(150));
    CHECK(b.gpu_milli == 460);
    CHECK(b.duration_s == doctest::Approx(8750));

    // pod-0002: CPU-only (4 cores, 8 GiB, no GPU), scheduled at its creation, 50 -> submit 0,
    // runs 8000 - 50 = 7950 s.
    const Job& cpu = w.jobs[2];
    CHECK((cpu.id == "openb-pod-0002" && cpu.num_gpus == 0 && cpu.submit_s == 0));
    CHECK((cpu.cpu_milli == 4000 && cpu.memory_mib == 8192));
    CHECK(cpu.duration_s == doctest::Approx(7950));

    // pod-0004 (quoted name and gpu_spec): 8 GPUs, created 400 -> submit 350, runs
    // 2400 - 450 = 1950 s; the alternatives list is kept as written.

    const Job& c = w.jobs[3];
    CHECK(c.id == "openb-pod-0004");
    CHECK(c.line == 6);
    CHECK(c.num_gpus == 8);
    CHECK(c.gpu_milli == 0);
    CHECK(c.submit_s == doctest::Approx(350));
    CHECK(c.duration_s == doctest::Approx(1950));
    CHECK(c.gpu_type == "V100M16|V100M32");
    CHECK(c.trace_state == "Succeeded");

    // pod-0005: 2 GPUs of model G2, Failed after 700 - 520 = 180 s.
    const Job& d = w.jobs[4];
    CHECK(d.id == "openb-pod-0005");
    CHECK(d.num_gpus == 2);
    CHECK(d.gpu_type == "G2");
    CHECK(d.trace_state == "Failed");
    CHECK(d.duration_s == doctest::Approx(180));
    CHECK(d.submit_s == doctest::Approx(450));

    // pod-0006: no deletion_time: runs to the last timestamp, 9000 - 600 = 8400 s, censored;
    // gpu_spec "nan" means no constraint.
    const Job& e = w.jobs[5];
    CHECK(e.id == "openb-pod-0006");
    CHECK(e.gpu_milli == 220);
    CHECK(e.gpu_type.empty());
    CHECK(e.duration_s == doctest::Approx(8400));

    // pod-0007: gpu_milli 0 on one GPU is taken as the whole GPU (and counted).
    const Job& f = w.jobs[6];
    CHECK(f.id == "openb-pod-0007");
    CHECK(f.gpu_milli == 0);
    CHECK(f.duration_s == doctest::Approx(1000));

    CHECK(w.metadata.front().first == "epoch_first_submit");
    CHECK(meta(w, "epoch_first_submit") == "50");
    CHECK(meta(w, "cpu_only") == "1");
    CHECK(meta(w, "dropped_unstarted") == "2");  // pod-0003 and the CPU-only pod-0008
    CHECK(meta(w, "censored_running") == "2");
    CHECK(meta(w, "gpu_milli_ignored") == "1");
    CHECK(meta(w, "gpu_spec_alternatives") == "1");
    CHECK(meta(w, "dropped_zero_duration") == "(absent)");
  }
}

TEST_CASE("alibaba-gpu-2023: quirks") {
  SUBCASE("scheduled at 0 is scheduled; CRLF; BOM; unknown and missing optional columns") {
    TempFile f(kTempPrefix, "quirks.csv",
               "\xEF\xBB\xBFname,num_gpu,creation_time,scheduled_time,deletion_time,"
               "extra\r\n"
               "p0,1.0,0,0,10,x\r\n"
               "\r\n"
               "p1,4,5,,,y\r\n"
               "p2,2,7,8,12,z");
    const Workload w = read_alibaba_gpu_2023(f.path(), ReadOptions{});
    CHECK(w.ignored_columns == std::vector<std::string>{"extra"});
    REQUIRE(w.jobs.size() == 2);
    CHECK(w.jobs[0].id == "p0");
    CHECK(w.jobs[0].num_gpus == 1);
    CHECK(w.jobs[0].duration_s == doctest::Approx(10));
    CHECK(w.jobs[0].trace_state.empty());  // no pod_phase column
    CHECK(w.jobs[1].id == "p2");
    CHECK(w.jobs[1].line == 5);
    CHECK(w.jobs[1].submit_s == doctest::Approx(7));
    CHECK(w.jobs[1].duration_s == doctest::Approx(4));
    CHECK(meta(w, "dropped_unstarted") == "1");
    CHECK(meta(w, "censored_running") == "(absent)");  // zero counts are not listed
  }
  SUBCASE("zero run time is dropped and counted") {
    TempFile f(kTempPrefix, "zero.csv",
               kHeader +
                   "p0,1000,1024,1,1000,,LS,Succeeded,0,10,10\n"
                   "p1,1000,1024,1,1000,,LS,Running,5,20,5\n"
                   "p2,1000,1024,1,500,,LS,Running,20,,20\n");
    // p0 ends where it starts; p2 has no end and starts at the last timestamp (20).
    const Workload w = read_alibaba_gpu_2023(f.path(), ReadOptions{});
    REQUIRE(w.jobs.size() == 1);
    CHECK(w.jobs[0].id == "p1");
    CHECK(w.jobs[0].submit_s == 5);  // time 0 = p0's creation, though p0 is dropped
    CHECK(w.jobs[0].duration_s == doctest::Approx(15));
    CHECK(meta(w, "dropped_zero_duration") == "2");
    CHECK(meta(w, "censored_running") == "1");  // p1 is Running until the last timestamp
    CHECK(meta(w, "epoch_first_submit") == "0");
  }
  SUBCASE("only dropped rows: no jobs, no error") {
    TempFile f(kTempPrefix, "pending.csv", kHeader + "p0,1000,1024,0,0,,BE,Pending,0,10,\n");
    const Workload w = read_alibaba_gpu_2023(f.path(), ReadOptions{});
    CHECK(w.jobs.empty());
    CHECK(meta(w, "dropped_unstarted") == "1");
    CHECK(meta(w, "epoch_first_submit") == "0");
  }
}

TEST_CASE("alibaba-gpu-2023: errors name the file, the line and the column") {
  SUBCASE("the multigpu50 variant has no times") {
    const std::string m = alibaba_error(kAlibaba + "pod_list_no_times.csv");
    check_contains(m,
                   "pod_list_no_times.csv:1: creation_time: column missing: this pod list "
                   "has no times");
  }
  SUBCASE("header") {
    TempFile f(kTempPrefix, "h.csv", "name,cpu_milli,creation_time\n");
    check_contains(alibaba_error(f.path()), ":1: num_gpu: required column missing from the header");
    TempFile g(kTempPrefix, "h2.csv", "name,num_gpu,creation_time,deletion_time\n");
    check_contains(alibaba_error(g.path()),
                   ":1: scheduled_time: required column missing from the header");
    TempFile d(kTempPrefix, "h3.csv", "name,num_gpu,num_gpu\n");
    check_contains(alibaba_error(d.path()), ":1: num_gpu: duplicate column in the header");
    TempFile e(kTempPrefix, "h4.csv", "");
    check_contains(alibaba_error(e.path()), ": no header line");
  }
  SUBCASE("bad rows") {
    struct Case {
      std::string row, expected;
    };
    const std::vector<Case> cases = {
        {"p9,1000,1024,x,1000,,LS,Running,0,10,0", ":3: num_gpu: 'x' is not a number"},
        {"p9,1000,1024,1.5,1000,,LS,Running,0,10,0", ":3: num_gpu: '1.5' is not a whole number"},
        {"p9,1000,1024,-1,1000,,LS,Running,0,10,0", ":3: num_gpu: must be >= 0, got '-1'"},
        {"p9,1000,1024,,1000,,LS,Running,0,10,0", ":3: num_gpu: missing value"},
        {"p9,1000,1024,1,1500,,LS,Running,0,10,0",
         ":3: gpu_milli: must be in [0, 1000] (thousandths of one GPU), got '1500'"},
        {",1000,1024,1,1000,,LS,Running,0,10,0", ":3: name: missing value"},
        {"p0,1000,1024,1,1000,,LS,Running,0,10,0",
         ":3: name: duplicate pod name 'p0' (first on line 2)"},
        {"p9,1000,1024,1,1000,,LS,Running,,10,0", ":3: creation_time: missing value"},
        {"p9,1000,1024,1,1000,,LS,Running,0,soon,0", ":3: deletion_time: 'soon' is not a number"},
        {"p9,1000,1024,1,1000,,LS,Running,0,10,20",
         ":3: deletion_time: is before scheduled_time ('10' < '20')"},
        {"p9,1000,1024,1,1000,,LS,Running,30,40,20",
         ":3: scheduled_time: is before creation_time ('20' < '30')"},
        {"p9,1000,1024,1,1000,,LS,Pending,30,20,",
         ":3: deletion_time: is before creation_time ('20' < '30')"},
        {"p9,1000,1024,1,1000,,LS,Running,0,10", ":3: expected 11 fields as in the header"},
        {"\"p9,1000,1024,1,1000,,LS,Running,0,10,0",
         ":3: name: unterminated quoted field (quotes must close on the same line)"},
        // A row that is dropped (never scheduled) is checked in full all the same.
        {"p9,1000,1024,0,0,,BE,Pending,0,oops,", ":3: deletion_time: 'oops' is not a number"},
        {"p9,-5,1024,1,1000,,LS,Running,0,10,0", ":3: cpu_milli: must be >= 0, got '-5'"},
        {"p9,1000,1.5,1,1000,,LS,Running,0,10,0", ":3: memory_mib: '1.5' is not a whole number"},
        {"p9,0,0,0,0,,BE,Running,0,10,0",
         ":3: num_gpu: a pod with no GPU must ask for CPUs or memory (cpu_milli, memory_mib)"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.row);
      TempFile f(kTempPrefix, "bad.csv",
                 kHeader + "p0,1000,1024,1,1000,,LS,Running,0,10,0\n" + c.row);
      check_contains(alibaba_error(f.path()), f.path() + c.expected);
    }
  }
  SUBCASE("missing file") {
    check_contains(alibaba_error(kAlibaba + "nope.csv"), "nope.csv: cannot open: ");
  }
}

TEST_CASE("alibaba-gpu-2023: sniff") {
  CHECK(sniff_alibaba_gpu_2023(kHeader + "p0,1,1,1,1000,,LS,Running,0,1,0\n", "x.csv"));
  CHECK(sniff_alibaba_gpu_2023("\xEF\xBB\xBF\n" + kHeader, "x"));
  // The time-less variant is claimed too, so that its read says what is missing.
  CHECK(sniff_alibaba_gpu_2023("name,cpu_milli,memory_mib,num_gpu,gpu_milli\n", "x.csv"));
  CHECK_FALSE(sniff_alibaba_gpu_2023("sn,cpu_milli,memory_mib,gpu,model\n", "nodes.csv"));
  CHECK_FALSE(sniff_alibaba_gpu_2023("job_id,submit_time,num_gpus,duration\n", "w.csv"));
  CHECK_FALSE(sniff_alibaba_gpu_2023("ResNet-18 (batch size 64)\ta\tb\n", "x.trace"));
  CHECK_FALSE(sniff_alibaba_gpu_2023("", "x.csv"));
}

TEST_CASE("alibaba-gpu-2023: the real pod lists (when /work/shared/traces is present)") {
  const std::filesystem::path root = "/work/shared/traces/alibaba_gpu_v2023";
  if (!std::filesystem::exists(root / "openb_pod_list_default.csv")) {
    MESSAGE("skipped: " << root.string() << " is not present");
    return;
  }
  // Counted with Python's csv module: 8152 pods, 897 never scheduled (Pending: 861 GPU pods,
  // 36 CPU-only), so 7255 jobs, 1052 of them CPU-only; the last timestamp is deletion
  // 12902960 and 34 kept Running pods end there (32 with GPUs); 2573 kept pods ask for a
  // share of one GPU. gpushare20: 7312 jobs (840 Pending), 37 censored.
  const Workload w =
      read_alibaba_gpu_2023((root / "openb_pod_list_default.csv").string(), ReadOptions{});
  CHECK(w.jobs.size() == 7255);
  CHECK(meta(w, "cpu_only") == "1052");
  CHECK(meta(w, "dropped_unstarted") == "897");
  CHECK(meta(w, "censored_running") == "34");
  CHECK(meta(w, "epoch_first_submit") == "0");
  CHECK(meta(w, "gpu_milli_ignored") == "(absent)");
  std::size_t shares = 0;
  for (const Job& j : w.jobs) shares += j.gpu_milli > 0 ? 1 : 0;
  CHECK(shares == 2573);
  // openb-pod-0000: created and scheduled at 0 (a 0 here is a time, not "never"), deleted
  // at 12537496.
  REQUIRE(!w.jobs.empty());
  CHECK(w.jobs[0].id == "openb-pod-0000");
  CHECK(w.jobs[0].duration_s == doctest::Approx(12537496));
  CHECK(w.jobs[0].submit_s == 0);

  CHECK(read_workload((root / "openb_pod_list_default.csv").string(), "", ReadOptions{}).format ==
        "alibaba-gpu-2023");

  const Workload share =
      read_alibaba_gpu_2023((root / "openb_pod_list_gpushare20.csv").string(), ReadOptions{});
  CHECK(share.jobs.size() == 7312);
  CHECK(meta(share, "censored_running") == "37");

  const std::string m = alibaba_error((root / "openb_pod_list_multigpu50.csv").string());
  check_contains(m, "openb_pod_list_multigpu50.csv:1: creation_time: column missing");
}

TEST_CASE("alibaba-gpu-2023: detected among all formats") {
  const Workload w = read_workload(kAlibaba + "pod_list.csv", "", ReadOptions{});
  CHECK(w.format == "alibaba-gpu-2023");
  CHECK(w.jobs.size() == 7);
  try {
    read_workload(kAlibaba + "pod_list_no_times.csv", "", ReadOptions{});
    FAIL_CHECK("no InputError");
  } catch (const InputError& e) {
    check_contains(e.what(), "creation_time: column missing");
  }
}
