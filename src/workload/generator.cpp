#include "suanli/workload/generator.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <numeric>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "suanli/common/input_error.hpp"
#include "suanli/common/rng.hpp"
#include "suanli/platform/device_catalog.hpp"

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

// ---- portable sampling (common/rng.hpp) ----
//
// Integer draws are exact; the floating-point ones go through log/cos/exp only where the
// result is then rounded (to whole seconds, to a walltime value, or decided by a comparison).
class Sampler : public Rng {
 public:
  using Rng::Rng;

  // Index i with probability weights[i] / total (integer weights: exact).
  std::size_t pick(const std::vector<std::uint64_t>& cumulative) {
    const std::uint64_t x = below(cumulative.back());
    return static_cast<std::size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), x) -
                                    cumulative.begin());
  }

  // The same for positive real weights (a mix file's): IEEE sums and one multiplication, no
  // library function, so the same index everywhere.
  std::size_t pick(const std::vector<double>& cumulative) {
    const double x = uniform() * cumulative.back();
    const auto i = static_cast<std::size_t>(
        std::upper_bound(cumulative.begin(), cumulative.end(), x) - cumulative.begin());
    return std::min(i, cumulative.size() - 1);
  }
};

template <typename Weight>
std::vector<Weight> cumulative(const std::vector<Weight>& weights) {
  std::vector<Weight> c(weights.size());
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

// A mix's lognormal run time: redrawn outside [min_s, max_s] (the mix reader made sure at
// least 1% of the draws fall inside), rounded to whole seconds.
double lognormal_duration(Sampler& s, const DurationModel& d) {
  while (true) {
    const double x = d.median_s * std::exp(d.sigma * s.normal());
    if (x >= d.min_s && x <= d.max_s) return std::round(x);
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

// One job class, ready to draw from.
struct ClassSampler {
  const JobClass* spec;
  std::vector<int> sizes;               // the class's GPU counts (empty: Philly)
  std::vector<double> size_cumulative;  // their cumulative weights
};

void check_options(const GeneratorOptions& o, int max_gpus) {
  if (o.jobs < 1) throw InputError("--jobs: must be >= 1");
  if (!(o.load > 0) || !std::isfinite(o.load)) throw InputError("--load: must be a number > 0");
  if (o.gpus < 1) throw InputError("--gpus: must be >= 1");
  if (max_gpus < 1 || max_gpus > o.gpus)
    throw InputError(fmt::format("--max-gpus: must be between 1 and --gpus ({})", o.gpus));
  if (o.arrival != "poisson" && o.arrival != "diurnal")
    throw InputError("--arrival: unknown '" + o.arrival + "' (expected poisson or diurnal)");
}

// The device --reference-gpu names, from the built-in catalog; nullptr when not given.
const platform::DeviceSpec* reference_device(const GeneratorOptions& o,
                                             const platform::DeviceCatalog& catalog) {
  if (o.reference_gpu.empty()) return nullptr;
  const platform::DeviceSpec* d = catalog.find(o.reference_gpu);
  if (!d || d->kind != "gpu" || d->peak_flops() <= 0) {
    std::vector<std::string> gpus;
    for (const auto& device : catalog.all())
      if (device.kind == "gpu") gpus.push_back(device.name);
    throw InputError(fmt::format("--reference-gpu: unknown GPU '{}' (the built-in catalog has: {})",
                                 o.reference_gpu, fmt::join(gpus, ", ")));
  }
  return d;
}

std::vector<ClassSampler> class_samplers(const JobMix& mix, int max_gpus,
                                         const platform::DeviceSpec* reference) {
  std::vector<ClassSampler> out;
  for (const JobClass& c : mix.classes) {
    ClassSampler cs{&c, {}, {}};
    std::vector<double> weights;
    for (const auto& [g, w] : c.gpus) {
      if (g > max_gpus)
        throw InputError(located(mix.source, c.gpus_line, c.path + ".gpus",
                                 fmt::format("{} GPUs is more than the largest job allowed, {} "
                                             "(--max-gpus, else --gpus)",
                                             g, max_gpus)));
      cs.sizes.push_back(g);
      weights.push_back(w);
    }
    cs.size_cumulative = cumulative(weights);
    if (c.model && !reference)
      throw InputError(fmt::format(
          "--reference-gpu: needed by class '{}' ({}:{}), a params/tokens training run: the "
          "offered load counts its GPU-seconds at that GPU's speed (e.g. --reference-gpu A100)",
          c.name, mix.source, c.model_line));
    out.push_back(std::move(cs));
  }
  return out;
}

// Without --mix: one class, Philly sizes and Helios run times, and no name.
JobMix builtin_mix() {
  JobMix mix;
  mix.classes.emplace_back();
  return mix;
}

}  // namespace

Workload generate_workload(const GeneratorOptions& o) {
  const int max_gpus = o.max_gpus == 0 ? o.gpus : o.max_gpus;
  check_options(o, max_gpus);
  const auto catalog = platform::DeviceCatalog::builtin();
  const platform::DeviceSpec* reference = reference_device(o, catalog);
  const double reference_peak = reference ? reference->peak_flops() : 0.0;  // FLOP/s
  const JobMix mix = o.mix ? *o.mix : builtin_mix();
  const auto classes = class_samplers(mix, max_gpus, reference);
  std::vector<double> class_weights;
  for (const JobClass& c : mix.classes) class_weights.push_back(c.weight);
  const auto class_cumulative = cumulative(class_weights);

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
  double gpu_seconds = 0;  // without a mix, sums of whole numbers: exact up to 2^53
  // Fixed draw order per job: class (when there are several), size (when the class has
  // several), run time, walltime, user; then all the arrivals. One class of Philly sizes and
  // Helios run times draws exactly what the generator without a mix draws.
  for (Job& job : w.jobs) {
    const ClassSampler& cs = classes[classes.size() > 1 ? s.pick(class_cumulative) : 0];
    const JobClass& c = *cs.spec;
    if (cs.sizes.empty()) {
      job.num_gpus = std::min(sizes[s.pick(size_cumulative)], max_gpus);
    } else {
      job.num_gpus = cs.sizes[cs.sizes.size() > 1 ? s.pick(cs.size_cumulative) : 0];
    }
    double reference_s = 0;  // seconds on the reference GPU
    if (c.model) {
      job.params = c.model->params;
      job.tokens = c.model->tokens;
      job.mfu = c.model->mfu;
      job.batch_tokens = c.model->batch_tokens;
      reference_s = 6.0 * job.params * job.tokens / (job.num_gpus * job.mfu * reference_peak);
    } else {
      switch (c.duration.kind) {
        case DurationModel::Kind::kTrace:
          job.duration_s = duration_for(s, job.num_gpus);
          break;
        case DurationModel::Kind::kLognormal:
          job.duration_s = lognormal_duration(s, c.duration);
          break;
        case DurationModel::Kind::kFixed:
          job.duration_s = c.duration.fixed_s;
          break;
      }
      reference_s = job.duration_s;
    }
    job.walltime_s = walltime_for(s, reference_s);
    job.user = fmt::format("u{:02d}", s.pick(user_cumulative) + 1);
    job.job_type = c.name;
    job.gpu_type = c.gpu_type;
    job.priority = c.priority;
    if (reference) job.reference_gpu = reference->name;
    gpu_seconds += job.num_gpus * reference_s;
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
  if (o.mix) {
    std::vector<std::string> names;
    for (const JobClass& c : o.mix->classes)
      names.push_back(fmt::format("{} {}", c.name, c.weight));
    w.metadata.emplace_back("mix", fmt::format("{}: {}", o.mix->source, fmt::join(names, ", ")));
  }
  if (reference) w.metadata.emplace_back("reference_gpu", reference->name);
  return w;
}

}  // namespace suanli::workload
