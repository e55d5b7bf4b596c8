#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "format_test_support.hpp"
#include "suanli/workload/gavel_throughputs.hpp"
#include "suanli/workload/trace_format.hpp"

using namespace suanli::workload;
using namespace suanli::testing;

namespace {

const std::string kGavel = std::string(SUANLI_FIXTURES) + "/traces/gavel/";
const std::string kThroughputs = kGavel + "throughputs.json";

// Temporary files of this test file are suanli_gavel_<pid>_<name>.
const std::string kTempPrefix = "suanli_gavel";

ReadOptions options(const std::string& worker = "v100") {
  ReadOptions o;
  o.throughputs_path = kThroughputs;
  o.reference_worker = worker;
  return o;
}

std::string gavel_error(const std::string& path, const ReadOptions& o = options()) {
  return input_error_of([&] { read_gavel(path, o); }, path);
}

std::string table_error(const std::string& json) {
  return input_error_of([&] { GavelThroughputs::parse(json, "t.json"); }, json);
}

// One 10-field line: job type, steps, scale factor, priority weight, SLO, arrival.
std::string line10(const std::string& job_type, const std::string& steps, const std::string& scale,
                   const std::string& weight = "1", const std::string& slo = "-1.000000",
                   const std::string& arrival = "0", const std::string& needs_data_dir = "1") {
  return job_type +
         "\tpython3 main.py --batch_size 64\timage_classification/cifar10\t--num_steps\t" +
         needs_data_dir + "\t" + steps + "\t" + scale + "\t" + weight + "\t" + slo + "\t" +
         arrival + "\n";
}

// One 7-field line.
std::string line7(const std::string& job_type, const std::string& steps, const std::string& arrival,
                  const std::string& scale) {
  return job_type + "\tcd %s/gpusched && python3 main.py\t--num_steps\t1\t" + steps + "\t" +
         arrival + "\t" + scale + "\n";
}

const std::string kResNet = "ResNet-18 (batch size 64)";

}  // namespace

TEST_CASE("gavel: the 10-field layout, durations from the v100 throughputs") {
  const Workload w = read_checked([](const std::string& p) { return read_gavel(p, options()); },
                                  kGavel + "physical.trace", "gavel");
  REQUIRE(w.jobs.size() == 4);  // line 3 is blank
  CHECK(w.ignored_columns.empty());

  // Line 1: ResNet-18 bs64, 2000 steps on 1 GPU; v100 ('ResNet-18 (batch size 64)', 1) null =
  // 20 steps/s -> 100 s. Arrivals 100, 160.5, 130, 100: the first (smallest) is time 0.
  const Job& a = w.jobs[0];
  CHECK(a.id == "g1");
  CHECK(a.line == 1);
  CHECK(a.submit_s == 0);
  CHECK(a.num_gpus == 1);
  CHECK(a.duration_s == doctest::Approx(100));
  CHECK(a.job_type == kResNet);
  CHECK(a.reference_gpu == "V100");
  CHECK(a.priority == 1);
  CHECK(a.gpu_type.empty());
  CHECK(a.user.empty());
  CHECK(a.trace_state.empty());
  CHECK(a.started_in_trace);
  CHECK(a.gpu_milli == 0);
  CHECK(a.walltime_s == -1);

  // Line 2: Transformer bs128, 5000 steps on 4 GPUs at 40 steps/s -> 125 s; arrives
  // 160.5 - 100 = 60.5 s; priority_weight 2.
  const Job& b = w.jobs[1];
  CHECK(b.id == "g2");
  CHECK(b.submit_s == doctest::Approx(60.5));
  CHECK(b.num_gpus == 4);
  CHECK(b.duration_s == doctest::Approx(125));
  CHECK(b.priority == 2);

  // Line 4: Recommendation bs8192, 1000 steps at 50 steps/s -> 20 s; arrives 30 s;
  // priority_weight 1.5 rounds to 2; its SLO 1.2 is not used.
  const Job& c = w.jobs[2];
  CHECK(c.id == "g4");
  CHECK(c.line == 4);
  CHECK(c.submit_s == doctest::Approx(30));
  CHECK(c.duration_s == doctest::Approx(20));
  CHECK(c.priority == 2);

  // Line 5: ResNet-18 bs64 on 2 GPUs, 3600 steps at 36 steps/s -> 100 s.
  const Job& d = w.jobs[3];
  CHECK(d.id == "g5");
  CHECK(d.num_gpus == 2);
  CHECK(d.duration_s == doctest::Approx(100));

  CHECK(meta(w, "layout") == "10 fields");
  CHECK(meta(w, "epoch_first_submit") == "100");
  CHECK(meta(w, "reference_worker") == "v100");
  CHECK(meta(w, "reference_gpu") == "V100");
  CHECK(meta(w, "throughputs") == kThroughputs);
  CHECK(meta(w, "priority_weight_rounded") == "1");
  CHECK(meta(w, "slo_ignored") == "1");
}

