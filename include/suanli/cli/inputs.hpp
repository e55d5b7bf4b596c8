#pragma once
// Loading and checking what a run needs, shared by run, compare and validate. Everything is
// checked here, before anything is written.
#include <chrono>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "suanli/perf/prepared_job.hpp"
#include "suanli/platform/platform.hpp"
#include "suanli/platform/topology.hpp"
#include "suanli/sim/scenario.hpp"
#include "suanli/workload/job.hpp"
#include "suanli/workload/trace_format.hpp"

namespace suanli::cli {

struct Inputs {
  platform::Platform platform;
  platform::Topology topology;
  workload::Workload workload;
  std::vector<perf::PreparedJob> jobs;
  int rejected = 0;
};

// A bundled file (platforms/default.yaml, workloads/default.csv): from the working directory
// if it is there, else from the source tree suanli was built from.
std::string bundled_path(const std::string& relative);

// How to read a workload file: its format (empty: detect) and the readers' options.
struct WorkloadOptions {
  std::string format;
  workload::ReadOptions read;
  bool drop_unstarted = false;
};

boost::program_options::options_description workload_options_description(WorkloadOptions& options);
// Reads the workload as the options say, logs what the reader kept and dropped.
workload::Workload load_workload(const std::string& path, WorkloadOptions options);

Inputs load_inputs(platform::Platform platform, const std::string& workload_path,
                   const WorkloadOptions& workload_options, bool reject_oversized);

// Options shared by run and compare.
struct RunOptions {
  std::string platform;
  std::string workload;
  std::string out;
  std::string placement = "compact";
  long long seed = 0;  // signed so that "-1" is refused rather than wrapped
  double phase_seconds = 0;
  double sample_seconds = 0;
  std::string exec_model = "flows";
  WorkloadOptions workload_options;
  bool reject_oversized = false;
  std::vector<std::string> policy_params;  // --policy-param KEY=VALUE, in order
  double round_seconds = -1;               // -1: the policy's own rounds
  double preempt_cost_s = 0;
  double gpu_power_cap_w = 0;       // --gpu-power-cap-w: every GPU's power limit (0: the file's)
  std::string power_budget;         // --power-budget-w: watts, or a CSV file time_s,watts
  double energy_interval_s = 3600;  // --energy-interval-s: the facility meter's interval
};

// --power-budget-w as a time series (empty when not given); InputError naming the option or
// the file's line.
platform::TimeSeries power_budget_series(const RunOptions& options);

// The platform of a run: --platform (the bundled default when empty) with the options that
// change it (--gpu-power-cap-w).
platform::Platform load_run_platform(const RunOptions& options);

boost::program_options::options_description run_options_description(RunOptions& options);
// Checks option values (names, ranges, --out not a file); throws InputError naming the option.
void check_run_options(const RunOptions& options);
// `option` is how the user gave it ("--policy", "--policies"), for the message.
void check_policy_name(const std::string& name, const std::string& option);
// Checks --policy-param against the policies of the run (all of compare's): each value must
// suit every policy that declares its key, and every key must be some policy's. InputError
// naming the key and the policies' keys otherwise.
void check_policy_params(const std::vector<std::string>& policies, const RunOptions& options);
// Checks what depends on inputs and options together: --phase-seconds must not cut any job
// into more than kMaxPhases phases.
void check_run_limits(const Inputs& inputs, const RunOptions& options);
inline constexpr double kMaxPhases = 1e6;
// The training inputs of run and compare: --platform and --workload (the bundled defaults
// when not given, written back into `options`), read and checked against the run's limits.
Inputs load_training_inputs(RunOptions& options);

// Writes a command's output file (-o) whole; InputError naming -o when it cannot.
void write_output_file(const std::string& path, const std::string& text);

// Peak resident memory of this process so far, in MiB (for summary.json).
double peak_rss_mb();
double seconds_since(std::chrono::steady_clock::time_point start);

// A run's output directory: created if needed, and removed again (only if this run created
// it and it is empty) unless keep() was called, so that a failed run leaves no trace.
class OutputDirectory {
 public:
  explicit OutputDirectory(std::string dir);
  ~OutputDirectory();
  OutputDirectory(const OutputDirectory&) = delete;
  OutputDirectory& operator=(const OutputDirectory&) = delete;
  void keep() { kept_ = true; }

 private:
  std::string dir_;
  bool created_ = false;
  bool kept_ = false;
};

sim::RunConfig run_config(const RunOptions& options, const std::string& policy, bool progress);
// The scenario of a job run: the inputs on their platform, scheduled as the options say.
sim::Scenario training_scenario(const Inputs& inputs, const RunOptions& options,
                                const std::string& policy, bool progress);
// summary.json's fields for a job run (the outcome's energy: the whole cluster up to its end).
// sim_wall_s is left for the caller.
// A scenario's energy as the summaries write it (report::EnergyBreakdown).
report::EnergyBreakdown energy_breakdown(const platform::Platform& platform,
                                         const sim::ScenarioOutcome& outcome);

report::RunInfo run_info(const Inputs& inputs, const RunOptions& options, const std::string& policy,
                         const sim::ScenarioOutcome& outcome);

// Runs one simulation and writes its outputs into options.out (created). Returns the exit
// status. Used by `run` and, in a child process per policy, by `compare`.
int execute_run(const Inputs& inputs, const RunOptions& options, const std::string& policy,
                bool progress);

}  // namespace suanli::cli
