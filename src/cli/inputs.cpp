#include "suanli/cli/inputs.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "suanli/common/input_error.hpp"
#include "suanli/energy/power_model.hpp"
#include "suanli/perf/speed_table.hpp"
#include "suanli/platform/platform_loader.hpp"
#include "suanli/report/recorder.hpp"
#include "suanli/sched/allocation.hpp"
#include "suanli/sched/policy.hpp"
#include "suanli/workload/csv_util.hpp"
#include "suanli/workload/native_csv.hpp"

#ifndef SUANLI_SOURCE_DIR
#define SUANLI_SOURCE_DIR "."
#endif

namespace suanli::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;

std::string bundled_path(const std::string& relative) {
  if (fs::exists(relative)) return relative;
  return (fs::path(SUANLI_SOURCE_DIR) / relative).string();
}

namespace {

// A format's option as program_options sees it: it writes `target`, whose value before
// parsing is the default.
template <class T>
po::typed_value<T>* option_value(T& target, const workload::FormatOption& f) {
  auto* v = po::value(&target);
  if (f.show_default) v->default_value(target);
  if (!f.value_name.empty()) v->value_name(std::string(f.value_name));
  return v;
}

}  // namespace

// --format and --drop-unstarted, then the options each trace format declares in its registry
// entry (src/workload/trace_registry.cpp), in registry order, each once.
po::options_description workload_options_description(WorkloadOptions& o) {
  const auto& formats = workload::trace_format_registry();
  po::options_description d("Workload options");
  d.add_options()("format", po::value(&o.format)->value_name("NAME"),
                  ("workload format (default: detected): " + formats.known()).c_str())(
      "drop-unstarted", po::bool_switch(&o.drop_unstarted),
      "drop jobs that never started in the trace (default: keep them)");
  std::vector<std::string_view> added;
  for (const workload::TraceFormat& format : formats.entries()) {
    for (const workload::FormatOption& f : format.options) {
      if (std::find(added.begin(), added.end(), f.name) != added.end()) continue;
      added.push_back(f.name);
      const std::string name(f.name), help(f.help);
      if (f.number)
        d.add_options()(name.c_str(), option_value(o.read.*f.number, f), help.c_str());
      else
        d.add_options()(name.c_str(), option_value(o.read.*f.text, f), help.c_str());
    }
  }
  return d;
}

workload::Workload load_workload(const std::string& path, WorkloadOptions o) {
  if (!(o.read.gpus_per_proc > 0)) throw InputError("--gpus-per-proc: must be > 0");
  if (!(o.read.batsim_flops_per_second >= 0)) throw InputError("--batsim-speed: must be > 0");
  o.read.keep_unstarted = !o.drop_unstarted;
  workload::Workload w = workload::read_workload(path, o.format, o.read);
  if (!w.ignored_columns.empty())
    spdlog::warn("{}: ignoring unknown columns: {}", path, fmt::join(w.ignored_columns, ", "));
  std::vector<std::string> notes;
  for (const auto& [key, value] : w.metadata) notes.push_back(key + "=" + value);
  // What a trace reader dropped or noted is worth a line; a plain native file is not.
  spdlog::log(notes.empty() ? spdlog::level::debug : spdlog::level::info,
              "{}: {} jobs read as {}{}{}", path, w.jobs.size(), w.format,
              notes.empty() ? "" : "; ", fmt::join(notes, ", "));
  return w;
}

platform::Platform load_run_platform(const RunOptions& options) {
  auto platform = platform::load_platform_file(
      options.platform.empty() ? bundled_path("platforms/default.yaml") : options.platform);
  if (options.gpu_power_cap_w != 0)
    platform::limit_gpu_power(platform, options.gpu_power_cap_w, "--gpu-power-cap-w");
  return platform;
}

Inputs load_inputs(platform::Platform platform, const std::string& workload_path,
                   const WorkloadOptions& workload_options, bool reject_oversized) {
  Inputs in;
  in.platform = std::move(platform);
  in.topology = platform::build_topology(in.platform);
  in.workload = load_workload(workload_path, workload_options);
  // The same --throughputs file is the run-time speed table (a Gavel trace's reader has
  // already used it for durations).
  std::optional<perf::SpeedTable> speeds;
  if (!workload_options.read.throughputs_path.empty())
    speeds = perf::SpeedTable::read(workload_options.read.throughputs_path);
  in.jobs =
      perf::prepare_jobs(in.platform, in.workload, reject_oversized, speeds ? &*speeds : nullptr);
  for (std::size_t i = 0; i < in.jobs.size(); ++i) {
    if (!in.jobs[i].rejected) continue;
    // A trace can hold thousands: name the first few, count the rest.
    if (++in.rejected <= 5)
      spdlog::warn("{}:{}: rejected: {}", workload_path, in.workload.jobs[i].line,
                   in.jobs[i].reject_reason);
  }
  if (in.rejected > 5) spdlog::warn("{}: {} jobs rejected in all", workload_path, in.rejected);
  return in;
}