TEST_CASE("gavel: the 7-field layout (Philly-derived msr traces)") {
  const Workload w = read_gavel(kGavel + "msr_vc.trace", options());
  REQUIRE(w.jobs.size() == 4);
  // Transformer bs128, 2500 steps, 1 GPU at 12.5 steps/s -> 200 s, arrives at 0.
  CHECK(w.jobs[0].id == "g1");
  CHECK(w.jobs[0].submit_s == 0);
  CHECK(w.jobs[0].duration_s == doctest::Approx(200));
  CHECK(w.jobs[0].priority == 0);  // no priority_weight in this layout
  // A3C (no "batch size" in its name), 400 steps at 4 steps/s -> 100 s, arrives 6 s.
  CHECK(w.jobs[1].job_type == "A3C");
  CHECK(w.jobs[1].submit_s == doctest::Approx(6));
  CHECK(w.jobs[1].duration_s == doctest::Approx(100));
  // ResNet-18 bs64 on 2 GPUs (the command field ends with a blank), 7200 / 36 -> 200 s.
  CHECK(w.jobs[2].num_gpus == 2);
  CHECK(w.jobs[2].duration_s == doctest::Approx(200));
  // Transformer bs128 on 4 GPUs, 100000 / 40 -> 2500 s, arrives 3600.5 s.
  CHECK(w.jobs[3].num_gpus == 4);
  CHECK(w.jobs[3].submit_s == doctest::Approx(3600.5));
  CHECK(w.jobs[3].duration_s == doctest::Approx(2500));
  CHECK(meta(w, "layout") == "7 fields");
  CHECK(meta(w, "epoch_first_submit") == "0.000000");  // as written
  CHECK(meta(w, "priority_weight_rounded") == "(absent)");
  CHECK(meta(w, "slo_ignored") == "(absent)");
}

TEST_CASE("gavel: another reference worker gives its durations and GPU") {
  const Workload w = read_gavel(kGavel + "physical.trace", options("p100"));
  REQUIRE(w.jobs.size() == 4);
  // p100: ResNet-18 bs64 x1 10 steps/s, x2 18; Transformer bs128 x4 20; Recommendation 25.
  CHECK(w.jobs[0].duration_s == doctest::Approx(2000.0 / 10));
  CHECK(w.jobs[1].duration_s == doctest::Approx(5000.0 / 20));
  CHECK(w.jobs[2].duration_s == doctest::Approx(1000.0 / 25));
  CHECK(w.jobs[3].duration_s == doctest::Approx(3600.0 / 18));
  for (const Job& j : w.jobs) CHECK(j.reference_gpu == "P100");

  // Gavel's "_unconsolidated" worker types run on the same GPU model.
  TempFile f(kTempPrefix, "uncons.trace", line10(kResNet, "100", "1"));
  const Workload u = read_gavel(f.path(), options("v100_unconsolidated"));
  REQUIRE(u.jobs.size() == 1);
  CHECK(u.jobs[0].duration_s == doctest::Approx(5));  // 100 steps / 20 steps/s
  CHECK(u.jobs[0].reference_gpu == "V100");
}

TEST_CASE("gavel: line endings, byte order mark, last line without newline") {
  // (Appended piece by piece: GCC 12 warns falsely about "literal" + std::string.)
  std::string crlf = "\xEF\xBB\xBF";
  crlf += line10(kResNet, "200", "1", "1", "-1", "5");
  crlf.pop_back();
  crlf += "\r\n\r\n";
  crlf += line10(kResNet, "400", "1", "3", "-1", "7");
  crlf.pop_back();  // no newline at the end
  TempFile f(kTempPrefix, "crlf.trace", crlf);
  const Workload w = read_gavel(f.path(), options());
  REQUIRE(w.jobs.size() == 2);
  CHECK(w.jobs[0].id == "g1");
  CHECK(w.jobs[0].duration_s == doctest::Approx(10));  // 200 / 20
  CHECK(w.jobs[1].id == "g3");                         // line 2 is empty (just CRLF)
  CHECK(w.jobs[1].submit_s == doctest::Approx(2));
  CHECK(w.jobs[1].priority == 3);
}

