#pragma once
// A training job as the workload describes it: what the scheduler sees (submit time, size,
// walltime estimate, constraint) and what it takes to run (a duration on its reference GPU,
// or a model size and token count). Fixed size apart from short strings.
#include <cstdint>
#include <string>
#include <vector>

namespace suanli::workload {

struct Job {
  std::string id;
  double submit_s = 0;
  int num_gpus = 0;
  // Exactly one of the two work descriptions is set:
  double duration_s = -1;  // seconds on the reference GPU (gpu_type, else the platform's
                           // most common model); -1 when params/tokens are given
  double params = 0;       // model parameters (training run: FLOPs = 6 * params * tokens)
  double tokens = 0;
  double mfu = 0.4;               // model FLOPs utilisation for params/tokens jobs
  double batch_tokens = 4194304;  // tokens per optimizer step (gradient exchange cadence)
  std::string gpu_type;           // constraint: empty = any model
  double walltime_s = -1;         // user's estimate on the reference GPU; -1 = not given
  std::string user;
  int priority = 0;
  int line = 0;  // line in the source file, for messages

  bool has_duration() const { return duration_s >= 0; }
};

struct Workload {
  std::string source;     // file it was read from
  std::vector<Job> jobs;  // in file order
  std::vector<std::string> ignored_columns;
};

}  // namespace suanli::workload