Inputs load_training_inputs(RunOptions& options) {
  if (options.platform.empty()) options.platform = bundled_path("platforms/default.yaml");
  if (options.workload.empty()) options.workload = bundled_path("workloads/default.csv");
  Inputs inputs = load_inputs(load_run_platform(options), options.workload,
                              options.workload_options, options.reject_oversized);
  check_run_limits(inputs, options);
  return inputs;
}

po::options_description run_options_description(RunOptions& o) {
  po::options_description d("Run options");
  // The names come from the registry, so a new placement shows up here by itself.
  const std::string placement_help =
      "GPU placement inside a cluster: " +
      fmt::format("{}", fmt::join(sched::placement_registry().names(), " | "));
  d.add_options()("platform", po::value(&o.platform)->value_name("FILE"),
                  "platform YAML (default: platforms/default.yaml)")(
      "workload", po::value(&o.workload)->value_name("FILE"),
      "workload, any supported format (default: workloads/default.csv)")(
      "out", po::value(&o.out)->value_name("DIR")->required(), "output directory (created)")(
      "placement", po::value(&o.placement)->value_name("NAME")->default_value("compact"),
      placement_help.c_str())(
      "seed", po::value(&o.seed)->default_value(0),
      "seed for stochastic components (the bundled policies draw no random numbers; it is "
      "recorded in summary.json)")(
      "exec-model", po::value(&o.exec_model)->value_name("NAME")->default_value("flows"),
      "how jobs run in SimGrid: flows (a computation per GPU + a flow per ring edge, fast) | "
      "ptask (one ptask_L07 parallel task per phase)")(
      "phase-seconds", po::value(&o.phase_seconds)->value_name("S")->default_value(0),
      "run each job as phases of about S seconds of work (0: one phase per job)")(
      "sample-seconds", po::value(&o.sample_seconds)->value_name("S")->default_value(0),
      "timeline.csv: one row every S seconds instead of one per change")(
      "reject-oversized", po::bool_switch(&o.reject_oversized),
      "reject jobs larger than every cluster they may use (default: that is an input error)")(
      "policy-param", po::value(&o.policy_params)->value_name("KEY=VALUE")->composing(),
      "a policy's parameter (repeatable; docs/policies.md lists each policy's keys)")(
      "round-seconds", po::value(&o.round_seconds)->value_name("S"),
      "ask the policy every S seconds besides arrivals and completions (default: the "
      "policy's own rounds; 0: events only)")(
      "preempt-cost-s", po::value(&o.preempt_cost_s)->value_name("S")->default_value(0),
      "seconds without progress a preempted job spends when it resumes")(
      "energy-interval-s", po::value(&o.energy_interval_s)->value_name("S")->default_value(3600),
      "energy.csv: one row per site every S simulated seconds (each costs a read of every GPU's "
      "energy: raise it for runs of months on 10,000+ GPUs)")(
      "power-budget-w", po::value(&o.power_budget)->value_name("W|FILE"),
      "facility power budget: watts, or a CSV file time_s,watts; starts that would exceed it "
      "wait, and a falling budget suspends the jobs started last")(
      "gpu-power-cap-w", po::value(&o.gpu_power_cap_w)->value_name("W"),
      "power limit of every GPU, like nvidia-smi -pl: work runs in the fastest clock state "
      "whose draw fits (default: the platform file's power_cap_w, else none)");
  d.add(workload_options_description(o.workload_options));
  return d;
}

void check_policy_name(const std::string& name, const std::string& option) {
  if (sched::find_policy(name)) return;
  throw InputError(option + ": " + sched::policy_registry().unknown_message("policy", name));
}

namespace {

// The --policy-param pairs whose key `policy` declares, in order.
sched::ParamValues params_of(const std::string& policy, const RunOptions& o) {
  sched::ParamValues values;
  const sched::PolicyEntry* entry = sched::find_policy(policy);
  for (const std::string& text : o.policy_params) {
    auto pair = sched::parse_param_assignment(text);
    for (const sched::ParamSpec& spec : entry->params)
      if (spec.key == pair.first) values.push_back(pair);
  }
  return values;
}

}  // namespace