TEST_CASE("gavel: errors name the file, the line and the field") {
  SUBCASE("no throughputs table") {
    ReadOptions o;
    const std::string path = kGavel + "physical.trace";
    CHECK(gavel_error(path, o) ==
          path + ": gavel traces need a throughputs table: give --throughputs FILE");
  }
  SUBCASE("unknown reference worker") {
    const std::string m = gavel_error(kGavel + "physical.trace", options("a100"));
    check_contains(m, kThroughputs + ": no worker type 'a100' (--reference-worker)");
    check_contains(m, "k80, p100, v100, v100_unconsolidated");
  }
  SUBCASE("job type with throughput 0 on the worker") {
    const std::string m = gavel_error(kGavel + "physical.trace", options("k80"));
    check_contains(m,
                   "physical.trace:1: job_type: the throughput of ('ResNet-18 (batch size "
                   "64)', 1) on worker 'k80' is 0");
  }
  SUBCASE("scale factor missing from the table") {
    TempFile f(kTempPrefix, "scale.trace",
               line10(kResNet, "100", "1") + line10(kResNet, "100", "8"));
    const std::string m = gavel_error(f.path());
    check_contains(m, f.path() +
                          ":2: scale_factor: no throughput for ('ResNet-18 (batch size "
                          "64)', 8) on worker 'v100'");
    check_contains(m, "has scale factors 1, 2 for this job type");
  }
  SUBCASE("job type missing from the table") {
    TempFile f(kTempPrefix, "type.trace", line7("LM (batch size 5)", "100", "0", "1"));
    check_contains(gavel_error(f.path()),
                   ":1: job_type: no throughput for ('LM (batch size 5)', 1): job type 'LM "
                   "(batch size 5)' is not in the table for worker 'v100'");
  }
  SUBCASE("neither layout") {
    TempFile f(kTempPrefix, "eight.trace", kResNet + "\ta\tb\t1\t100\t0\t1\tx\n");
    check_contains(gavel_error(f.path()),
                   ":1: expected 10 tab-separated fields (job_type, command, "
                   "working_directory, num_steps_arg, needs_data_dir, total_steps, "
                   "scale_factor, priority_weight, SLO, arrival_time) or 7");
    check_contains(gavel_error(f.path()), "found 8");
  }
  SUBCASE("layouts mixed in one file") {
    TempFile f(kTempPrefix, "mixed.trace",
               line10(kResNet, "100", "1") + line7(kResNet, "100", "0", "1"));
    check_contains(gavel_error(f.path()),
                   ":2: expected 10 tab-separated fields as on line 1, found 7");
  }
  SUBCASE("bad values") {
    struct Case {
      std::string text, expected;
    };
    const std::vector<Case> cases = {
        {line10("", "100", "1"), ":1: job_type: missing value"},
        {line10(kResNet, "abc", "1"), ":1: total_steps: 'abc' is not a number"},
        {line10(kResNet, "", "1"), ":1: total_steps: missing value"},
        {line10(kResNet, "0", "1"), ":1: total_steps: must be > 0, got '0'"},
        {line10(kResNet, "nan", "1"), ":1: total_steps: 'nan' is not a number"},
        {line10(kResNet, "100", "1.5"), ":1: scale_factor: '1.5' is not an integer"},
        {line10(kResNet, "100", "0"), ":1: scale_factor: must be >= 1, got '0'"},
        {line10(kResNet, "100", ""), ":1: scale_factor: missing value"},
        {line10(kResNet, "100", "1", "0"), ":1: priority_weight: must be > 0"},
        {line10(kResNet, "100", "1", "high"), ":1: priority_weight: 'high' is not a number"},
        {line10(kResNet, "100", "1", "1", "soon"), ":1: SLO: 'soon' is not a number"},
        {line10(kResNet, "100", "1", "1", "-1", "-5"), ":1: arrival_time: must be >= 0, got '-5'"},
        {line10(kResNet, "100", "1", "1", "-1", "12:00"),
         ":1: arrival_time: '12:00' is not a number"},
        {line10(kResNet, "100", "1", "1", "-1", "0", "yes"),
         ":1: needs_data_dir: 'yes' is not an integer (0 or 1)"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.text);
      TempFile f(kTempPrefix, "bad.trace", line10(kResNet, "100", "1") + "\n" + c.text);
      // The bad line is line 3 (after a good line and a blank one) ...
      std::string expected = c.expected;
      expected[1] = '3';
      check_contains(gavel_error(f.path()), f.path() + expected);
    }
  }
  SUBCASE("bad values, 7 fields") {
    TempFile f(kTempPrefix, "bad7.trace",
               line7(kResNet, "100", "0", "1") + line7(kResNet, "100", "x", "1"));
    check_contains(gavel_error(f.path()), f.path() + ":2: arrival_time: 'x' is not a number");
  }
  SUBCASE("empty file") {
    TempFile f(kTempPrefix, "empty.trace", "\n  \n");
    CHECK(gavel_error(f.path()) ==
          f.path() + ": no jobs (the file is empty or holds only blank lines)");
  }
  SUBCASE("missing files") {
    check_contains(gavel_error(kGavel + "nope.trace"), "nope.trace: cannot open: ");
    ReadOptions o = options();
    o.throughputs_path = kGavel + "nope.json";
    check_contains(gavel_error(kGavel + "physical.trace", o), "nope.json: cannot open: ");
  }
}

