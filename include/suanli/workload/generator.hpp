#pragma once
// Synthetic workloads (`suanli workload generate`): job sizes from the Microsoft Philly
// trace's GPU-count histogram, run times from the SenseTime Helios trace's published median
// and mean, arrivals Poisson or diurnal at a chosen offered load. The model and its sources
// are the ones of scripts/gen_default_workload.py; docs/generator.md explains each part and
// what is our approximation. Without a mix: duration jobs only, no params/tokens jobs, no
// gpu_type constraints. With a mix (job_mix.hpp): job classes drawn by weight, each with its
// own sizes, run times or training runs, constraint and priority.
#include <cstdint>
#include <optional>
#include <string>

#include "suanli/workload/job.hpp"
#include "suanli/workload/job_mix.hpp"

namespace suanli::workload {

struct GeneratorOptions {
  int jobs = 1000;                  // how many jobs (>= 1)
  std::uint64_t seed = 0;           // same options + seed: the same jobs on every machine
  double load = 0.8;                // offered load as a fraction of the cluster (> 0)
  int gpus = 512;                   // cluster capacity in GPUs (>= 1)
  int max_gpus = 0;                 // largest job in GPUs; 0 = `gpus` (1 <= max_gpus <= gpus)
  std::string arrival = "poisson";  // "poisson" or "diurnal"
  // Job classes (--mix); none: one class, the built-in Philly sizes and Helios run times.
  std::optional<JobMix> mix;
  // A built-in catalog device (--reference-gpu): every job's reference_gpu, so durations count
  // its seconds, and the speed at which params/tokens jobs' GPU-seconds count towards the
  // load. Required when the mix has params/tokens classes; empty: durations count seconds on
  // the platform's most common model, as without the option.
  std::string reference_gpu;
};

// Throws InputError("--option: ...") for options out of range, and InputError("mix:line:
// field: ...") for a mix class the options contradict (a GPU count above --max-gpus). Jobs
// are g000001, g000002... in submit order, with their class name as job_type when a mix is
// given; the first is submitted at 0 and, for more than one job, the last at
// span = sum(num_gpus x reference seconds) / (load x gpus), so that the offered load over the
// submission span is `load` (up to the millisecond rounding of submit times). A params/tokens
// job's reference seconds are 6 x params x tokens / (num_gpus x mfu x peak of --reference-gpu).
Workload generate_workload(const GeneratorOptions& options);

}  // namespace suanli::workload