void check_policy_params(const std::vector<std::string>& policies, const RunOptions& o) {
  if (policies.size() == 1) {
    // One policy: its own check names its keys (and a near miss).
    std::vector<std::pair<std::string, std::string>> all;
    for (const std::string& text : o.policy_params)
      all.push_back(sched::parse_param_assignment(text));
    const sched::PolicyEntry* entry = sched::find_policy(policies.front());
    sched::PolicyParams(policies.front(), entry->params, all);
    return;
  }
  for (const std::string& text : o.policy_params) {
    const auto [key, value] = sched::parse_param_assignment(text);
    bool declared = false;
    std::string keys;
    for (const std::string& p : policies) {
      const sched::PolicyEntry* entry = sched::find_policy(p);
      for (const sched::ParamSpec& spec : entry->params) declared = declared || spec.key == key;
      keys +=
          fmt::format("{}{}: {}", keys.empty() ? "" : "; ", p, sched::param_keys(entry->params));
    }
    if (!declared)
      throw InputError(
          fmt::format("--policy-param {}: no policy compared has such a key ({})", key, keys));
  }
  for (const std::string& p : policies)
    sched::PolicyParams(p, sched::find_policy(p)->params, params_of(p, o));
}

void check_run_limits(const Inputs& in, const RunOptions& o) {
  if (o.phase_seconds <= 0) return;
  // A job's phases: its compute time on its GPUs / phase_seconds; the slowest GPU bounds it.
  double slowest = std::numeric_limits<double>::max();
  for (std::size_t c = 0; c < in.platform.clusters.size(); ++c)
    slowest = std::min(slowest, in.platform.device_of_cluster(int(c)).peak_flops());
  for (std::size_t i = 0; i < in.jobs.size(); ++i) {
    const double phases = in.jobs[i].work.flops_per_gpu / slowest / o.phase_seconds;
    if (phases > kMaxPhases)
      throw InputError(fmt::format(
          "--phase-seconds: {} s would cut job '{}' into about {:.3g} phases (at most {:g}); use "
          "a longer phase",
          o.phase_seconds, in.workload.jobs[i].id, phases, kMaxPhases));
  }
}

void check_run_options(const RunOptions& o) {
  if (!sched::find_placement(o.placement))
    throw InputError("--placement: " +
                     sched::placement_registry().unknown_message("placement", o.placement));
  if (!(o.workload_options.read.gpus_per_proc > 0))
    throw InputError("--gpus-per-proc: must be > 0");
  if (o.exec_model != "flows" && o.exec_model != "ptask")
    throw InputError("--exec-model: unknown model '" + o.exec_model + "' (known: flows, ptask)");
  if (!(o.phase_seconds >= 0)) throw InputError("--phase-seconds: must be >= 0");
  if (o.seed < 0) throw InputError("--seed: must be >= 0");
  if (fs::exists(o.out) && !fs::is_directory(o.out))
    throw InputError("--out: '" + o.out + "' exists and is not a directory");
  if (!(o.sample_seconds >= 0)) throw InputError("--sample-seconds: must be >= 0");
  if (!(o.round_seconds >= 0 || o.round_seconds == -1) || !std::isfinite(o.round_seconds))
    throw InputError("--round-seconds: must be >= 0");
  if (!(o.preempt_cost_s >= 0) || !std::isfinite(o.preempt_cost_s))
    throw InputError("--preempt-cost-s: must be >= 0");
  power_budget_series(o);  // checked before anything runs
  if (!(o.energy_interval_s >= 1) || !std::isfinite(o.energy_interval_s))
    throw InputError("--energy-interval-s: must be at least 1 s");
}

void write_output_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  if (!out || !(out << text)) throw InputError("-o: cannot write '" + path + "'");
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

OutputDirectory::OutputDirectory(std::string dir) : dir_(std::move(dir)) {
  created_ = !fs::exists(dir_);
  fs::create_directories(dir_);
}

