#pragma once
// What an inference-serving run needs (run/compare with --deployment): the platform, the
// request trace, the deployments checked against both, and the options of such a run.
// Everything is loaded and checked before anything is written.
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "suanli/cli/inputs.hpp"
#include "suanli/platform/platform.hpp"
#include "suanli/platform/topology.hpp"
#include "suanli/serving/deployment.hpp"
#include "suanli/workload/request.hpp"

namespace suanli::cli {

struct ServingOptions {
  std::string deployment;      // run: the deployment YAML
  std::string requests;        // request trace, any supported request format
  std::string request_format;  // empty: detect
  std::string models;          // extra/overriding LLM catalog entries (YAML)
  double slo_ttft_s = 0;       // 0: no target
  double slo_tpot_s = 0;
  double sample_seconds = 1;  // serving timeline period
};

boost::program_options::options_description serving_options_description(ServingOptions& options);
// Throws InputError naming the option for values out of range.
void check_serving_options(const ServingOptions& options);

struct ServingInputs {
  platform::Platform platform;
  platform::Topology topology;
  workload::RequestWorkload requests;
  std::vector<serving::Deployment> deployments;
};

// The platform is run.platform with run's platform options (load_run_platform).
ServingInputs load_serving_inputs(const RunOptions& run, const std::string& deployment_path,
                                  const ServingOptions& options);

// Loads only the deployments of another file against already loaded inputs (compare
// --deployments checks every file before running any).
std::vector<serving::Deployment> load_deployment_file(const std::string& path,
                                                      const ServingInputs& inputs,
                                                      const ServingOptions& options);

// Sets every deployment's router (compare --routers); InputError for an unknown name.
void override_router(std::vector<serving::Deployment>& deployments, const std::string& router);

// Runs the replay and writes requests.csv, timeline.csv, summary.json into `out` (created).
// `run`: the run options it shares (exec model, seed, energy interval).
int execute_serving_run(const ServingInputs& inputs, const ServingOptions& options,
                        const std::string& out, const RunOptions& run);

// Training jobs (`jobs`, run under `policy`) and serving replicas on one cluster: jobs.csv,
// requests.csv, one timeline.csv (training and serving columns) and one summary.json
// (sections "training" and "serving"), all in run_options.out.
int execute_combined_run(const Inputs& jobs, const ServingInputs& serving,
                         const RunOptions& run_options, const ServingOptions& serving_options,
                         const std::string& policy);

}  // namespace suanli::cli