// --throughput-fallback linear: a (job type, GPU count) the table lacks runs at the 1-GPU
// throughput x GPUs x the table's median scaling efficiency at that count. The fixture's v100
// has ResNet-18 at 1 and 2 GPUs (20, 36 steps/s: 36 / (2 x 20) = 0.9) and Transformer at 1
// and 4 (12.5, 40: 40 / (4 x 12.5) = 0.8). So ResNet-18 on 4 GPUs: 20 x 4 x 0.8 = 64 steps/s,
// 100 steps in 1.5625 s; on 8 GPUs (no job type has 8: the largest count below, 4, gives 0.8)
// 20 x 8 x 0.8 = 128; A3C (1 GPU only, 4 steps/s) on 2: 4 x 2 x 0.9 = 7.2. linear:0.5 gives
// ResNet-18 on 4 GPUs 20 x 4 x 0.5 = 40 steps/s: 2.5 s.
TEST_CASE("gavel: --throughput-fallback times what the table lacks from the 1-GPU throughput") {
  TempFile f(kTempPrefix, "fallback.trace",
             line10(kResNet, "100", "4") + line10(kResNet, "100", "8") + line10("A3C", "100", "2") +
                 line10(kResNet, "100", "2"));
  ReadOptions o = options();
  o.throughput_fallback = "linear";
  const Workload w = read_gavel(f.path(), o);
  REQUIRE(w.jobs.size() == 4);
  CHECK(w.jobs[0].duration_s == doctest::Approx(100 / 64.0));
  CHECK(w.jobs[1].duration_s == doctest::Approx(100 / 128.0));
  CHECK(w.jobs[2].duration_s == doctest::Approx(100 / 7.2));
  CHECK(w.jobs[3].duration_s == doctest::Approx(100 / 36.0));  // in the table
  CHECK(meta(w, "throughput_fallback_jobs") == "3");
  CHECK(meta(w, "throughput_fallback_efficiency") ==
        "2 GPUs x 0.900 4 GPUs x 0.800 8 GPUs x 0.800");
  o.throughput_fallback = "linear:0.5";
  CHECK(read_gavel(f.path(), o).jobs[0].duration_s == doctest::Approx(2.5));
  // Without it, the first such job is an error that names the option.
  check_contains(gavel_error(f.path()), "--throughput-fallback linear");
  for (const char* bad : {"cubic", "linear:0", "linear:1.5", "linear:x"}) {
    CAPTURE(bad);
    o.throughput_fallback = bad;
    check_contains(gavel_error(f.path(), o), "--throughput-fallback: '" + std::string(bad) +
                                                 "': expected none, linear or linear:E");
  }
}

