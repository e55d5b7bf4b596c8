// The validation runs of docs/validation.md: each published large-run energy figure, rebuilt
// from the run's hardware, size and duration (validation/<run>/), stays within the error the
// doc states and explains. The figures and what they count: validation/published.csv.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "run_binary.hpp"

namespace {

const std::string kValidation = std::string(SUANLI_SOURCE_DIR) + "/validation/";

std::vector<std::string> split(const std::string& text, char by) {
  std::vector<std::string> out;
  std::stringstream cells(text);
  for (std::string cell; std::getline(cells, cell, by);) out.push_back(cell);
  return out;
}

// suanli's figure over the published one, minus 1, for every row of published.csv of `name`
// (case, args, summary key, scale, published, what it counts).
std::vector<double> errors(const std::string& name) {
  std::ifstream in(kValidation + "published.csv");
  std::string line;
  std::getline(in, line);  // header
  std::vector<double> out;
  while (std::getline(in, line)) {
    const auto cells = split(line, ',');
    if (cells.size() < 5 || cells[0] != name) continue;
    std::vector<std::string> args{"run", "-q"};
    for (const auto& arg : split(cells[1], ' ')) {
      const auto eq = arg.find('=');
      args.push_back(arg.substr(0, eq));
      args.push_back(kValidation + name + "/" + arg.substr(eq + 1));
    }
    const auto dir = e2e::fresh_dir("validation-" + name + "-" + std::to_string(out.size()));
    for (const char* a : {"--energy-interval-s", "86400", "--out"}) args.push_back(a);
    args.push_back(dir);
    const auto r = e2e::run_suanli(args);
    REQUIRE_MESSAGE(r.status == 0, r.err);
    const auto summary = nlohmann::json::parse(e2e::read_file(dir + "/summary.json"));
    out.push_back(summary.at(cells[2]).get<double>() * std::stod(cells[3]) / std::stod(cells[4]) -
                  1);
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

// ML.ENERGY v3, Llama-3.1-70B on 4 H100 at max_num_seqs 64 and 128 (a model and a
// parallelism the power curve was not fitted on): -8 to -9 % with a 500-token mean prompt,
// stated as -8 +- 5 %. The benchmark does not publish its mean prompt: 1,000 tokens gives
// +22 and +34 % (docs/validation.md); this case checks the model does not drift, not the
// assumption.
TEST_CASE("validation: ML.ENERGY energy per token of Llama-3.1-70B on 4 H100") {
  for (const double e : errors("mlenergy-llama31-70b")) {
    CHECK(e > -0.13);
    CHECK(e < -0.03);
  }
}
