// perf::SpeedTable: Gavel's throughputs JSON and the CSV form, lookups and errors.
#include "suanli/perf/speed_table.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "test_support.hpp"

using suanli::perf::SpeedTable;
using suanli::testing::input_error_of;

namespace {

const std::string kSpeed = std::string(SUANLI_FIXTURES) + "/speed/";
const std::string kResNet18 = "ResNet-18 (batch size 64)";

std::string csv_error(const std::string& text) {
  return input_error_of([&] { SpeedTable::parse(text, "t.csv"); }, text);
}

std::string json_error(const std::string& text) {
  return input_error_of([&] { SpeedTable::parse(text, "t.json"); }, text);
}

void check_contains(const std::string& message, const std::string& part) {
  CAPTURE(message);
  CHECK(message.find(part) != std::string::npos);
}

constexpr const char* kHeader = "job_type,gpu_type,num_gpus,steps_per_s\n";

}  // namespace

TEST_CASE("speed table: the CSV form, exact GPU counts before rows for any count") {
  const SpeedTable t = SpeedTable::read(kSpeed + "units.csv");
  CHECK(t.format() == SpeedTable::Format::csv);
  CHECK(t.source() == kSpeed + "units.csv");
  CHECK(t.entries() == 19);
  CHECK(t.gpus() == std::vector<std::string>{"A100", "H100", "K80", "V100"});
  CHECK(t.steps_per_second(kResNet18, "V100", 1) == doctest::Approx(20));
  CHECK(t.steps_per_second(kResNet18, "a100", 8) == doctest::Approx(300));  // any case
  CHECK_FALSE(t.steps_per_second(kResNet18, "V100", 8).has_value());
  CHECK_FALSE(t.steps_per_second(kResNet18, "MI300X", 1).has_value());
  CHECK_FALSE(t.steps_per_second("resnet-18 (batch size 64)", "V100", 1).has_value());
  // Rows with an empty num_gpus hold for any count; 0 is kept (cannot run there).
  CHECK(t.steps_per_second("ResNet-50 (batch size 128)", "A100", 1) == doctest::Approx(25));
  CHECK(t.steps_per_second("ResNet-50 (batch size 128)", "A100", 64) == doctest::Approx(25));
  CHECK(t.steps_per_second("ResNet-50 (batch size 128)", "H100", 2) == doctest::Approx(0));
  CHECK(t.steps_per_second("LM (batch size 20)", "H100", 1) == doctest::Approx(60));  // quoted
  CHECK(t.has_job_type("A3C"));
  CHECK_FALSE(t.has_job_type("CycleGAN"));

  // An exact count wins over the any-count row; the num_gpus column may be left out.
  const SpeedTable exact = SpeedTable::parse(std::string(kHeader) +
                                                 "bert,A100,,10\n"
                                                 "bert,A100,4,36\n",
                                             "exact.csv");
  CHECK(exact.steps_per_second("bert", "A100", 4) == doctest::Approx(36));
  CHECK(exact.steps_per_second("bert", "A100", 2) == doctest::Approx(10));
  const SpeedTable any = SpeedTable::parse(
      "\xEF\xBB\xBFsteps_per_s,gpu_type,job_type\r\n\r\n2.5,K80,bert\r\n", "any.csv");
  CHECK(any.steps_per_second("bert", "k80", 16) == doctest::Approx(2.5));
  CHECK(any.entries() == 1);
}

