// `workload generate`: a synthetic trace (Philly job sizes, Helios run times, or the job
// classes of a --mix file) at a chosen offered load, written as native CSV. The model is in
// src/workload/generator.cpp, the mix file's schema in src/workload/job_mix.cpp.
#include <iostream>
#include <map>
#include <sstream>

#include "suanli/cli/commands.hpp"
#include "suanli/cli/inputs.hpp"
#include "suanli/cli/parse.hpp"
#include "suanli/common/input_error.hpp"
#include "suanli/workload/generator.hpp"
#include "suanli/workload/job_mix.hpp"
#include "suanli/workload/native_csv.hpp"

namespace suanli::cli {

int workload_generate_command(const Args& args);

namespace po = boost::program_options;

int workload_generate_command(const Args& args) {
  workload::GeneratorOptions g;
  long long seed = 0;
  std::string out_path, mix_path;
  po::options_description d("workload generate");
  d.add_options()("jobs", po::value(&g.jobs)->required(), "number of jobs (>= 1)")(
      "seed", po::value(&seed)->required(), "seed (>= 0): same options + seed, same file")(
      "load", po::value(&g.load)->default_value(0.8, "0.8"),
      "offered load as a fraction of the cluster's GPUs (> 0)")(
      "gpus", po::value(&g.gpus)->default_value(512), "cluster capacity in GPUs")(
      "max-gpus", po::value(&g.max_gpus)->default_value(0),
      "largest job in GPUs (0: --gpus); larger Philly sizes are capped to it")(
      "arrival", po::value(&g.arrival)->default_value("poisson"), "poisson | diurnal")(
      "mix", po::value(&mix_path), "YAML file of job classes drawn by weight (docs/generator.md)")(
      "reference-gpu", po::value(&g.reference_gpu),
      "catalog GPU whose seconds durations count and at whose speed params/tokens jobs count "
      "towards --load (required by params/tokens classes)")(
      "output,o", po::value(&out_path)->required(), "the native CSV to write");
  if (!parse_or_help(args,
                     "suanli workload generate --jobs N --seed S [--load L --gpus G] "
                     "[--arrival poisson|diurnal] [--mix FILE [--reference-gpu NAME]] -o OUT.csv",
                     d))
    return 0;
  if (seed < 0) throw InputError("--seed: must be >= 0");
  g.seed = static_cast<std::uint64_t>(seed);
  if (!mix_path.empty()) g.mix = workload::load_job_mix(mix_path);
  const auto w = workload::generate_workload(g);
  std::ostringstream text;
  workload::write_native_csv(w, text);
  write_output_file(out_path, text.str());
  std::cout << w.jobs.size() << " jobs written to " << out_path << " (offered load " << g.load
            << " on " << g.gpus << " GPUs";
  if (!g.reference_gpu.empty()) std::cout << " at " << w.jobs.front().reference_gpu << " speed";
  if (g.mix) {
    // Jobs per class, in the file's order.
    std::map<std::string, std::size_t> count;
    for (const auto& job : w.jobs) ++count[job.job_type];
    const char* separator = "; ";
    for (const auto& c : g.mix->classes) {
      std::cout << separator << c.name << " " << count[c.name];
      separator = ", ";
    }
  }
  std::cout << ")\n";
  return 0;
}

}  // namespace suanli::cli
