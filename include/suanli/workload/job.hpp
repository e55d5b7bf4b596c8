#pragma once
// A training job as the workload describes it: what the scheduler sees (submit time, size,
// walltime estimate, constraint) and what it takes to run (a duration on its reference GPU,
// or a model size and token count). A fixed-size record (136 bytes): the short strings many
// jobs share are interned Symbols, and ids up to 15 characters need no allocation.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "suanli/workload/symbol.hpp"

namespace suanli::workload {

struct Job {
  // Unique per job, so not interned; ids up to 15 characters fit in the string itself.
  std::string id;
  double submit_s = 0;
  // Exactly one of the two work descriptions is set:
  double duration_s = -1;  // seconds on the reference GPU (gpu_type, else the platform's
                           // most common model); -1 when params/tokens are given
  double params = 0;       // model parameters (training run: FLOPs = 6 * params * tokens)
  double tokens = 0;
  double mfu = 0.4;               // model FLOPs utilisation for params/tokens jobs
  double batch_tokens = 4194304;  // tokens per optimizer step (gradient exchange cadence)
  double walltime_s = -1;         // user's estimate on the reference GPU; -1 = not given
  int num_gpus = 0;
  int priority = 0;
  int line = 0;  // line in the source file (or record number), for messages
  // Host resources beside the GPUs (Alibaba's cpu_milli, memory_mib): thousandths of a CPU
  // core and MiB of host memory, 0 = none asked. A job asking for either is a pod: it runs on
  // one node, which must hold its GPUs, CPUs and memory at once; with num_gpus 0 it is a
  // CPU-only pod.
  int cpu_milli = 0;
  int memory_mib = 0;
  // A deferrable job: seconds after its submission by which it must have finished (the
  // native column `deadline`; -1: not deferrable). A float, so that the record stays 136 bytes.
  float deadline_s = -1;
  Symbol gpu_type;  // constraint: empty = any model
  // The device whose seconds `duration` counts (a catalog name such as V100): set by trace
  // readers whose durations were measured on a known GPU. Empty: gpu_type, else the
  // platform's most common model.
  Symbol reference_gpu;
  Symbol user;
  // From public traces: the job's final state there (Pass/Killed/Failed, COMPLETED, ...;
  // empty when the format has none), whether it ever started there, and its model or job
  // type (for per-GPU-type throughput tables).
  Symbol trace_state;
  Symbol job_type;
  // A GPU share below one GPU (1..999 thousandths of one GPU, Alibaba's gpu_milli; 0 =
  // whole GPUs).
  std::int16_t gpu_milli = 0;
  bool started_in_trace = true;

  bool has_duration() const { return duration_s >= 0; }
  bool is_pod() const { return cpu_milli > 0 || memory_mib > 0; }
  bool deferrable() const { return deadline_s >= 0; }
};

struct Workload {
  std::string source;     // file it was read from
  std::string format;     // registry name of the format it was read as
  std::vector<Job> jobs;  // in file order
  std::vector<std::string> ignored_columns;
  // What the trace says about itself and what the reader did, in order, for `workload stats`
  // and the run log: original epoch of time 0, SWF header fields, rows dropped and why.
  std::vector<std::pair<std::string, std::string>> metadata;
};

}  // namespace suanli::workload
