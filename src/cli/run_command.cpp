#include <unistd.h>

#include <iostream>

#include <spdlog/spdlog.h>

#include "suanli/cli/commands.hpp"
#include "suanli/cli/inputs.hpp"
#include "suanli/cli/parse.hpp"
#include "suanli/cli/serving_inputs.hpp"
#include "suanli/common/input_error.hpp"
#include "suanli/report/compare_table.hpp"
#include "suanli/sched/policy.hpp"

namespace suanli::cli {

namespace {

// run --deployment: replay a request trace on serving replicas; with --workload too, the
// training jobs run on the GPUs the replicas leave, in the same simulation.
int run_serving(RunOptions& options, const ServingOptions& serving, const std::string& policy) {
  check_run_options(options);
  check_serving_options(serving);
  // The budget governs training starts; serving's iterations draw what they draw.
  if (!options.power_budget.empty())
    throw InputError(
        "--power-budget-w: holds training starts only; a run with --deployment is not "
        "supported (its replicas' power is not scheduled)");
  if (options.platform.empty()) options.platform = bundled_path("platforms/default.yaml");
  const ServingInputs inputs = load_serving_inputs(options, serving.deployment, serving);
  if (!options.workload.empty()) {
    check_policy_name(policy, "--policy");
    check_policy_params({policy}, options);
    if (options.sample_seconds > 0)
      throw InputError(
          "--sample-seconds: a combined run has one timeline, sampled every "
          "--serving-sample-seconds");
    const Inputs jobs = load_training_inputs(options);
    const int status = execute_combined_run(jobs, inputs, options, serving, policy);
    const auto summary = report::read_summary(options.out + "/summary.json");
    std::cout << report::format_compare_table(
                     {{policy, report::summary_section(summary, "training")}})
              << report::format_compare_table({{inputs.deployments.front().name,
                                                report::summary_section(summary, "serving")}});
    return status;
  }
  const int status = execute_serving_run(inputs, serving, options.out, options);
  std::cout << report::format_compare_table(
      {{inputs.deployments.front().name, report::read_summary(options.out + "/summary.json")}});
  return status;
}

}  // namespace

int run_command(const Args& args) {
  RunOptions options;
  ServingOptions serving;
  std::string policy;
  auto description = run_options_description(options);
  description.add_options()(
      "policy", boost::program_options::value(&policy)->default_value("fifo"),
      ("scheduling policy: " + sched::policy_registry().known() + " (docs/policies.md)").c_str());
  description.add(serving_options_description(serving));
  if (!parse_or_help(args,
                     "suanli run [--platform P] [--workload W] --policy NAME --out DIR\n"
                     "       suanli run [--platform P] --deployment D --requests R --out DIR "
                     "[--slo-ttft S --slo-tpot S]",
                     description))
    return 0;
  if (!serving.deployment.empty()) return run_serving(options, serving, policy);
  if (!serving.requests.empty())
    throw InputError("--requests: a request trace needs --deployment (the serving replicas)");
  check_policy_name(policy, "--policy");
  check_run_options(options);
  check_policy_params({policy}, options);
  const Inputs inputs = load_training_inputs(options);
  const bool progress = isatty(STDERR_FILENO) && spdlog::get_level() <= spdlog::level::info;
  const int status = execute_run(inputs, options, policy, progress);
  std::cout << report::format_compare_table(
      {{policy, report::read_summary(options.out + "/summary.json")}});
  return status;
}

}  // namespace suanli::cli
