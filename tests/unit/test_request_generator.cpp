// generate_requests: determinism, arrival rates and shapes within statistical bounds derived
// below, lengths against their quantile tables, and the tables against the real trace.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <string>
#include <vector>

#include "suanli/workload/request_format.hpp"
#include "suanli/workload/request_generator.hpp"
#include "test_support.hpp"

using namespace suanli::workload;
using suanli::testing::input_error_of;

namespace {

RequestGenOptions options(std::int64_t count, std::uint64_t seed, double rate,
                          const std::string& arrival) {
  RequestGenOptions o;
  o.count = count;
  o.seed = seed;
  o.rate = rate;
  o.arrival = arrival;
  return o;
}

bool same_requests(const RequestWorkload& a, const RequestWorkload& b) {
  return std::equal(a.requests.begin(), a.requests.end(), b.requests.begin(), b.requests.end(),
                    [](const Request& x, const Request& y) {
                      return x.arrival_s == y.arrival_s && x.prompt_tokens == y.prompt_tokens &&
                             x.output_tokens == y.output_tokens && x.model == y.model &&
                             x.line == y.line;
                    });
}

const RequestLengthTable& table(std::string_view name) {
  for (const RequestLengthTable& t : request_length_tables())
    if (t.name == name) return t;
  FAIL("no length table " << name);
  return request_length_tables()[0];
}

}  // namespace

TEST_CASE("request generator: the same seed gives the same requests") {
  for (const char* arrival : {"poisson", "gamma", "diurnal"}) {
    CAPTURE(arrival);
    RequestGenOptions o = options(5000, 11, 4.0, arrival);
    o.burstiness = 3;
    const RequestWorkload a = generate_requests(o);
    CHECK(same_requests(a, generate_requests(o)));
    o.seed = 12;
    CHECK_FALSE(same_requests(a, generate_requests(o)));
    // First at 0, in order, numbered from 1, no model, no ids, no hashes.
    CHECK(a.requests.front().arrival_s == 0);
    CHECK(std::is_sorted(
        a.requests.begin(), a.requests.end(),
        [](const Request& x, const Request& y) { return x.arrival_s < y.arrival_s; }));
    CHECK(a.requests.back().line == 5000);
    CHECK(a.models.size() == 1);
    CHECK(a.ids.empty());
    CHECK(a.hash_ids.empty());
  }
}

TEST_CASE("request generator: regression values for seed 42") {
  // Values of this implementation (arrivals rounded to microseconds), not of a reference:
  // a change here changes every generated workload.
  const RequestWorkload w = generate_requests(options(3, 42, 2.0, "poisson"));
  REQUIRE(w.requests.size() == 3);
  CHECK(w.requests[0].arrival_s == 0);
  CHECK(w.requests[1].arrival_s == 0.697456);
  CHECK(w.requests[2].arrival_s == 0.746852);
  CHECK(w.requests[0].prompt_tokens == 1202);
  CHECK(w.requests[0].output_tokens == 215);
}

TEST_CASE("request generator: Poisson and Gamma arrivals have the asked mean rate and CV") {
  // n gaps with coefficient of variation c: the mean gap's relative standard error is c/sqrt(n),
  // so the estimated rate is within 5 standard errors (a 1-in-1.7-million miss) of `rate`.
  // The sample CV^2 of Gamma gaps of shape k = 1/b has relative standard error about
  // sqrt((2 + 6/k) / n) (the fourth moment of a Gamma); 6 of those are allowed.
  const int n = 200000;
  for (const double b : {1.0, 0.25, 4.0}) {
    CAPTURE(b);
    RequestGenOptions o = options(n + 1, 5, 7.0, b == 1.0 ? "poisson" : "gamma");
    o.burstiness = b;
    const RequestWorkload w = generate_requests(o);
    const double span = w.requests.back().arrival_s;
    const double rate = n / span;
    CHECK(std::fabs(rate / 7.0 - 1) < 5 * std::sqrt(b / n));
    double sum = 0, sum2 = 0;
    for (int i = 1; i <= n; ++i) {
      const double gap = w.requests[i].arrival_s - w.requests[i - 1].arrival_s;
      sum += gap;
      sum2 += gap * gap;
    }
    const double mean = sum / n;
    const double cv2 = (sum2 / n - mean * mean) / (mean * mean);
    CHECK(std::fabs(cv2 / b - 1) < 6 * std::sqrt((2 + 6 * b) / n));
  }
}

