// `workload generate`: a synthetic trace (Philly job sizes, Helios run times) at a chosen
// offered load, written as native CSV. The model is in src/workload/generator.cpp.
#include <iostream>
#include <sstream>

#include "suanli/cli/commands.hpp"
#include "suanli/cli/inputs.hpp"
#include "suanli/cli/parse.hpp"
#include "suanli/common/input_error.hpp"
#include "suanli/workload/generator.hpp"
#include "suanli/workload/native_csv.hpp"

namespace suanli::cli {

int workload_generate_command(const Args& args);

namespace po = boost::program_options;

int workload_generate_command(const Args& args) {
  workload::GeneratorOptions g;
  long long seed = 0;
  std::string out_path;
  po::options_description d("workload generate");
  d.add_options()("jobs", po::value(&g.jobs)->required(), "number of jobs (>= 1)")(
      "seed", po::value(&seed)->required(), "seed (>= 0): same options + seed, same file")(
      "load", po::value(&g.load)->default_value(0.8, "0.8"),
      "offered load as a fraction of the cluster's GPUs (> 0)")(
      "gpus", po::value(&g.gpus)->default_value(512), "cluster capacity in GPUs")(
      "max-gpus", po::value(&g.max_gpus)->default_value(0),
      "largest job in GPUs (0: --gpus); larger Philly sizes are capped to it")(
      "arrival", po::value(&g.arrival)->default_value("poisson"), "poisson | diurnal")(
      "output,o", po::value(&out_path)->required(), "the native CSV to write");
  if (!parse_or_help(args,
                     "suanli workload generate --jobs N --seed S [--load L --gpus G] "
                     "[--arrival poisson|diurnal] -o OUT.csv",
                     d))
    return 0;
  if (seed < 0) throw InputError("--seed: must be >= 0");
  g.seed = static_cast<std::uint64_t>(seed);
  const auto w = workload::generate_workload(g);
  std::ostringstream text;
  workload::write_native_csv(w, text);
  write_output_file(out_path, text.str());
  std::cout << w.jobs.size() << " jobs written to " << out_path << " (offered load " << g.load
            << " on " << g.gpus << " GPUs)\n";
  return 0;
}

}  // namespace suanli::cli
