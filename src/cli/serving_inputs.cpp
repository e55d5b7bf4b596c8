#include "suanli/cli/serving_inputs.hpp"

#include <chrono>
#include <filesystem>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "suanli/cli/inputs.hpp"
#include "suanli/common/input_error.hpp"
#include "suanli/energy/power_model.hpp"
#include "suanli/perf/llm_model.hpp"
#include "suanli/platform/platform_loader.hpp"
#include "suanli/report/combined_summary.hpp"
#include "suanli/report/serving_recorder.hpp"
#include "suanli/serving/router.hpp"
#include "suanli/sim/scenario.hpp"
#include "suanli/workload/request_format.hpp"

namespace suanli::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;

po::options_description serving_options_description(ServingOptions& o) {
  po::options_description d("Inference serving (with --deployment)");
  d.add_options()("deployment", po::value(&o.deployment)->value_name("FILE"),
                  "serving deployments YAML: replay --requests on them instead of running jobs")(
      "requests", po::value(&o.requests)->value_name("FILE"),
      ("request trace: " + workload::request_format_registry().known() + " (detected)").c_str())(
      "request-format", po::value(&o.request_format)->value_name("NAME"),
      "request trace format (default: detected)")("models",
                                                  po::value(&o.models)->value_name("FILE"),
                                                  "YAML adding or overriding LLM catalog entries")(
      "slo-ttft", po::value(&o.slo_ttft_s)->value_name("S")->default_value(0),
      "time-to-first-token target in seconds, for slo_attainment and goodput (0: none)")(
      "slo-tpot", po::value(&o.slo_tpot_s)->value_name("S")->default_value(0),
      "time-per-output-token target in seconds (0: none)")(
      "serving-sample-seconds", po::value(&o.sample_seconds)->value_name("S")->default_value(1),
      "serving timeline.csv: one row every S seconds");
  return d;
}

void check_serving_options(const ServingOptions& o) {
  if (o.requests.empty())
    throw InputError("--requests: a request trace is needed with --deployment");
  if (!(o.slo_ttft_s >= 0)) throw InputError("--slo-ttft: must be >= 0");
  if (!(o.slo_tpot_s >= 0)) throw InputError("--slo-tpot: must be >= 0");
  if (!(o.sample_seconds > 0)) throw InputError("--serving-sample-seconds: must be > 0");
  if (!o.request_format.empty() && !workload::find_request_format(o.request_format))
    throw InputError("--request-format: " + workload::request_format_registry().unknown_message(
                                                "format", o.request_format));
}

namespace {

perf::LlmCatalog catalog_for(const ServingOptions& o) {
  perf::LlmCatalog catalog = perf::LlmCatalog::builtin();
  if (!o.models.empty()) catalog.load_yaml(o.models);
  return catalog;
}

}  // namespace

std::vector<serving::Deployment> load_deployment_file(const std::string& path,
                                                      const ServingInputs& in,
                                                      const ServingOptions& o) {
  auto deployments = serving::load_deployments(path, in.platform, catalog_for(o));
  sim::route_to_deployments(in.requests, deployments);  // every model the trace names is served
  return deployments;
}

ServingInputs load_serving_inputs(const RunOptions& run, const std::string& deployment_path,
                                  const ServingOptions& o) {
  ServingInputs in;
  in.platform = load_run_platform(run);
  in.topology = platform::build_topology(in.platform);
  in.requests = workload::read_requests(o.requests, o.request_format);
  std::vector<std::string> notes;
  for (const auto& [key, value] : in.requests.metadata) notes.push_back(key + "=" + value);
  spdlog::info("{}: {} requests read as {}{}{}", o.requests, in.requests.requests.size(),
               in.requests.format, notes.empty() ? "" : "; ", fmt::join(notes, ", "));
  in.deployments = load_deployment_file(deployment_path, in, o);
  return in;
}

void override_router(std::vector<serving::Deployment>& deployments, const std::string& router) {
  if (!serving::find_router(router))
    throw InputError("--routers: " + serving::router_registry().unknown_message("router", router));
  for (auto& d : deployments) d.router = router;
}