TEST_CASE("request generator: diurnal arrivals follow the day's sinusoid") {
  // 8 days' worth of requests; the first 7 days surely end before the last request (its time
  // would have to be 55 standard deviations early), so their counts are Poisson with the
  // integral of the rate as mean: each hour of the day within 5 standard deviations.
  const double rate = 0.25, amplitude = 0.5, peak = 15;
  const int days = 7;
  RequestGenOptions o = options(static_cast<std::int64_t>(rate * 86400 * 8), 3, rate, "diurnal");
  o.diurnal_amplitude = amplitude;
  o.peak_hour = peak;
  const RequestWorkload w = generate_requests(o);
  REQUIRE(w.requests.back().arrival_s > days * 86400.0);
  std::vector<double> per_hour(24, 0);
  double total = 0;
  for (std::size_t i = 1; i < w.requests.size(); ++i) {  // the first (at 0) is not drawn
    const double t = w.requests[i].arrival_s;
    if (t >= days * 86400.0) break;
    per_hour[static_cast<std::size_t>(std::fmod(t, 86400.0) / 3600)] += 1;
    total += 1;
  }
  const double expected_total = rate * 86400 * days;
  CHECK(std::fabs(total - expected_total) < 5 * std::sqrt(expected_total));
  const double w24 = 2 * std::numbers::pi / 24;
  for (int h = 0; h < 24; ++h) {
    CAPTURE(h);
    const double integral =
        3600 *
        (1 + amplitude / w24 * (std::sin(w24 * (h + 1 - peak)) - std::sin(w24 * (h - peak))));
    const double expected = rate * days * integral;
    CHECK(std::fabs(per_hour[static_cast<std::size_t>(h)] - expected) < 5 * std::sqrt(expected));
  }
  // The busiest hour is next to the peak, the quietest twelve hours away.
  const auto busiest = std::max_element(per_hour.begin(), per_hour.end()) - per_hour.begin();
  const auto quietest = std::min_element(per_hour.begin(), per_hour.end()) - per_hour.begin();
  CHECK((busiest == 14 || busiest == 15));
  CHECK((quietest == 2 || quietest == 3));
}

TEST_CASE("request generator: lengths follow their quantile tables") {
  // A draw interpolates between quantiles and rounds, so for each quantile q_p of the table
  // P(X < q_p) <= p <= P(X <= q_p); the empirical fractions may miss by 5 binomial standard
  // errors sqrt(p (1 - p) / n).
  const int n = 200000;
  for (const char* name : {"azure-conv", "azure-code"}) {
    CAPTURE(name);
    RequestGenOptions o = options(n, 9, 10, "poisson");
    o.lengths = name;
    const RequestWorkload w = generate_requests(o);
    const RequestLengthTable& t = table(name);
    for (const bool prompt : {true, false}) {
      CAPTURE(prompt);
      std::vector<int> x;
      for (const Request& r : w.requests) x.push_back(prompt ? r.prompt_tokens : r.output_tokens);
      std::sort(x.begin(), x.end());
      const auto quantiles = prompt ? t.prompt : t.output;
      for (std::size_t k = 1; k + 1 < t.permille.size(); ++k) {
        const double p = t.permille[k] / 1000.0;
        const double slack = 5 * std::sqrt(p * (1 - p) / n);
        const double below =
            double(std::lower_bound(x.begin(), x.end(), quantiles[k]) - x.begin()) / n;
        const double at_most =
            double(std::upper_bound(x.begin(), x.end(), quantiles[k]) - x.begin()) / n;
        CHECK(below <= p + slack);
        CHECK(at_most >= p - slack);
      }
      CHECK(x.front() >= quantiles.front());
      CHECK(x.back() <= quantiles.back());
    }
  }
}

