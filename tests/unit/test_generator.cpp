#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "suanli/common/input_error.hpp"
#include "suanli/platform/device_catalog.hpp"
#include "suanli/workload/generator.hpp"
#include "suanli/workload/job_mix.hpp"
#include "suanli/workload/native_csv.hpp"
#include "test_support.hpp"

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
  // The values the file holds (not the file: its columns are the native format's business).
  const auto is = [](const Job& j, double submit, int gpus, double duration, double walltime,
                     const char* user) {
    CHECK(j.submit_s == submit);
    CHECK(j.num_gpus == gpus);
    CHECK(j.duration_s == duration);
    CHECK(j.walltime_s == walltime);
    CHECK(j.user == user);
    CHECK(j.job_type.empty());
    CHECK(j.reference_gpu.empty());
    CHECK(j.priority == 0);
  };
  is(w.jobs[0], 0, 16, 229, 300, "u03");
  is(w.jobs[1], 60.803, 1, 59, 300, "u18");
  is(w.jobs[2], 90.527, 8, 114, 300, "u01");
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

// ---- --mix: job classes ----

namespace {

// tests/fixtures/generator/mix.yaml: 70 % fine-tuning jobs on any GPU (1, 2 or 8 GPUs,
// lognormal run times), 25 % 8-GPU jobs needing an A100 or H100, 5 % 64-GPU pre-training runs
// given as params/tokens.
const std::string kMixFile = SUANLI_FIXTURES "/generator/mix.yaml";

GeneratorOptions mix_options(int jobs, std::uint64_t seed, const std::string& mix = "") {
  auto o = options(jobs, seed);
  o.mix = mix.empty() ? load_job_mix(kMixFile) : parse_job_mix(mix, "mix.yaml");
  o.reference_gpu = "A100";
  return o;
}

// Seconds on the reference GPU (peak FLOP/s `peak`): the duration, or the training run's
// 6 x params x tokens FLOPs over num_gpus GPUs at its MFU.
double reference_seconds(const Job& j, double peak) {
  return j.has_duration() ? j.duration_s : 6 * j.params * j.tokens / (j.num_gpus * j.mfu * peak);
}

double peak_of(const std::string& gpu) {
  return suanli::platform::DeviceCatalog::builtin().find(gpu)->peak_flops();
}

std::string error_of(const GeneratorOptions& o) {
  return suanli::testing::input_error_of([&] { generate_workload(o); }, "generate_workload");
}

}  // namespace

// A class of weight p among N jobs has a count with standard error sqrt(p (1 - p) / N): with
// N = 20,000, 0.32 points for p = 0.7, 0.31 for 0.25, 0.15 for 0.05. Each share is checked
// to within 5 standard errors (a 1 in 1.7 million chance per check for a correct generator),
// over three seeds. Inside the fine-tuning class (about 14,000 jobs) the same bound holds for
// its GPU counts (at most 0.42 points of standard error).
TEST_CASE("generate --mix: class shares and their GPU counts follow the weights") {
  const std::map<std::string, double> weights = {
      {"finetune", 0.7}, {"multi8", 0.25}, {"pretrain", 0.05}};
  const std::map<int, double> finetune_gpus = {{1, 0.5}, {2, 0.3}, {8, 0.2}};
  constexpr int kJobs = 20000;
  for (std::uint64_t seed : {1, 2, 3}) {
    CAPTURE(seed);
    auto o = mix_options(kJobs, seed);
    o.gpus = 4096;
    const auto w = generate_workload(o);
    std::map<std::string, int> count;
    std::map<int, int> finetune_count;
    for (const auto& j : w.jobs) {
      ++count[j.job_type];
      if (j.job_type == "finetune") ++finetune_count[j.num_gpus];
    }
    CHECK(count.size() == 3);
    for (const auto& [name, p] : weights) {
      CAPTURE(name);
      const double se = std::sqrt(p * (1 - p) / kJobs);
      CHECK(std::abs(double(count[name]) / kJobs - p) <= 5 * se);
    }
    const int n = count["finetune"];
    for (const auto& [g, p] : finetune_gpus) {
      CAPTURE(g);
      const double se = std::sqrt(p * (1 - p) / n);
      CHECK(std::abs(double(finetune_count[g]) / n - p) <= 5 * se);
    }
    CHECK(finetune_count.size() == 3);
  }
}

