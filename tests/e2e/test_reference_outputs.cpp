// The outputs of reference runs (tests/fixtures/reference/cases.txt), made by an earlier
// engine and stored, must come out byte for byte the same: CSV files exactly, summaries
// exactly but for what measures the run itself (sim_wall_s, peak_rss_mb, decision_*). A change of
// results that is meant regenerates them with tests/fixtures/reference/make.sh and says why.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "run_binary.hpp"

namespace fs = std::filesystem;

namespace {

struct Case {
  std::string name;
  std::vector<std::string> args;
};

std::vector<Case> reference_cases() {
  std::ifstream in(e2e::fixture("reference/cases.txt"));
  std::vector<Case> cases;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    Case c;
    words >> c.name;
    c.args.push_back("run");
    for (std::string w; words >> w;) {
      const auto at = w.find("{src}");
      if (at != std::string::npos) w.replace(at, 5, SUANLI_SOURCE_DIR);
      c.args.push_back(w);
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

std::set<std::string> files_in(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename());
  return names;
}

nlohmann::json without_run_costs(nlohmann::json j) {
  for (const char* key : {"sim_wall_s", "peak_rss_mb", "decision_wall_s", "decision_p99_ms"})
    j.erase(key);
  return j;
}

}  // namespace

TEST_CASE("reference runs: outputs are those the stored reference engine wrote") {
  const auto cases = reference_cases();
  REQUIRE(cases.size() >= 8);
  for (const auto& c : cases) {
    CAPTURE(c.name);
    const std::string expected = e2e::fixture("reference/" + c.name);
    const std::string out = e2e::fresh_dir("reference-" + c.name);
    auto args = c.args;
    args.insert(args.end(), {"-q", "--out", out});
    const auto r = e2e::run_suanli(args);
    REQUIRE_MESSAGE(r.status == 0, r.err);
    CHECK(files_in(out) == files_in(expected));
    for (const auto& name : files_in(expected)) {
      CAPTURE(name);
      const std::string got = e2e::read_file(out + "/" + name);
      const std::string want = e2e::read_file(expected + "/" + name);
      if (name.ends_with(".json"))
        CHECK(without_run_costs(nlohmann::json::parse(got)) ==
              without_run_costs(nlohmann::json::parse(want)));
      else
        CHECK_MESSAGE(got == want, "differs from the reference: diff " << out << "/" << name << " "
                                                                       << expected << "/" << name);
    }
  }
}