TEST_CASE("request generator: the length tables are the quantiles of the real trace") {
  const std::filesystem::path root = "/work/shared/traces/azure_llm_2023";
  if (!std::filesystem::exists(root)) {
    MESSAGE("skipped: " << root.string() << " is not present");
    return;
  }
  for (const auto& [name, file] : {std::pair{"azure-conv", "AzureLLMInferenceTrace_conv.csv"},
                                   std::pair{"azure-code", "AzureLLMInferenceTrace_code.csv"}}) {
    CAPTURE(name);
    const RequestWorkload w = read_requests((root / file).string(), "azure-llm");
    const RequestLengthTable& t = table(name);
    for (const bool prompt : {true, false}) {
      std::vector<int> x;
      for (const Request& r : w.requests) x.push_back(prompt ? r.prompt_tokens : r.output_tokens);
      std::sort(x.begin(), x.end());
      const std::size_t n = x.size();
      const auto quantiles = prompt ? t.prompt : t.output;
      for (std::size_t k = 0; k < t.permille.size(); ++k)
        CHECK(quantiles[k] == x[static_cast<std::size_t>(t.permille[k]) * (n - 1) / 1000]);
    }
  }
}

TEST_CASE("request generator: a model name, metadata") {
  RequestGenOptions o = options(10, 1, 1, "gamma");
  o.burstiness = 2;
  o.model = "llama-3-8b";
  o.lengths = "azure-code";
  const RequestWorkload w = generate_requests(o);
  CHECK(w.models == std::vector<std::string>{"", "llama-3-8b"});
  CHECK(std::all_of(w.requests.begin(), w.requests.end(),
                    [](const Request& r) { return r.model == 1; }));
  CHECK(w.source == "generated");
  REQUIRE(w.metadata.size() == 3);
  CHECK(w.metadata[0].second == "requests: gamma at 1 requests/s, burstiness (CV^2) 2");
  CHECK(
      w.metadata[1].second ==
      "azure-code: quantiles of AzureLLMInferenceTrace_code.csv (Azure LLM inference trace 2023)");
  CHECK(w.metadata[2] == std::pair<std::string, std::string>{"seed", "1"});
}

TEST_CASE("request generator: options out of range") {
  const std::pair<void (*)(RequestGenOptions&), const char*> cases[] = {
      {[](RequestGenOptions& o) { o.count = 0; }, "--count: must be between 1 and 2147483647"},
      {[](RequestGenOptions& o) { o.rate = 0; }, "--rate: must be a number > 0"},
      {[](RequestGenOptions& o) { o.arrival = "weibull"; },
       "--arrival: unknown 'weibull' (expected poisson, gamma or diurnal)"},
      {[](RequestGenOptions& o) { o.burstiness = -1; },
       "--burstiness: must be a number > 0 (the CV^2 of the gaps; 1 = Poisson)"},
      {[](RequestGenOptions& o) { o.diurnal_amplitude = 1.5; },
       "--diurnal-amplitude: must be between 0 and 1"},
      {[](RequestGenOptions& o) { o.peak_hour = 24; },
       "--peak-hour: must be at least 0 and below 24"},
      {[](RequestGenOptions& o) { o.lengths = "sharegpt"; },
       "--lengths: unknown 'sharegpt' (expected azure-conv or azure-code)"},
  };
  for (const auto& [change, message] : cases) {
    RequestGenOptions o;
    change(o);
    CHECK(input_error_of([&] { generate_requests(o); }, message) == message);
  }
}