TEST_CASE("generate --mix: each job carries its class's name, constraint, priority and work") {
  const auto w = generate_workload(mix_options(3000, 7));
  std::map<std::string, int> count;
  for (const auto& j : w.jobs) {
    CAPTURE(j.id);
    ++count[j.job_type];
    CHECK(j.reference_gpu == "A100");
    CHECK(j.walltime_s >= reference_seconds(j, peak_of("A100")));
    if (j.job_type == "finetune") {
      CHECK(j.has_duration());
      CHECK(j.gpu_type.empty());
      CHECK(j.priority == 0);
      CHECK((j.num_gpus == 1 || j.num_gpus == 2 || j.num_gpus == 8));
    } else if (j.job_type == "multi8") {
      CHECK(j.has_duration());
      CHECK(j.gpu_type == "A100|H100");
      CHECK(j.priority == 1);
      CHECK(j.num_gpus == 8);
    } else {
      REQUIRE(j.job_type == "pretrain");
      CHECK_FALSE(j.has_duration());
      CHECK(j.params == 7e9);
      CHECK(j.tokens == 2e10);
      CHECK(j.mfu == 0.4);
      CHECK(j.batch_tokens == 4194304);
      CHECK(j.gpu_type.empty());
      CHECK(j.priority == 2);
      CHECK(j.num_gpus == 64);
    }
  }
  CHECK(count.size() == 3);
  CHECK(count["pretrain"] > 0);
}

// Offered load over the mix = sum(num_gpus x reference seconds) / (gpus x span), params/tokens
// jobs counted at the reference GPU's speed: the requested load up to the rounding of the last
// submit time to the millisecond (relative error under 1e-6 for these spans of > 1,000 s).
TEST_CASE("generate --mix: offered load is exact with params/tokens jobs") {
  for (const char* gpu : {"A100", "H100"}) {
    for (const char* arrival : {"poisson", "diurnal"}) {
      for (double load : {0.5, 1.2}) {
        CAPTURE(gpu);
        CAPTURE(arrival);
        CAPTURE(load);
        auto o = mix_options(2000, 11);
        o.reference_gpu = gpu;
        o.arrival = arrival;
        o.load = load;
        o.gpus = 1024;
        const auto w = generate_workload(o);
        double work = 0;
        for (const auto& j : w.jobs) work += j.num_gpus * reference_seconds(j, peak_of(gpu));
        const double span = w.jobs.back().submit_s;
        REQUIRE(span > 1000);
        CHECK(work / (1024 * span) == doctest::Approx(load).epsilon(1e-6));
      }
    }
  }
}

TEST_CASE("generate --mix: one class of trace sizes and run times draws what no mix draws") {
  auto plain = options(500, 9);
  auto one = options(500, 9);
  one.mix = parse_job_mix("classes:\n  - {name: all, weight: 3}\n", "one.yaml");
  const auto a = generate_workload(plain);
  auto b = generate_workload(one);
  REQUIRE(a.jobs.size() == b.jobs.size());
  for (auto& j : b.jobs) {
    CHECK(j.job_type == "all");
    j.job_type.clear();
  }
  CHECK(as_csv(a) == as_csv(b));
}

TEST_CASE("generate --mix: the same seed gives the same jobs, another seed other jobs") {
  const auto a = as_csv(generate_workload(mix_options(1000, 5)));
  CHECK(a == as_csv(generate_workload(mix_options(1000, 5))));
  CHECK(a != as_csv(generate_workload(mix_options(1000, 6))));
}

// As "a pinned draw" above, for the class and GPU-count draws of a mix (real weights).
TEST_CASE("generate --mix: a pinned draw") {
  auto o = mix_options(4, 1);
  o.gpus = 128;
  const auto w = generate_workload(o);
  REQUIRE(w.jobs.size() == 4);
  std::string drawn;
  for (const auto& j : w.jobs)
    drawn += fmt::format("{} {} {} {} {}|", j.job_type, j.num_gpus, j.submit_s,
                         reference_seconds(j, peak_of("A100")), j.walltime_s);
  CHECK(drawn ==
        "finetune 1 0 5332 14400|finetune 2 6.483 5987 14400|finetune 1 113.888 2364 3600|"
        "multi8 8 208.34 208 600|");
}

