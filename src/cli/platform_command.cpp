// `platform show | export-xml | routes`: look at a platform without running anything on it.
#include <fstream>
#include <iostream>

#include "suanli/cli/commands.hpp"
#include "suanli/cli/parse.hpp"
#include "suanli/common/input_error.hpp"
#include "suanli/platform/platform_loader.hpp"
#include "suanli/platform/platform_summary.hpp"
#include "suanli/platform/topology.hpp"
#include "suanli/sim/route_dump.hpp"
#include "suanli/sim/xml_export.hpp"

namespace suanli::cli {

namespace po = boost::program_options;

namespace {

constexpr const char* kPlatformHelp =
    "platform YAML, or an Alibaba cluster-trace-gpu-v2023 node list CSV (detected)";

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int show(const Args& args) {
  std::string path;
  po::options_description d("platform show");
  d.add_options()("platform", po::value(&path)->required(), kPlatformHelp);
  po::positional_options_description pos;
  pos.add("platform", 1);
  if (!parse_or_help(args, "suanli platform show PLATFORM", d, pos)) return 0;
  const auto p = platform::load_platform_file(path);
  std::cout << platform::format_summary(p, platform::summarize(p));
  return 0;
}

int export_xml(const Args& args) {
  std::string path, out_path;
  po::options_description d("platform export-xml");
  d.add_options()("platform", po::value(&path)->required(), kPlatformHelp)(
      "output,o", po::value(&out_path), "write to FILE instead of stdout");
  po::positional_options_description pos;
  pos.add("platform", 1);
  if (!parse_or_help(args, "suanli platform export-xml PLATFORM [-o FILE]", d, pos)) return 0;
  const auto p = platform::load_platform_file(path);
  const auto t = platform::build_topology(p);
  if (out_path.empty()) {
    sim::write_simgrid_xml(p, t, std::cout);
    return 0;
  }
  std::ofstream out(out_path);
  if (!out) throw InputError(out_path + ": cannot write");
  sim::write_simgrid_xml(p, t, out);
  return 0;
}

int routes(const Args& args) {
  std::string path, from;
  po::options_description d("platform routes");
  d.add_options()("platform", po::value(&path)->required(),
                  "platform YAML, an Alibaba node list CSV, or a SimGrid XML platform (.xml)")(
      "from", po::value(&from), "only routes leaving this GPU host");
  po::positional_options_description pos;
  pos.add("platform", 1);
  if (!parse_or_help(args, "suanli platform routes PLATFORM [--from HOST]", d, pos)) return 0;
  std::vector<std::string> lines;
  if (ends_with(path, ".xml")) {
    lines = sim::routes_of_simgrid_xml(path, from);
  } else {
    const auto p = platform::load_platform_file(path);
    lines = sim::routes_of_platform(p, platform::build_topology(p), from);
  }
  for (const auto& line : lines) std::cout << line << '\n';
  return 0;
}

}  // namespace

int platform_command(const Args& args) {
  return run_subcommand(args, "platform",
                        "suanli platform show P | export-xml P [-o FILE] | routes P [--from HOST]",
                        {{"show", &show}, {"export-xml", &export_xml}, {"routes", &routes}});
}

}  // namespace suanli::cli
