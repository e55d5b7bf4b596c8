// `compare`: the same inputs under several policies, each simulated in its own child process
// (SimGrid's engine is one per process), at most --parallel at a time.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "suanli/cli/commands.hpp"
#include "suanli/cli/inputs.hpp"
#include "suanli/cli/parse.hpp"
#include "suanli/cli/serving_inputs.hpp"
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

// Runs body(i) for every label, each in a child process, at most `parallel` at a time; the
// children write their own outputs. Returns how many failed.
int run_children(const std::vector<std::string>& labels, int parallel,
                 const std::function<int(std::size_t)>& body) {
  std::map<pid_t, std::string> running;
  std::size_t next = 0;
  int failures = 0;
  while (next < labels.size() || !running.empty()) {
    while (next < labels.size() && running.size() < std::size_t(parallel)) {
      std::cout.flush();
      std::fflush(nullptr);  // the child must not inherit (and print again) unflushed output
      const pid_t pid = fork();
      if (pid < 0) throw std::runtime_error("fork failed");
      if (pid == 0) {
        int status = 1;
        try {
          status = body(next);
        } catch (const std::exception& e) {
          spdlog::error("{}: {}", labels[next], e.what());
        }
        std::cout.flush();
        _exit(status);
      }
      running[pid] = labels[next];
      ++next;
    }
    int wstatus = 0;
    const pid_t done = wait(&wstatus);
    if (done < 0) break;
    const auto label = running[done];
    running.erase(done);
    if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0) {
      spdlog::error("the {} run failed", label);
      ++failures;
    } else {
      spdlog::info("finished {}", label);
    }
  }
  return failures;
}

// After run_children: exit 1 if any run failed; else `heading` and the table of the runs'
// summaries (OUT/<label>/summary.json), also written to OUT/compare.csv, and exit 0.
int report_runs(const std::vector<std::string>& labels, int failures, const std::string& out,
                const std::string& heading) {
  if (failures) return 1;
  std::vector<report::CompareRow> rows;
  for (const auto& label : labels)
    rows.push_back({label, report::read_summary(out + "/" + label + "/summary.json")});
  std::cout << heading << report::format_compare_table(rows);
  report::write_compare_csv(rows, out + "/compare.csv");
  return 0;
}

void check_unique(const std::vector<std::string>& items, const char* option) {
  if (std::set<std::string>(items.begin(), items.end()).size() != items.size())
    throw InputError(fmt::format("{}: an entry is listed twice", option));
}

// compare --deployment/--deployments [--routers]: every deployment file (each checked before
// any runs) under every router, one child each.
int compare_serving(RunOptions& options, ServingOptions& serving,
                    const std::string& deployment_list, const std::string& router_list,
                    int parallel) {
  if (!options.workload.empty())
    throw InputError(
        "--workload: compare runs either policies or serving variants; run one training + "
        "serving co-run with run --deployment --workload");
  std::vector<std::string> files = split_list(deployment_list);
  if (!serving.deployment.empty()) files.insert(files.begin(), serving.deployment);
  check_unique(files, "--deployments");
  const std::vector<std::string> routers = split_list(router_list);
  check_unique(routers, "--routers");
  check_run_options(options);
  check_serving_options(serving);
  if (!options.power_budget.empty())
    throw InputError("--power-budget-w: holds training starts only; not with --deployment");
  if (options.platform.empty()) options.platform = bundled_path("platforms/default.yaml");
  ServingInputs inputs = load_serving_inputs(options, files.front(), serving);

  struct Variant {
    std::string label;
    std::vector<serving::Deployment> deployments;
  };
  std::vector<Variant> variants;
  std::set<std::string> stems;
  for (std::size_t f = 0; f < files.size(); ++f) {
    auto deployments =
        f == 0 ? inputs.deployments : load_deployment_file(files[f], inputs, serving);
    std::string stem = std::filesystem::path(files[f]).stem().string();
    if (!stems.insert(stem).second) stem = fmt::format("{}-{}", stem, f + 1);
    if (routers.empty()) {
      variants.push_back({files.size() > 1 ? stem : deployments.front().name, deployments});
      continue;
    }
    for (const auto& router : routers) {
      auto with_router = deployments;
      override_router(with_router, router);
      variants.push_back({files.size() > 1 ? stem + "-" + router : router, with_router});
    }
  }
  std::vector<std::string> labels;
  for (const auto& v : variants) labels.push_back(v.label);
  std::filesystem::create_directories(options.out);
  const int failures = run_children(labels, parallel, [&](std::size_t i) {
    inputs.deployments = variants[i].deployments;
    return execute_serving_run(inputs, serving, options.out + "/" + labels[i], options);
  });
  return report_runs(
      labels, failures, options.out,
      fmt::format("platform '{}' ({} GPUs), requests {} ({} requests), {}\n", inputs.platform.name,
                  inputs.platform.total_gpus(), serving.requests, inputs.requests.requests.size(),
                  options.exec_model));
}

}  // namespace

int compare_command(const Args& args) {
  RunOptions options;
  ServingOptions serving;
  std::string policy_list;
  std::string deployment_list;
  std::string router_list;
  int parallel = int(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  auto description = run_options_description(options);
  description.add_options()(
      "policies", boost::program_options::value(&policy_list)->default_value("fifo,sjf,easy"),
      "comma-separated policies to compare")(
      "parallel", boost::program_options::value(&parallel)->default_value(parallel),
      "simulations run at once (default: number of CPUs)")(
      "deployments", boost::program_options::value(&deployment_list)->value_name("D1,D2"),
      "serving: compare these deployment files (with --requests)")(
      "routers", boost::program_options::value(&router_list)->value_name("a,b"),
      "serving: compare these routers on every deployment");
  description.add(serving_options_description(serving));
  if (!parse_or_help(args,
                     "suanli compare [--platform P] [--workload W] --policies a,b,c --out DIR\n"
                     "       suanli compare [--platform P] --deployments D1,D2 | --deployment D "
                     "--routers a,b  --requests R --out DIR",
                     description))
    return 0;
  if (parallel < 1) throw InputError("--parallel: must be >= 1");
  if (!serving.deployment.empty() || !deployment_list.empty())
    return compare_serving(options, serving, deployment_list, router_list, parallel);
  if (!router_list.empty()) throw InputError("--routers: needs --deployment or --deployments");
  if (!serving.requests.empty())
    throw InputError("--requests: a request trace needs --deployment or --deployments");
  const auto policies = split_list(policy_list);
  if (policies.empty()) throw InputError("--policies: no policy given");
  check_unique(policies, "--policies");
  for (const auto& p : policies) check_policy_name(p, "--policies");
  check_run_options(options);
  check_policy_params(policies, options);
  const Inputs inputs = load_training_inputs(options);
  std::filesystem::create_directories(options.out);

  const int failures = run_children(policies, parallel, [&](std::size_t i) {
    RunOptions child = options;
    child.out = options.out + "/" + policies[i];
    return execute_run(inputs, child, policies[i], false);
  });
  return report_runs(
      policies, failures, options.out,
      fmt::format("platform '{}' ({} GPUs), workload {} ({} jobs), placement {}, {}\n",
                  inputs.platform.name, inputs.platform.total_gpus(), options.workload,
                  inputs.workload.jobs.size(), options.placement, options.exec_model));
}

}  // namespace suanli::cli