OutputDirectory::~OutputDirectory() {
  std::error_code ignored;
  if (created_ && !kept_ && fs::is_empty(dir_, ignored)) fs::remove(dir_, ignored);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

sim::Scenario training_scenario(const Inputs& in, const RunOptions& o, const std::string& policy,
                                bool progress) {
  sim::Scenario scenario;
  scenario.platform = &in.platform;
  scenario.topology = &in.topology;
  scenario.exec_model = sim::exec_model_named(o.exec_model);
  scenario.workload = &in.workload;
  scenario.jobs = &in.jobs;
  scenario.training = run_config(o, policy, progress);
  scenario.energy_interval_s = o.energy_interval_s;
  return scenario;
}

sim::RunConfig run_config(const RunOptions& o, const std::string& policy, bool progress) {
  sim::RunConfig config;
  // check_policy_name and check_run_options have made sure both names are known.
  config.policy = sched::make_policy(policy, params_of(policy, o));
  config.placement = sched::find_placement(o.placement)->make();
  config.policy_name = policy;
  config.phase_seconds = o.phase_seconds;
  config.progress = progress;
  const sched::PolicyEntry* entry = sched::find_policy(policy);
  config.round_seconds = o.round_seconds >= 0 ? o.round_seconds : entry->round_s;
  config.preempt_cost_s = o.preempt_cost_s;
  config.oracle = entry->oracle;
  config.seed = std::uint64_t(o.seed);
  config.power_budget_w = power_budget_series(o);
  return config;
}

platform::TimeSeries power_budget_series(const RunOptions& o) {
  if (o.power_budget.empty()) return {};
  double watts = 0;
  const auto& text = o.power_budget;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), watts);
  if (ec == std::errc() && end == text.data() + text.size()) {
    if (!(watts > 0) || !std::isfinite(watts))
      throw InputError("--power-budget-w: must be a positive number of watts, got " + text);
    return platform::TimeSeries::constant(watts);
  }
  if (!std::filesystem::is_regular_file(text))
    throw InputError("--power-budget-w: neither a number of watts nor a CSV file: '" + text + "'");
  return platform::TimeSeries::read_csv(text, "watts", 0, 1e12);
}

report::EnergyBreakdown energy_breakdown(const platform::Platform& platform,
                                         const sim::ScenarioOutcome& outcome) {
  const auto& e = outcome.energy;
  report::EnergyBreakdown b;
  b.gpu_j = e.gpu_j;
  b.gpu_idle_j = e.gpu_idle_j;
  b.node_j = e.nodes_j;
  b.network_j = e.switches_j;
  b.it_j = e.it_j;
  b.facility_j = e.facility_j;
  b.total_gpus = platform.total_gpus();
  b.end_s = outcome.end_s;
  b.has_carbon = e.has_carbon;
  b.has_price = e.has_price;
  b.carbon_kg = e.carbon_kg;
  b.cost = e.cost;
  b.currency = platform.currency;
  for (const auto& r : e.rows)
    b.rows.push_back({platform.sites[std::size_t(r.site)].name, r.start_s, r.end_s, r.it_j,
                      r.facility_j, r.pue, r.outdoor_c, r.carbon_g_per_kwh, r.carbon_kg,
                      r.price_per_kwh, r.cost});
  return b;
}

report::RunInfo run_info(const Inputs& in, const RunOptions& o, const std::string& policy,
                         const sim::ScenarioOutcome& outcome) {
  report::RunInfo info;
  info.policy = policy;
  info.placement = o.placement;
  info.exec_model = o.exec_model;
  info.seed = o.seed;
  info.jobs_total = int(in.workload.jobs.size());
  info.jobs_rejected = in.rejected;
  info.total_gpus = in.platform.total_gpus();
  info.makespan_s = outcome.training->makespan_s;
  info.decision_wall_s = outcome.training->decision_wall_s;
  info.decision_p99_ms = outcome.training->decision_p99_ms;
  info.power_budget = !o.power_budget.empty();
  info.power_holds = outcome.training->power_holds;
  info.power_suspensions = outcome.training->power_suspensions;
  info.energy = energy_breakdown(in.platform, outcome);
  info.peak_rss_mb = peak_rss_mb();
  return info;
}

int execute_run(const Inputs& in, const RunOptions& o, const std::string& policy, bool progress) {
  // A run that fails leaves no trace: the recorder drops its partial files, and a directory
  // made for this run goes too.
  OutputDirectory out(o.out);
  const auto wall_start = std::chrono::steady_clock::now();
  report::Recorder recorder(o.out, o.sample_seconds);
  const auto outcome =
      sim::run_scenario(training_scenario(in, o, policy, progress), {.training = &recorder});
  auto info = run_info(in, o, policy, outcome);
  info.sim_wall_s = seconds_since(wall_start);
  recorder.finish(info);
  out.keep();
  return 0;
}

}  // namespace suanli::cli