TEST_CASE("gavel throughputs: keys, lookups, worker GPUs") {
  const GavelThroughputs t = GavelThroughputs::read(kThroughputs);
  CHECK(t.workers() == std::vector<std::string>{"k80", "p100", "v100", "v100_unconsolidated"});
  CHECK(t.has_worker("v100"));
  CHECK_FALSE(t.has_worker("V100"));
  CHECK(t.steps_per_second("v100", kResNet, 2) == doctest::Approx(36));
  CHECK(t.steps_per_second("k80", kResNet, 1) == doctest::Approx(0));
  CHECK_FALSE(t.steps_per_second("v100", kResNet, 4).has_value());
  CHECK_FALSE(t.steps_per_second("v100", "LM (batch size 5)", 1).has_value());
  CHECK_FALSE(t.steps_per_second("a100", kResNet, 1).has_value());
  CHECK(t.scale_factors("v100", kResNet) == std::vector<int>{1, 2});
  CHECK(t.scale_factors("v100", "nope").empty());
  CHECK(t.entries() == 6 + 4 + 2 + 1);
  CHECK(t.source() == kThroughputs);

  CHECK(gavel_key(kResNet, 1) == "('ResNet-18 (batch size 64)', 1)");
  std::string type;
  int scale = 0;
  CHECK(parse_gavel_key("('ResNet-18 (batch size 64)', 4)", type, scale));
  CHECK(type == kResNet);
  CHECK(scale == 4);
  CHECK(parse_gavel_key("(\"A3C\",2)", type, scale));
  CHECK(type == "A3C");
  CHECK(scale == 2);
  CHECK_FALSE(parse_gavel_key("ResNet-18", type, scale));
  CHECK_FALSE(parse_gavel_key("('A3C', x)", type, scale));
  CHECK_FALSE(parse_gavel_key("('A3C' 1)", type, scale));
  CHECK_FALSE(parse_gavel_key("('A3C)", type, scale));

  CHECK(gavel_worker_gpu("v100") == "V100");
  CHECK(gavel_worker_gpu("p100") == "P100");
  CHECK(gavel_worker_gpu("k80") == "K80");
  CHECK(gavel_worker_gpu("v100_unconsolidated") == "V100");
  CHECK(gavel_worker_gpu("a100") == "A100");
}

TEST_CASE("gavel throughputs: bad tables name the JSON path") {
  check_contains(table_error("{\"v100\": "), "t.json: not valid JSON: parse error at line 1");
  check_contains(table_error("[1]"), "t.json: expected a JSON object");
  check_contains(table_error("{}"), "t.json: no worker types in the table");
  check_contains(table_error("{\"v100\": 3}"), "t.json: /v100: expected an object");
  check_contains(table_error("{\"v100\": {\"ResNet\": {\"null\": 1}}}"),
                 "t.json: /v100/ResNet: expected a key such as");
  check_contains(table_error("{\"v100\": {\"('A3C', 0)\": {\"null\": 1}}}"),
                 "t.json: /v100/('A3C', 0): scale factor must be >= 1");
  check_contains(table_error("{\"v100\": {\"('A3C', 1)\": [1]}}"),
                 "/v100/('A3C', 1): expected an object with a \"null\" entry, found array");
  check_contains(table_error("{\"v100\": {\"('A3C', 1)\": {\"x\": 1}}}"),
                 "/v100/('A3C', 1): no \"null\" entry");
  check_contains(table_error("{\"v100\": {\"('A3C', 1)\": {\"null\": \"fast\"}}}"),
                 "/v100/('A3C', 1)/null: must be a number >= 0 (steps per second), found string");
  check_contains(table_error("{\"v100\": {\"('A3C', 1)\": {\"null\": -2}}}"),
                 "/v100/('A3C', 1)/null: must be a number >= 0 (steps per second), got -2");
  check_contains(
      table_error(
          "{\"v100\": {\"('A3C', 1)\": {\"null\": 2}, \"(\\\"A3C\\\", 1)\": {\"null\": 3}}}"),
      "the same job type and scale factor appear twice");
}

TEST_CASE("gavel: sniff") {
  const std::string ten = line10(kResNet, "100", "1");
  const std::string seven = line7("A3C", "100", "0.000000", "1");
  CHECK(sniff_gavel(ten + ten, "jobs.txt"));
  CHECK(sniff_gavel(seven, "jobs.txt"));
  CHECK(sniff_gavel(seven + line7("Transformer (batch size 64)", "5", "3.0", "2"), "x"));
  // An unknown job type needs the .trace name.
  const std::string other = line7("MyModel", "100", "0", "1");
  CHECK_FALSE(sniff_gavel(other, "jobs.txt"));
  CHECK(sniff_gavel(other, "dir/jobs.trace"));
  // Not Gavel: other formats' first lines, bad numbers, wrong field counts.
  CHECK_FALSE(sniff_gavel("job_id,submit_time,num_gpus,duration\nj1,0,1,10\n", "w.csv"));
  CHECK_FALSE(sniff_gavel("name,cpu_milli,memory_mib,num_gpu,gpu_milli\n", "p.trace"));
  CHECK_FALSE(sniff_gavel(line7(kResNet, "100", "soon", "1"), "x.trace"));
  CHECK_FALSE(sniff_gavel(kResNet + "\ta\tb\n", "x.trace"));
  CHECK_FALSE(sniff_gavel(ten + "garbage\n", "x.trace"));
  CHECK_FALSE(sniff_gavel("", "x.trace"));
  CHECK_FALSE(sniff_gavel("\n\n", "x.trace"));
  // A head cut inside its last line: only the whole lines count.
  CHECK(sniff_gavel(ten + ten.substr(0, 20), "x"));
}

