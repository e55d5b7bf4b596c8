#pragma once
// Turns a job into work for the engine: FLOPs per GPU at the GPU's peak, the bytes each GPU
// sends to its ring successor for data-parallel gradient exchange, and the time the job
// would take on its reference GPU. No SimGrid here.
#include "suanli/platform/device_catalog.hpp"
#include "suanli/workload/job.hpp"

namespace suanli::perf {

// Gradients are exchanged in bf16: 2 bytes per parameter.
inline constexpr double kGradientBytesPerParam = 2.0;

struct JobWork {
  double flops_per_gpu = 0;        // at peak speed: wall time on a GPU = flops_per_gpu / peak
  double ring_bytes_per_gpu = 0;   // total over the run, sent by each GPU to its successor
  double reference_runtime_s = 0;  // compute time on the reference GPU, no contention
};

// `reference` is the job's reference GPU (its gpu_type, else the platform's most common model).
//  - duration job: flops_per_gpu = duration x reference peak, no communication;
//  - params/tokens job: 6 x params x tokens FLOPs split over num_gpus at the job's MFU, so
//    flops_per_gpu = 6PT / (n x mfu) (a GPU at peak p then computes for 6PT / (n x mfu x p));
//    steps = ceil(tokens / batch_tokens), and a ring all-reduce of the 2-byte gradients
//    (M = 2P bytes) makes each GPU send 2 (n-1)/n x M per step (reduce-scatter + all-gather).
JobWork job_work(const workload::Job& job, const platform::DeviceSpec& reference);

// The walltime the scheduler sees, in reference-GPU seconds: the user's estimate when given,
// otherwise the reference runtime.
double walltime_estimate(const workload::Job& job, const JobWork& work);

}  // namespace suanli::perf
