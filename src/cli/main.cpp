// suanli: subcommand dispatch, log level, and the one place where errors become exit codes:
// bad input -> one line on stderr, status 2; anything else unexpected -> status 1.
#include <exception>
#include <iostream>
#include <string>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "suanli/cli/commands.hpp"
#include "suanli/common/input_error.hpp"
#include "suanli/workload/request_format.hpp"
#include "suanli/workload/trace_format.hpp"

namespace {

// The usage text, around the lists of trace and request formats (from their registries).
constexpr const char* kUsageHead =
    R"(suanli )" SUANLI_VERSION
    R"( - discrete-event simulator of heterogeneous GPU clusters (SimGrid)

usage: suanli [-v|-q] COMMAND [options]

commands:
  run        simulate one policy:        suanli run --policy easy --out out/easy
  compare    compare policies:           suanli compare --policies fifo,sjf,easy --out out/cmp
  platform   inspect a platform:         suanli platform show|export-xml|routes P
  validate   check inputs, run nothing:  suanli validate --platform P --workload W
  workload   read any supported trace:   suanli workload stats|convert TRACE
  requests   LLM request traces:         suanli requests generate|convert|stats

Inference serving: suanli run --deployment D --requests R --out DIR replays a request
trace on serving replicas (docs/serving-model.md).

Without --platform/--workload, run and compare use platforms/default.yaml and
workloads/default.csv. Workloads may be in any supported trace format (--format, or
detected): )";
constexpr const char* kUsageRequests = R"(.
Request traces (--requests, or detected): )";
constexpr const char* kUsageTail = R"(.
`suanli COMMAND --help` lists a command's options.

global options:
  -v, --verbose   more log output (debug)
  -q, --quiet     only warnings and errors, no progress line
  --version       print the version
  -h, --help      this help
)";

}  // namespace

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("suanli");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("suanli: %^%l%$: %v");
  spdlog::set_level(spdlog::level::info);

  suanli::cli::Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-v" || a == "--verbose")
      spdlog::set_level(spdlog::level::debug);
    else if (a == "-q" || a == "--quiet")
      spdlog::set_level(spdlog::level::warn);
    else
      args.push_back(a);
  }
  if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
    std::cout << kUsageHead << suanli::workload::trace_format_registry().known() << kUsageRequests
              << suanli::workload::request_format_registry().known() << kUsageTail;
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    std::cout << "suanli " SUANLI_VERSION "\n";
    return 0;
  }
  const std::string command = args[0];
  const suanli::cli::Args rest(args.begin() + 1, args.end());
  try {
    if (command == "run") return suanli::cli::run_command(rest);
    if (command == "compare") return suanli::cli::compare_command(rest);
    if (command == "platform") return suanli::cli::platform_command(rest);
    if (command == "validate") return suanli::cli::validate_command(rest);
    if (command == "workload") return suanli::cli::workload_command(rest);
    if (command == "requests") return suanli::cli::requests_command(rest);
    throw suanli::InputError(
        "unknown command '" + command +
        "' (expected run, compare, platform, validate, workload, requests; see suanli --help)");
  } catch (const suanli::InputError& e) {
    std::cerr << "suanli: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "suanli: internal error: " << e.what() << "\n";
    return 1;
  }
}