namespace {

sim::ServingConfig serving_config(const ServingOptions& o, std::uint64_t seed) {
  sim::ServingConfig config;
  config.seed = seed;
  config.sample_seconds = o.sample_seconds;
  return config;
}

// summary.json's fields for a serving run (the outcome's energy: the whole cluster up to its
// end).
report::ServingRunInfo serving_info(const ServingInputs& in, const ServingOptions& o,
                                    const std::string& exec_model, std::uint64_t seed,
                                    const sim::ScenarioOutcome& scenario) {
  const auto& outcome = *scenario.serving;
  report::ServingRunInfo info;
  std::vector<std::string> names, routers, schedulers;
  for (const auto& d : in.deployments) {
    names.push_back(d.name);
    routers.push_back(d.router);
    schedulers.push_back(std::string(serving::to_string(d.scheduler)));
  }
  info.deployments = fmt::format("{}", fmt::join(names, ","));
  info.routers = fmt::format("{}", fmt::join(routers, ","));
  info.schedulers = fmt::format("{}", fmt::join(schedulers, ","));
  info.exec_model = exec_model;
  info.seed = seed;
  info.requests_total = in.requests.requests.size();
  info.replicas = outcome.replicas;
  info.total_gpus = in.platform.total_gpus();
  info.makespan_s = outcome.makespan_s;
  info.slo_ttft_s = o.slo_ttft_s;
  info.slo_tpot_s = o.slo_tpot_s;
  info.preemptions = outcome.preemptions;
  info.energy = energy_breakdown(in.platform, scenario);
  info.serving_gpu_energy_j = outcome.energy.gpu_j;
  info.serving_node_energy_j = outcome.energy.node_static_j;
  // Serving's cooling: the run's facility / IT ratio (the platform's PUE when it is constant).
  const auto& e = scenario.energy;
  info.pue = e.facility_j == e.it_j * in.platform.pue || e.it_j <= 0 ? in.platform.pue
                                                                     : e.facility_j / e.it_j;
  info.peak_rss_mb = peak_rss_mb();
  return info;
}

}  // namespace

int execute_serving_run(const ServingInputs& in, const ServingOptions& o, const std::string& out,
                        const RunOptions& run) {
  const std::string& exec_model = run.exec_model;
  const auto seed = std::uint64_t(run.seed);
  OutputDirectory directory(out);
  const auto wall_start = std::chrono::steady_clock::now();
  report::ServingRecorder recorder(out, o.slo_ttft_s, o.slo_tpot_s);
  sim::Scenario scenario;
  scenario.platform = &in.platform;
  scenario.topology = &in.topology;
  scenario.exec_model = sim::exec_model_named(exec_model);
  scenario.requests = &in.requests;
  scenario.deployments = &in.deployments;
  scenario.serving = serving_config(o, seed);
  scenario.energy_interval_s = run.energy_interval_s;
  const auto outcome = sim::run_scenario(scenario, {.serving = &recorder});
  auto info = serving_info(in, o, exec_model, seed, outcome);
  info.sim_wall_s = seconds_since(wall_start);
  recorder.finish(info);
  directory.keep();
  return 0;
}

int execute_combined_run(const Inputs& jobs, const ServingInputs& serving,
                         const RunOptions& run_options, const ServingOptions& serving_options,
                         const std::string& policy) {
  OutputDirectory directory(run_options.out);
  const auto wall_start = std::chrono::steady_clock::now();
  // One timeline, the serving recorder's, with the training columns beside serving's.
  report::Recorder recorder(run_options.out, run_options.sample_seconds, false);
  report::ServingRecorder serving_recorder(run_options.out, serving_options.slo_ttft_s,
                                           serving_options.slo_tpot_s, true);
  const auto seed = std::uint64_t(run_options.seed);
  auto scenario = training_scenario(jobs, run_options, policy, false);
  scenario.requests = &serving.requests;
  scenario.deployments = &serving.deployments;
  scenario.serving = serving_config(serving_options, seed);
  const auto outcome =
      sim::run_scenario(scenario, {.training = &recorder, .serving = &serving_recorder});
  // The energy is the whole cluster's up to the end of the whole run (energy per token
  // included: see docs/serving-model.md).
  auto info = run_info(jobs, run_options, policy, outcome);
  auto sinfo = serving_info(serving, serving_options, run_options.exec_model, seed, outcome);
  info.sim_wall_s = sinfo.sim_wall_s = seconds_since(wall_start);
  report::finish_combined(run_options.out, outcome.end_s, recorder, info, serving_recorder, sinfo);
  directory.keep();
  return 0;
}

}  // namespace suanli::cli
