#pragma once
// Streams a run's outputs as they are made (jobs.csv, timeline.csv) and writes summary.json
// at the end. Keeps only what the summary needs: one JCT, wait and slowdown per job.
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "suanli/report/partial_outputs.hpp"
#include "suanli/report/records.hpp"

namespace suanli::report {

struct RunInfo {
  std::string policy;
  std::string placement;
  std::string exec_model;
  std::uint64_t seed = 0;
  int jobs_total = 0;
  int jobs_rejected = 0;
  int total_gpus = 0;
  double makespan_s = 0;
  EnergyBreakdown energy;  // the whole run's (a combined run: once, in the training info)
  double sim_wall_s = 0;
  double peak_rss_mb = 0;
  double decision_wall_s = -1;  // the policy's cost (RunOutcome); -1: not measured
  double decision_p99_ms = -1;
  // Under --power-budget-w: starts it held back and jobs it suspended.
  bool power_budget = false;
  std::uint64_t power_holds = 0;
  std::uint64_t power_suspensions = 0;
};

// Bounded slowdown threshold (Feitelson et al.): short jobs don't dominate the mean.
inline constexpr double kSlowdownBoundS = 10.0;

// A timeline longer than this is a mistake in --sample-seconds, not something to write.
inline constexpr std::uint64_t kMaxTimelineRows = 50'000'000;

class Recorder {
 public:
  // Writes out_dir/jobs.csv.partial and timeline.csv.partial (the directory must exist);
  // finish() renames them to jobs.csv and timeline.csv once summary.json is written, so a run
  // that fails leaves the directory as it was (the destructor removes the partial files).
  // sample_seconds > 0: one timeline row per period instead of one per change. Without
  // `timeline`, only jobs.csv: the run's timeline is another recorder's (a combined run's,
  // with training and serving columns, is the serving recorder's).
  Recorder(const std::string& out_dir, double sample_seconds, bool timeline = true);
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  void job(const JobRecord& record);
  // The state after everything that happened at state.time_s. Rows at the same time collapse.
  void state(const ClusterState& state);
  // Flushes the timeline up to the makespan and writes summary.json.
  void finish(const RunInfo& info);
  // The same, for a run whose summary.json has this as its "training" section: flushes and
  // renames the streamed files, and returns the section (RunInfo's energy and costs are the
  // whole summary's, not the section's).
  nlohmann::ordered_json finish_section(const RunInfo& info);

 private:
  nlohmann::ordered_json summary(const RunInfo& info);
  void flush_timeline(double makespan_s);
  void write_row(const ClusterState& row);
  void flush_pending_until(double time_s);
  void write_samples_before(double limit_s);

  double sample_seconds_;
  PartialOutputs outputs_;
  std::FILE* jobs_;
  std::FILE* timeline_;
  bool have_pending_ = false;
  ClusterState pending_;
  std::uint64_t next_sample_ = 0;  // sample k is at k x sample_seconds (no drift)
  std::uint64_t timeline_rows_ = 0;
  std::vector<double> jct_;
  std::vector<double> wait_;
  double slowdown_sum_ = 0;
  double busy_gpu_seconds_ = 0;
  std::uint64_t preemptions_ = 0;
  double lost_gpu_seconds_ = 0;
  // Metrics over the cluster's states (docs/policies.md, "Metrics"): the active jobs'
  // integral over time, for each job's finish-time fairness; fragmented GPU-seconds; GPUs
  // allocated while jobs wait.
  struct ActivePoint {
    double time_s;
    double integral;  // of the number of active jobs, from the first state to time_s
    int active;       // from time_s on
  };
  void integrate_until(double time_s);
  double active_integral(double time_s) const;
  std::vector<ActivePoint> active_;
  ClusterState last_state_;
  bool have_state_ = false;
  double fragmented_gpu_s_ = 0;
  double waiting_s_ = 0;
  double allocated_while_waiting_gpu_s_ = 0;
  // Looked up by the record's string_view without building a string per job.
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };
  std::unordered_map<std::string, double, TextHash, std::equal_to<>> user_gpu_s_;
  std::vector<double> ftf_rho_;
};

// Linear interpolation between closest ranks (numpy's default); q in [0,1]. Sorts `values`.
double percentile(std::vector<double>& values, double q);

}  // namespace suanli::report
