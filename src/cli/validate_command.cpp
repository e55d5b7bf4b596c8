// `validate`: parse and check a platform and a workload together; run nothing, write nothing.
#include <iostream>

#include <fmt/format.h>

#include "suanli/cli/commands.hpp"
#include "suanli/cli/inputs.hpp"
#include "suanli/cli/parse.hpp"
#include "suanli/platform/platform_loader.hpp"

namespace suanli::cli {

namespace po = boost::program_options;

int validate_command(const Args& args) {
  std::string platform_path, workload_path;
  bool reject_oversized = false;
  WorkloadOptions workload_options;
  po::options_description d("validate");
  d.add_options()("platform", po::value(&platform_path), "platform YAML (default: bundled)")(
      "workload", po::value(&workload_path), "workload, any supported format (default: bundled)")(
      "reject-oversized", po::bool_switch(&reject_oversized),
      "count jobs larger than every cluster as rejected instead of failing");
  d.add(workload_options_description(workload_options));
  if (!parse_or_help(args, "suanli validate [--platform P] [--workload W]", d)) return 0;
  if (platform_path.empty()) platform_path = bundled_path("platforms/default.yaml");
  if (workload_path.empty()) workload_path = bundled_path("workloads/default.csv");
  const Inputs in = load_inputs(platform::load_platform_file(platform_path), workload_path,
                                workload_options, reject_oversized);
  std::cout << fmt::format("{}: platform '{}': {} sites, {} clusters, {} GPUs — OK\n",
                           platform_path, in.platform.name, in.platform.sites.size(),
                           in.platform.clusters.size(), in.platform.total_gpus())
            << fmt::format("{}: {} jobs ({} rejected as larger than any cluster) — OK\n",
                           workload_path, in.workload.jobs.size(), in.rejected);
  return 0;
}

}  // namespace suanli::cli
