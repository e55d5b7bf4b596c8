// The validation runs of docs/validation.md: each published large-run energy figure, rebuilt
// from the run's hardware, size and duration (validation/<run>/), stays within the error the
// doc states and explains. The figures and what they count: validation/published.csv.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

#include "run_binary.hpp"

namespace {

const std::string kValidation = std::string(SUANLI_SOURCE_DIR) + "/validation/";

nlohmann::json run_case(const std::string& name) {
  const auto out = e2e::fresh_dir("validation-" + name);
  const auto r = e2e::run_suanli({"run", "-q", "--platform", kValidation + name + "/platform.yaml",
                                  "--workload", kValidation + name + "/workload.csv",
                                  "--energy-interval-s", "86400", "--out", out});
  REQUIRE_MESSAGE(r.status == 0, r.err);
  return nlohmann::json::parse(e2e::read_file(out + "/summary.json"));
}

// suanli's figure over the published one, minus 1, for every row of published.csv of `name`.
std::vector<double> errors(const std::string& name) {
  const auto summary = run_case(name);
  std::ifstream in(kValidation + "published.csv");
  std::string line;
  std::getline(in, line);  // header
  std::vector<double> out;
  while (std::getline(in, line)) {
    std::stringstream cells(line);
    std::string run, key, scale, published;
    std::getline(cells, run, ',');
    std::getline(cells, key, ',');
    std::getline(cells, scale, ',');
    std::getline(cells, published, ',');
    if (run != name) continue;
    out.push_back(summary.at(key).get<double>() * std::stod(scale) / std::stod(published) - 1);
  }
  REQUIRE(!out.empty());
  return out;
}

}  // namespace

// GPT-3: Patterson's 330 W is system power per accelerator (host CPU, memory, NIC and fans
// included); the validation platform models the V100s only (289.6 W at MFU 0.197): about
// -12 %, the host's share. The doc states -12 % +- 3 %.
TEST_CASE("validation: GPT-3 175B energy and carbon, GPUs only, within the stated gap") {
  for (const double e : errors("gpt3-175b")) {
    CHECK(e > -0.15);
    CHECK(e < -0.09);
  }
}

// BLOOM, Llama 2 70B, Llama 3.1 405B: the published figures are GPU-hours x TDP; suanli's
// GPUs at MFU 0.4-0.5 draw 98.8-99.2 % of TDP (the curve's shape): within 2 % below.
TEST_CASE("validation: BLOOM, Llama 2 70B and Llama 3.1 405B GPU energy within 2 percent") {
  for (const char* name : {"bloom-176b", "llama2-70b", "llama31-405b"}) {
    CAPTURE(name);
    for (const double e : errors(name)) {
      CHECK(e <= 0);
      CHECK(e > -0.02);
    }
  }
}