TEST_CASE("gavel: the real traces (when /work/shared/traces/gavel is present)") {
  const std::filesystem::path root = "/work/shared/traces/gavel";
  if (!std::filesystem::exists(root / "simulation_throughputs.json")) {
    MESSAGE("skipped: " << root.string() << " is not present");
    return;
  }
  ReadOptions o;
  o.throughputs_path = (root / "simulation_throughputs.json").string();
  const std::filesystem::path physical = root / "traces/physical_cluster";
  std::size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(physical)) {
    if (entry.path().extension() != ".trace") continue;
    CAPTURE(entry.path().string());
    CHECK(sniff_gavel(content_of(entry.path().string()), entry.path().string()));
    const Workload w = read_gavel(entry.path().string(), o);
    CHECK(!w.jobs.empty());
    CHECK(meta(w, "layout") == "10 fields");
    for (const Job& j : w.jobs) {
      CHECK(j.duration_s > 0);
      CHECK(j.priority == 1);
    }
    ++files;
  }
  CHECK(files == 8);

  // debug.trace line 1: Recommendation (batch size 8192), 14775 steps on 1 GPU, arrival 0;
  // v100 "('Recommendation (batch size 8192)', 1)" null = 2.841510364354536 steps/s, so
  // 14775 / 2.841510364354536 = 5199.699... s.
  const Workload debug = read_gavel((physical / "debug.trace").string(), o);
  REQUIRE(debug.jobs.size() == 14);
  CHECK(debug.jobs[0].job_type == "Recommendation (batch size 8192)");
  CHECK(debug.jobs[0].duration_s == doctest::Approx(14775 / 2.841510364354536));
  CHECK(debug.jobs[0].reference_gpu == "V100");
  CHECK(read_workload((physical / "debug.trace").string(), "", o).format == "gavel");

  // The msr (Philly-derived) traces ask for scale factors and job types the shipped tables
  // do not have (they hold 1, 2, 4 and 8 GPUs, and multi-GPU rows for some job types only):
  // 0e4a51.trace stops at line 42.
  const std::filesystem::path msr = root / "traces/msr/seed=0/0e4a51.trace";
  if (std::filesystem::exists(msr)) {
    CHECK(sniff_gavel(head_of(msr.string()), msr.string()));
    check_contains(gavel_error(msr.string(), o),
                   "0e4a51.trace:42: scale_factor: no throughput for ('Recommendation (batch "
                   "size 512)', 4) on worker 'v100'");
  }
  // With --throughput-fallback linear every seed=0 msr trace reads; 13 of the 15 need it, and
  // say how many of their jobs it timed.
  ReadOptions linear = o;
  linear.throughput_fallback = "linear";
  std::size_t msr_files = 0, with_fallback = 0;
  if (std::filesystem::exists(root / "traces/msr/seed=0"))
    for (const auto& entry : std::filesystem::directory_iterator(root / "traces/msr/seed=0")) {
      CAPTURE(entry.path().string());
      const Workload t = read_gavel(entry.path().string(), linear);
      CHECK(!t.jobs.empty());
      with_fallback += meta(t, "throughput_fallback_jobs") != "(absent)";
      ++msr_files;
    }
  CHECK(msr_files == 15);
  CHECK(with_fallback == 13);
}

TEST_CASE("gavel: detected among all formats") {
  const Workload w = read_workload(kGavel + "physical.trace", "", options());
  CHECK(w.format == "gavel");
  // Detection does not need the .trace name when the job types are Gavel's.
  TempFile f(kTempPrefix, "detect.txt",
             line7("A3C", "100", "0.000000", "1") + line7(kResNet, "100", "6.000000", "2"));
  const Workload v = read_workload(f.path(), "", options());
  CHECK(v.format == "gavel");
  CHECK(v.jobs.size() == 2);
  const Workload named = read_workload(kGavel + "msr_vc.trace", "gavel", options());
  CHECK(named.jobs.size() == 4);
}