// Run times: fixed_s exactly; lognormal with the given median. The sample median of N
// lognormal draws has a log standard error of about 1.2533 sigma / sqrt(N) = 0.0089 for
// sigma 1 and N = 20,000: 5% is more than 5 standard errors. The [1 s, 7 days] limits are
// 7.5 and 5.8 sigma away from a 1,800 s median and move it by less than 1e-7.
TEST_CASE("generate --mix: fixed and lognormal run times") {
  const auto w = generate_workload(mix_options(20000, 3,
                                               "classes:\n"
                                               "  - {name: fixed, weight: 1, duration: {fixed_s: "
                                               "600.5}}\n"
                                               "  - name: ln\n    weight: 1\n    gpus: 1\n"
                                               "    duration: {lognormal: {median_s: 1800, "
                                               "sigma: 1, max_s: 50000}}\n"));
  std::vector<double> ln;
  for (const auto& j : w.jobs) {
    if (j.job_type == "fixed") {
      CHECK(j.duration_s == 600.5);
    } else {
      ln.push_back(j.duration_s);
      CHECK(j.duration_s == std::round(j.duration_s));
      CHECK(j.duration_s >= 1);
      CHECK(j.duration_s <= 50000);
      CHECK(j.num_gpus == 1);
    }
  }
  REQUIRE(ln.size() > 9000);
  std::nth_element(ln.begin(), ln.begin() + ln.size() / 2, ln.end());
  CHECK(ln[ln.size() / 2] == doctest::Approx(1800).epsilon(0.05));
}

TEST_CASE("generate --mix: class and options that contradict each other") {
  auto o = mix_options(10, 1);
  o.gpus = 32;  // the pretrain class asks for 64
  CHECK(error_of(o) == kMixFile +
                           ":17: classes[2].gpus: 64 GPUs is more than the largest job allowed, "
                           "32 (--max-gpus, else --gpus)");
  o = mix_options(10, 1);
  o.max_gpus = 4;  // finetune may draw 8
  CHECK(error_of(o).starts_with(kMixFile + ":7: classes[0].gpus: 8 GPUs is more than"));
  o = mix_options(10, 1);
  o.reference_gpu.clear();
  CHECK(error_of(o) == "--reference-gpu: needed by class 'pretrain' (" + kMixFile +
                           ":18), a params/tokens training run: the offered load counts its "
                           "GPU-seconds at that GPU's speed (e.g. --reference-gpu A100)");
  o = mix_options(10, 1);
  o.reference_gpu = "B200";
  CHECK(error_of(o).starts_with("--reference-gpu: unknown GPU 'B200' (the built-in catalog has: "));
}

TEST_CASE("generate --mix: the native CSV keeps every field of every class") {
  const auto w = generate_workload(mix_options(300, 2));
  const suanli::testing::TempFile file("generator", "mix.csv", as_csv(w));
  const auto back = read_native_csv(file.path());
  REQUIRE(back.jobs.size() == w.jobs.size());
  for (std::size_t i = 0; i < w.jobs.size(); ++i) {
    const Job& a = w.jobs[i];
    const Job& b = back.jobs[i];
    CAPTURE(a.id);
    CHECK(b.id == a.id);
    CHECK(b.submit_s == a.submit_s);
    CHECK(b.num_gpus == a.num_gpus);
    CHECK(b.duration_s == a.duration_s);
    CHECK(b.params == a.params);
    CHECK(b.tokens == a.tokens);
    CHECK(b.mfu == a.mfu);
    CHECK(b.batch_tokens == a.batch_tokens);
    CHECK(b.gpu_type == a.gpu_type);
    CHECK(b.walltime_s == a.walltime_s);
    CHECK(b.user == a.user);
    CHECK(b.priority == a.priority);
    CHECK(b.job_type == a.job_type);
    CHECK(b.reference_gpu == a.reference_gpu);
  }
}
