// `compare`: the same inputs under several policies, each simulated in its own child process
// (SimGrid's engine is one per process), at most --parallel at a time.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "suanli/cli/commands.hpp"
#include "suanli/cli/inputs.hpp"
#include "suanli/cli/parse.hpp"
#include "suanli/common/input_error.hpp"
#include "suanli/report/compare_table.hpp"

namespace suanli::cli {

namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) items.push_back(item);
  return items;
}

pid_t spawn_run(const Inputs& inputs, RunOptions options, const std::string& policy) {
  std::cout.flush();
  std::fflush(nullptr);  // the child must not inherit (and print again) unflushed output
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid > 0) return pid;
  int status = 1;
  try {
    status = execute_run(inputs, options, policy, false);
  } catch (const std::exception& e) {
    spdlog::error("{}: {}", policy, e.what());
  }
  std::cout.flush();
  _exit(status);
}

}  // namespace

int compare_command(const Args& args) {
  RunOptions options;
  std::string policy_list;
  int parallel = int(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  auto description = run_options_description(options);
  description.add_options()(
      "policies", boost::program_options::value(&policy_list)->default_value("fifo,sjf,easy"),
      "comma-separated policies to compare")(
      "parallel", boost::program_options::value(&parallel)->default_value(parallel),
      "simulations run at once (default: number of CPUs)");
  if (!parse_or_help(args,
                     "suanli compare [--platform P] [--workload W] --policies a,b,c --out DIR",
                     description))
    return 0;
  const auto policies = split_list(policy_list);
  if (policies.empty()) throw InputError("--policies: no policy given");
  if (std::set<std::string>(policies.begin(), policies.end()).size() != policies.size())
    throw InputError("--policies: a policy is listed twice");
  for (const auto& p : policies) check_policy_name(p, "--policies");
  check_run_options(options);
  if (parallel < 1) throw InputError("--parallel: must be >= 1");
  if (options.platform.empty()) options.platform = bundled_path("platforms/default.yaml");
  if (options.workload.empty()) options.workload = bundled_path("workloads/default.csv");
  const Inputs inputs = load_inputs(options.platform, options.workload, options.workload_options,
                                    options.reject_oversized);
  check_run_limits(inputs, options);
  std::filesystem::create_directories(options.out);

  std::map<pid_t, std::string> running;
  std::size_t next = 0;
  int failures = 0;
  while (next < policies.size() || !running.empty()) {
    while (next < policies.size() && running.size() < std::size_t(parallel)) {
      RunOptions child = options;
      child.out = options.out + "/" + policies[next];
      running[spawn_run(inputs, child, policies[next])] = policies[next];
      ++next;
    }
    int wstatus = 0;
    const pid_t done = wait(&wstatus);
    if (done < 0) break;
    const auto policy = running[done];
    running.erase(done);
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
      spdlog::error("the {} run failed", policy);
      ++failures;
    } else {
      spdlog::info("finished {}", policy);
    }
  }
  if (failures) return 1;

  std::vector<report::CompareRow> rows;
  for (const auto& p : policies)
    rows.push_back({p, report::read_summary(options.out + "/" + p + "/summary.json")});
  std::cout << fmt::format("platform '{}' ({} GPUs), workload {} ({} jobs), placement {}, {}\n",
                           inputs.platform.name, inputs.platform.total_gpus(), options.workload,
                           inputs.workload.jobs.size(), options.placement, options.exec_model)
            << report::format_compare_table(rows);
  report::write_compare_csv(rows, options.out + "/compare.csv");
  return 0;
}

}  // namespace suanli::cli