TEST_CASE("speed table: Gavel's JSON, workers as catalog GPUs, the plain worker first") {
  // tests/fixtures/traces/gavel/throughputs.json: workers k80, p100, v100, v100_unconsolidated.
  const std::string path = std::string(SUANLI_FIXTURES) + "/traces/gavel/throughputs.json";
  const SpeedTable t = SpeedTable::read(path);
  CHECK(t.format() == SpeedTable::Format::gavel_json);
  CHECK(t.source() == path);
  CHECK(t.gpus() == std::vector<std::string>{"K80", "P100", "V100"});
  CHECK(t.steps_per_second(kResNet18, "V100", 1) == doctest::Approx(20));  // v100, not _unc.
  CHECK(t.steps_per_second(kResNet18, "v100", 2) == doctest::Approx(36));
  CHECK(t.steps_per_second(kResNet18, "P100", 1) == doctest::Approx(10));
  CHECK(t.steps_per_second(kResNet18, "K80", 1) == doctest::Approx(0));
  CHECK_FALSE(t.steps_per_second(kResNet18, "V100", 4).has_value());
  CHECK(t.has_job_type("A3C"));
  CHECK_FALSE(t.has_job_type("LM (batch size 5)"));

  // A "_unconsolidated" worker stands for its GPU only when there is no plain worker.
  const SpeedTable unc = SpeedTable::parse(R"json({
    "p100_unconsolidated": {"('A3C', 1)": {"null": 3}},
    "v100": {"('A3C', 1)": {"null": 4}},
    "v100_unconsolidated": {"('A3C', 1)": {"null": 2}}
  })json",
                                           "unc.json");
  CHECK(unc.steps_per_second("A3C", "V100", 1) == doctest::Approx(4));
  CHECK(unc.steps_per_second("A3C", "P100", 1) == doctest::Approx(3));
  CHECK(unc.gpus() == std::vector<std::string>{"P100", "V100"});
}

TEST_CASE("speed table: the form is told by content") {
  CHECK(SpeedTable::sniff("\xEF\xBB\xBF  \n{\"v100\": {}}") == SpeedTable::Format::gavel_json);
  CHECK(SpeedTable::sniff(kHeader) == SpeedTable::Format::csv);
  CHECK(SpeedTable::sniff("") == SpeedTable::Format::csv);
}

TEST_CASE("speed table: bad CSV names the file, line and column") {
  const std::string h = kHeader;
  check_contains(csv_error(""), "t.csv: no header line (the file is empty)");
  check_contains(csv_error(h), "t.csv: no rows after the header");
  check_contains(csv_error("job_type,gpu,steps_per_s\nbert,A100,1\n"),
                 "t.csv:1: gpu: unknown column");
  check_contains(csv_error("job_type,num_gpus,steps_per_s\nbert,1,1\n"),
                 "t.csv:1: gpu_type: required column missing from the header");
  check_contains(csv_error(h + "bert,A100,1,fast\n"),
                 "t.csv:2: steps_per_s: 'fast' is not a number");
  check_contains(csv_error(h + "bert,A100,1,-2\n"), "t.csv:2: steps_per_s: must be >= 0");
  check_contains(csv_error(h + "bert,A100,1,\n"), "t.csv:2: steps_per_s: missing value");
  check_contains(csv_error(h + ",A100,1,3\n"), "t.csv:2: job_type: missing value");
  check_contains(csv_error(h + "bert,,1,3\n"), "t.csv:2: gpu_type: missing value");
  check_contains(csv_error(h + "bert,A100,0,3\n"), "t.csv:2: num_gpus: must be >= 1");
  check_contains(csv_error(h + "bert,A100,1.5,3\n"), "t.csv:2: num_gpus:");
  check_contains(csv_error(h + "bert,A100,1\n"), "t.csv:2: expected 4 fields as in the header");
  check_contains(csv_error(h + "bert,A100,2,3\n# again, other case\nbert,a100,2,4\n"),
                 "t.csv:4: job type 'bert' on a100 x2 is already given on line 2");
  check_contains(csv_error(h + "bert,A100,,3\nbert,A100,,4\n"),
                 "t.csv:3: job type 'bert' on A100 (any GPU count) is already given on line 2");
  check_contains(input_error_of([] { SpeedTable::read(kSpeed + "nope.csv"); }, "missing file"),
                 "nope.csv: cannot open: ");
}

TEST_CASE("speed table: bad Gavel JSON names the JSON path") {
  check_contains(json_error("{\"v100\": "), "t.json: not valid JSON: parse error at line 1");
  check_contains(json_error("{\"v100\": {\"('A3C', 1)\": {\"null\": -2}}}"),
                 "t.json: /v100/('A3C', 1)/null: must be a number >= 0 (steps per second), got -2");
  check_contains(json_error("{\"v100\": {\"A3C\": {\"null\": 1}}}"),
                 "t.json: /v100/A3C: expected a key such as");
}
