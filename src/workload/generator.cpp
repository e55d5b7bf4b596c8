#include "suanli/workload/generator.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <numeric>
#include <random>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "suanli/common/input_error.hpp"

namespace suanli::workload {

namespace {

// ---- the model: sources as in scripts/gen_default_workload.py (docs/generator.md) ----

// [P] Microsoft Philly trace (Jeon et al., USENIX ATC 2019): job counts per GPU count, as in
// the Philly-derived traces Gavel ships (scheduler/traces/msr/seed=0, all 15 virtual
// clusters, 15,264 jobs). Unchanged from PHILLY_GPU_COUNTS in the script.
constexpr std::array<std::pair<int, std::uint64_t>, 11> kPhillyGpuCounts = {{{1, 10480},
                                                                             {2, 463},
                                                                             {4, 2044},
                                                                             {7, 2},
                                                                             {8, 1916},
                                                                             {12, 6},
                                                                             {16, 255},
                                                                             {20, 1},
                                                                             {24, 5},
                                                                             {32, 91},
                                                                             {64, 1}}};

// [A1] Run time d = g^kGamma * exp(kMu + kSigma * Z) seconds for a job of g GPUs: the fit
// that fit_duration_model() in scripts/gen_default_workload.py computes from [P] and the
// SenseTime Helios trace [H] (Hu et al., SC 2021: median run time 206 s, mean 6,651.681 s,
// GPU time per job 2.0 x mean GPUs x mean run time). Copied from its output, not re-fitted.
constexpr double kGamma = 0.6380049410539248;
constexpr double kMu = 4.990087568558738;
constexpr double kSigma = 2.5643580954680836;

// [A2] Run times outside [1 s, 7 days] are redrawn; kept run times are whole seconds.
constexpr double kMinDurationS = 1.0;
constexpr double kMaxDurationS = 7 * 86400.0;

// [A4] Diurnal arrival rate proportional to 1 + kDiurnalAmplitude cos(2 pi (t - 15 h) / 24 h),
// t = 0 being midnight.
constexpr double kDiurnalAmplitude = 0.5;
constexpr double kPeakHour = 15.0;

// [A5] Round values users ask for as walltime (5 min ... 7 days; above that, whole days).
constexpr std::array<double, 14> kPopularWalltimesS = {
    5 * 60.0,   10 * 60.0,  15 * 60.0,   30 * 60.0,   3600.0,      2 * 3600.0,  4 * 3600.0,
    6 * 3600.0, 8 * 3600.0, 12 * 3600.0, 24 * 3600.0, 48 * 3600.0, 72 * 3600.0, 168 * 3600.0};

// [A6] Users u01..u40 with Zipf(1) activity.
constexpr int kUsers = 40;

// ---- portable sampling from raw mt19937_64 output ----
//
// std:: distributions differ between standard libraries, so every draw below is built from
// the engine's raw 64-bit values, which the standard fixes. Integer draws are exact; the
// floating-point ones go through log/cos/exp only where the result is then rounded (to whole
// seconds, to a walltime value, or decided by a comparison).
class Sampler {
 public:
  explicit Sampler(std::uint64_t seed) : rng_(seed) {}

  // Uniform in [0, 1): the top 53 bits.
  double uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, n), n >= 1, without modulo bias.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    while (true) {
      const std::uint64_t x = rng_();
      if (x >= threshold) return x % n;
    }
  }

  // Index i with probability weights[i] / total (integer weights: exact).
  std::size_t pick(const std::vector<std::uint64_t>& cumulative) {
    const std::uint64_t x = below(cumulative.back());
    return static_cast<std::size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), x) -
                                    cumulative.begin());
  }

  // Standard normal by Box-Muller (one value per pair of draws).
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

  // Exponential with mean 1.
  double exponential() { return -std::log(1.0 - uniform()); }

 private:
  std::mt19937_64 rng_;
};

std::vector<std::uint64_t> cumulative(const std::vector<std::uint64_t>& weights) {
  std::vector<std::uint64_t> c(weights.size());
  std::partial_sum(weights.begin(), weights.end(), c.begin());
  return c;
}

// Zipf(1) as exact integers: lcm(1..n) / k for user k.
std::vector<std::uint64_t> zipf_weights(int n) {
  std::uint64_t l = 1;
  for (int k = 2; k <= n; ++k) l = std::lcm(l, static_cast<std::uint64_t>(k));
  std::vector<std::uint64_t> w;
  for (int k = 1; k <= n; ++k) w.push_back(l / static_cast<std::uint64_t>(k));
  return w;
}

double duration_for(Sampler& s, int gpus) {
  const double log_scale = kMu + kGamma * std::log(static_cast<double>(gpus));
  while (true) {  // [A2]: redraw outside the limits
    const double d = std::exp(log_scale + kSigma * s.normal());
    if (d >= kMinDurationS && d <= kMaxDurationS) return std::round(d);
  }
}

