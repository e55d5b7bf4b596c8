#pragma once
// Synthetic workloads (`suanli workload generate`): job sizes from the Microsoft Philly
// trace's GPU-count histogram, run times from the SenseTime Helios trace's published median
// and mean, arrivals Poisson or diurnal at a chosen offered load. The model and its sources
// are the ones of scripts/gen_default_workload.py; docs/generator.md explains each part and
// what is our approximation. Duration jobs only: no params/tokens jobs, no gpu_type
// constraints.
#include <cstdint>
#include <string>

#include "suanli/workload/job.hpp"

namespace suanli::workload {

struct GeneratorOptions {
  int jobs = 1000;                  // how many jobs (>= 1)
  std::uint64_t seed = 0;           // same options + seed: the same jobs on every machine
  double load = 0.8;                // offered load as a fraction of the cluster (> 0)
  int gpus = 512;                   // cluster capacity in GPUs (>= 1)
  int max_gpus = 0;                 // largest job in GPUs; 0 = `gpus` (1 <= max_gpus <= gpus)
  std::string arrival = "poisson";  // "poisson" or "diurnal"
};

// Throws InputError("--option: ...") for options out of range. Jobs are g000001, g000002...
// in submit order; the first is submitted at 0 and, for more than one job, the last at
// span = sum(num_gpus x duration) / (load x gpus), so that the offered load over the
// submission span is `load` (up to the millisecond rounding of submit times).
Workload generate_workload(const GeneratorOptions& options);

}  // namespace suanli::workload
