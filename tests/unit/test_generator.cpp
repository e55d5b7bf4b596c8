#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "suanli/common/input_error.hpp"
#include "suanli/workload/generator.hpp"
#include "suanli/workload/native_csv.hpp"

using suanli::InputError;
using namespace suanli::workload;

namespace {

std::string as_csv(const Workload& w) {
  std::ostringstream out;
  write_native_csv(w, out);
  return out.str();
}

GeneratorOptions options(int jobs, std::uint64_t seed) {
  GeneratorOptions o;
  o.jobs = jobs;
  o.seed = seed;
  return o;
}

double offered_load(const Workload& w, int gpus) {
  double work = 0;
  for (const auto& j : w.jobs) work += j.num_gpus * j.duration_s;
  return work / (gpus * (w.jobs.back().submit_s - w.jobs.front().submit_s));
}

}  // namespace

TEST_CASE("generate: the same seed gives the same jobs, another seed other jobs") {
  for (const char* arrival : {"poisson", "diurnal"}) {
    auto o = options(500, 7);
    o.arrival = arrival;
    const auto a = as_csv(generate_workload(o));
    CHECK(a == as_csv(generate_workload(o)));
    o.seed = 8;
    CHECK(a != as_csv(generate_workload(o)));
  }
}

// One fixed draw of the generator: a change here means files generated earlier with the same
// seed are no longer reproduced (the draw order or a constant changed).
TEST_CASE("generate: a pinned draw") {
  auto o = options(3, 1);
  o.gpus = 64;
  const auto w = generate_workload(o);
  REQUIRE(w.jobs.size() == 3);
  CHECK(w.jobs[0].id == "g000001");
  CHECK(w.jobs[2].id == "g000003");
  CHECK(w.jobs[0].submit_s == 0);
  for (const auto& j : w.jobs) {
    CHECK(j.has_duration());
    CHECK(j.params == 0);
    CHECK(j.gpu_type.empty());
    CHECK(j.walltime_s >= j.duration_s);
    CHECK(j.user.size() == 3);
  }
  CHECK(as_csv(w) ==
        "job_id,submit_time,num_gpus,duration,params,tokens,mfu,batch_tokens,gpu_type,walltime,"
        "user,priority\n"
        "g000001,0,16,229,,,,,,300,u03,0\n"
        "g000002,60.803,1,59,,,,,,300,u18,0\n"
        "g000003,90.527,8,114,,,,,,300,u01,0\n");
}

TEST_CASE("generate: offered load is the requested load by construction") {
  for (const char* arrival : {"poisson", "diurnal"}) {
    for (double load : {0.3, 0.8, 1.5}) {
      auto o = options(2000, 3);
      o.arrival = arrival;
      o.load = load;
      o.gpus = 256;
      const auto w = generate_workload(o);
      CHECK(offered_load(w, 256) == doctest::Approx(load).epsilon(0.01));
    }
  }
}

TEST_CASE("generate: arrivals are non-decreasing and start at 0") {
  for (const char* arrival : {"poisson", "diurnal"}) {
    auto o = options(5000, 11);
    o.arrival = arrival;
    const auto w = generate_workload(o);
    CHECK(w.jobs.front().submit_s == 0);
    CHECK(std::is_sorted(w.jobs.begin(), w.jobs.end(),
                         [](const Job& a, const Job& b) { return a.submit_s < b.submit_s; }));
  }
}

TEST_CASE("generate: diurnal arrivals peak in the afternoon") {
  auto o = options(20000, 5);
  o.arrival = "diurnal";
  o.gpus = 64;  // a long span: many days
  const auto w = generate_workload(o);
  REQUIRE(w.jobs.back().submit_s > 10 * 86400);
  std::vector<int> by_hour(24, 0);
  for (const auto& j : w.jobs) ++by_hour[static_cast<int>(j.submit_s / 3600) % 24];
  // rate(15 h) / rate(3 h) = 1.5 / 0.5 = 3.
  CHECK(by_hour[15] > 2 * by_hour[3]);
}

