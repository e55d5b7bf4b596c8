#include <unistd.h>

#include <iostream>

#include <spdlog/spdlog.h>

#include "suanli/cli/commands.hpp"
#include "suanli/cli/inputs.hpp"
#include "suanli/cli/parse.hpp"
#include "suanli/report/compare_table.hpp"

namespace suanli::cli {

int run_command(const Args& args) {
  RunOptions options;
  std::string policy;
  auto description = run_options_description(options);
  description.add_options()("policy", boost::program_options::value(&policy)->default_value("fifo"),
                            "scheduling policy: fifo | sjf | easy");
  if (!parse_or_help(args, "suanli run [--platform P] [--workload W] --policy NAME --out DIR",
                     description))
    return 0;
  check_policy_name(policy, "--policy");
  check_run_options(options);
  if (options.platform.empty()) options.platform = bundled_path("platforms/default.yaml");
  if (options.workload.empty()) options.workload = bundled_path("workloads/default.csv");
  const Inputs inputs = load_inputs(options.platform, options.workload, options.workload_options,
                                    options.reject_oversized);
  check_run_limits(inputs, options);
  const bool progress = isatty(STDERR_FILENO) && spdlog::get_level() <= spdlog::level::info;
  const int status = execute_run(inputs, options, policy, progress);
  std::cout << report::format_compare_table(
      {{policy, report::read_summary(options.out + "/summary.json")}});
  return status;
}

}  // namespace suanli::cli