double walltime_for(Sampler& s, double duration) {
  const double wanted = duration * std::exp(std::abs(s.normal()));  // [A5]: factor >= 1
  const auto it = std::lower_bound(kPopularWalltimesS.begin(), kPopularWalltimesS.end(), wanted);
  if (it != kPopularWalltimesS.end()) return *it;
  return std::ceil(wanted / 86400.0) * 86400.0;
}

// `count` submit times in [0, span], non-decreasing, the first at 0 and the last at span.
// Given the number of points in a window, the points of a Poisson process are independent
// with density proportional to its rate there; fixing both ends makes the submission span,
// and with it the offered load, exact rather than a random variable.
std::vector<double> arrivals(Sampler& s, int count, double span, bool diurnal) {
  std::vector<double> t(static_cast<std::size_t>(count), 0.0);
  if (count == 1) return t;
  const auto last = t.size() - 1;
  if (!diurnal) {
    // Poisson: exponential gaps, scaled to the span (uniform order statistics).
    double sum = 0;
    for (std::size_t i = 1; i <= last; ++i) {
      sum += s.exponential();
      t[i] = sum;
    }
    for (std::size_t i = 1; i < last; ++i) t[i] = span * (t[i] / sum);
  } else {
    // [A4]: thinning: uniform candidates kept with probability rate(t) / peak rate.
    for (std::size_t i = 1; i < last; ++i) {
      while (true) {
        const double x = span * s.uniform();
        const double phase = 2.0 * std::numbers::pi * (x / 3600.0 - kPeakHour) / 24.0;
        if (s.uniform() * (1.0 + kDiurnalAmplitude) <= 1.0 + kDiurnalAmplitude * std::cos(phase)) {
          t[i] = x;
          break;
        }
      }
    }
    std::sort(t.begin() + 1, t.begin() + static_cast<std::ptrdiff_t>(last));
  }
  t[last] = span;
  // Milliseconds, like the default workload; rounding keeps the order.
  for (double& x : t) x = std::round(x * 1000.0) / 1000.0;
  return t;
}

}  // namespace

Workload generate_workload(const GeneratorOptions& o) {
  if (o.jobs < 1) throw InputError("--jobs: must be >= 1");
  if (!(o.load > 0) || !std::isfinite(o.load)) throw InputError("--load: must be a number > 0");
  if (o.gpus < 1) throw InputError("--gpus: must be >= 1");
  const int max_gpus = o.max_gpus == 0 ? o.gpus : o.max_gpus;
  if (max_gpus < 1 || max_gpus > o.gpus)
    throw InputError(fmt::format("--max-gpus: must be between 1 and --gpus ({})", o.gpus));
  if (o.arrival != "poisson" && o.arrival != "diurnal")
    throw InputError("--arrival: unknown '" + o.arrival + "' (expected poisson or diurnal)");

  std::vector<int> sizes;
  std::vector<std::uint64_t> size_weights;
  for (const auto& [g, n] : kPhillyGpuCounts) {
    sizes.push_back(g);
    size_weights.push_back(n);
  }
  const auto size_cumulative = cumulative(size_weights);
  const auto user_cumulative = cumulative(zipf_weights(kUsers));

  Sampler s(o.seed);
  Workload w;
  w.source = "generated";
  w.format = "native";
  w.jobs.resize(static_cast<std::size_t>(o.jobs));
  double gpu_seconds = 0;  // sums of whole numbers: exact up to 2^53
  // Fixed draw order per job: size, run time, walltime, user; then all the arrivals.
  for (Job& job : w.jobs) {
    job.num_gpus = std::min(sizes[s.pick(size_cumulative)], max_gpus);
    job.duration_s = duration_for(s, job.num_gpus);
    job.walltime_s = walltime_for(s, job.duration_s);
    job.user = fmt::format("u{:02d}", s.pick(user_cumulative) + 1);
    gpu_seconds += job.num_gpus * job.duration_s;
  }
  const double span = gpu_seconds / (o.load * o.gpus);
  const auto times = arrivals(s, o.jobs, span, o.arrival == "diurnal");
  for (std::size_t i = 0; i < w.jobs.size(); ++i) {
    w.jobs[i].id = fmt::format("g{:06d}", i + 1);
    w.jobs[i].submit_s = times[i];
    w.jobs[i].line = static_cast<int>(i + 1);
  }
  w.metadata.emplace_back("generator",
                          "sizes: Philly (Jeon et al. 2019); run times: Helios (Hu et al. 2021)");
  w.metadata.emplace_back("seed", fmt::format("{}", o.seed));
  w.metadata.emplace_back("arrival", o.arrival);
  w.metadata.emplace_back("offered_load", fmt::format("{} of {} GPUs", o.load, o.gpus));
  return w;
}

}  // namespace suanli::workload