// Philly shares (of 15,264 jobs): 1 GPU 68.66%, 2: 3.03%, 4: 13.39%, 8: 12.55%, 16: 1.67%,
// 32: 0.60%. With 20,000 jobs a share's standard error is at most 0.35 points, so 2 points
// is more than 5 standard errors.
TEST_CASE("generate: GPU counts follow the Philly histogram") {
  const auto w = generate_workload(options(20000, 42));
  std::map<int, int> count;
  for (const auto& j : w.jobs) ++count[j.num_gpus];
  const std::map<int, double> philly = {{1, 10480}, {2, 463}, {4, 2044}, {8, 1916},
                                        {16, 255},  {32, 91}, {64, 1}};
  for (const auto& [g, n] : philly) {
    CAPTURE(g);
    CHECK(std::abs(100.0 * count[g] / 20000 - 100.0 * n / 15264) <= 2.0);
  }
  int sum = 0;
  for (const auto& [g, n] : count) sum += n;
  CHECK(sum == 20000);
}

TEST_CASE("generate: --max-gpus caps job sizes") {
  auto o = options(3000, 9);
  o.gpus = 16;
  o.max_gpus = 4;
  const auto w = generate_workload(o);
  int capped = 0;
  for (const auto& j : w.jobs) {
    CHECK(j.num_gpus <= 4);
    capped += j.num_gpus == 4;
  }
  // 4 GPUs or more in Philly: 4,318 of 15,264 jobs (28.3%).
  CHECK(capped > 3000 * 0.25);
  o.max_gpus = 0;  // default: --gpus
  for (const auto& j : generate_workload(o).jobs) CHECK(j.num_gpus <= 16);
}

// The fitted mixture has Helios' median, 206 s. Redrawing run times outside [1 s, 7 days]
// removes 2.07% of the mass below and 0.12% above, which moves the median of the kept run
// times to 219.6 s (+6.6%); with 20,000 jobs the sample median's standard error is 5.0 s
// (2.3%). 15% leaves more than 3.5 standard errors beyond the truncation shift.
TEST_CASE("generate: run times have Helios' median and stay in [1 s, 7 days]") {
  const auto w = generate_workload(options(20000, 42));
  std::vector<double> d;
  for (const auto& j : w.jobs) {
    d.push_back(j.duration_s);
    CHECK(j.duration_s >= 1);
    CHECK(j.duration_s <= 7 * 86400);
    CHECK(j.duration_s == std::round(j.duration_s));
  }
  std::nth_element(d.begin(), d.begin() + 10000, d.end());
  const double median = d[10000];
  CHECK(median == doctest::Approx(206).epsilon(0.15));
}

TEST_CASE("generate: walltimes are round values at least the run time") {
  const auto w = generate_workload(options(2000, 4));
  const std::vector<double> popular = {300,   600,   900,   1800,  3600,   7200,   14400,
                                       21600, 28800, 43200, 86400, 172800, 259200, 604800};
  for (const auto& j : w.jobs) {
    CHECK(j.walltime_s >= j.duration_s);
    const bool round = std::find(popular.begin(), popular.end(), j.walltime_s) != popular.end() ||
                       std::fmod(j.walltime_s, 86400) == 0;
    CHECK(round);
  }
}

TEST_CASE("generate: one job is submitted at 0") {
  const auto w = generate_workload(options(1, 0));
  REQUIRE(w.jobs.size() == 1);
  CHECK(w.jobs[0].submit_s == 0);
  CHECK(w.jobs[0].id == "g000001");
}

TEST_CASE("generate: bad options are input errors naming the option") {
  const auto message = [](GeneratorOptions o) {
    try {
      generate_workload(o);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  auto o = options(10, 1);
  o.jobs = 0;
  CHECK(message(o).starts_with("--jobs:"));
  o = options(10, 1);
  o.load = 0;
  CHECK(message(o).starts_with("--load:"));
  o.load = -1;
  CHECK(message(o).starts_with("--load:"));
  o.load = NAN;
  CHECK(message(o).starts_with("--load:"));
  o = options(10, 1);
  o.gpus = 0;
  CHECK(message(o).starts_with("--gpus:"));
  o = options(10, 1);
  o.gpus = 8;
  o.max_gpus = 16;
  CHECK(message(o).starts_with("--max-gpus:"));
  o = options(10, 1);
  o.arrival = "bursty";
  const auto m = message(o);
  CHECK(m.starts_with("--arrival:"));
  CHECK(m.find("bursty") != std::string::npos);
  CHECK(m.find('\n') == std::string::npos);
}
