// `workload convert | stats`: read any supported trace and write it in another format, or
// say what it holds.
#include <cmath>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "suanli/cli/commands.hpp"
#include "suanli/cli/inputs.hpp"
#include "suanli/cli/parse.hpp"
#include "suanli/common/input_error.hpp"
#include "suanli/workload/native_csv.hpp"
#include "suanli/workload/scale.hpp"
#include "suanli/workload/trace_format.hpp"
#include "suanli/workload/workload_stats.hpp"

namespace suanli::cli {

namespace po = boost::program_options;

namespace {

// The writer of `--to`; InputError naming --to and the writable formats for any other.
const workload::TraceFormat& writer_for(const std::string& to) {
  const workload::TraceFormat* f = workload::find_trace_format(to);
  if (!f || !f->write)
    throw InputError("--to: cannot write '" + to +
                     "' (writable: " + workload::writable_trace_formats() + ")");
  return *f;
}

// Jobs kept from a trace where they never ran have no duration: no format can carry them.
// Returns how many were left out.
std::size_t drop_never_ran(workload::Workload& w) {
  return std::erase_if(
      w.jobs, [](const workload::Job& j) { return j.has_duration() && j.duration_s <= 0; });
}

// Parses the arguments of a subcommand that reads one trace, IN (the first positional
// argument), with the options of reading it; false when --help was printed.
bool parse_trace_args(const Args& args, const std::string& usage, po::options_description d,
                      WorkloadOptions& options) {
  d.add(workload_options_description(options));
  po::positional_options_description pos;
  pos.add("input", 1);
  return parse_or_help(args, usage, d, pos);
}

int convert(const Args& args) {
  std::string in_path, to = "native", out_path;
  WorkloadOptions options;
  po::options_description d("workload convert");
  d.add_options()("input", po::value(&in_path)->required(), "the trace to read")(
      "to", po::value(&to)->default_value("native"),
      ("a writable format: " + workload::writable_trace_formats()).c_str())(
      "output,o", po::value(&out_path)->required(), "the file to write");
  if (!parse_trace_args(args, "suanli workload convert IN --to FORMAT -o OUT", d, options))
    return 0;
  const auto& format = writer_for(to);  // before reading: a bad --to fails fast
  auto w = load_workload(in_path, options);
  const auto left_out = drop_never_ran(w);
  // Written to memory first: a job the target format cannot carry leaves no half file.
  std::ostringstream text;
  try {
    format.write(w, text);
  } catch (const std::invalid_argument& e) {
    throw InputError(in_path + ": cannot convert to " + to + ": " + e.what());
  }
  write_output_file(out_path, text.str());
  std::cout << w.jobs.size() << " jobs from " << in_path << " (" << w.format << ") written to "
            << out_path << " (" << to << ")";
  if (left_out) std::cout << "; " << left_out << " that never ran (no duration) left out";
  std::cout << "\n";
  return 0;
}

int scale(const Args& args) {
  std::string in_path, out_path;
  workload::ScaleOptions scale;
  long long seed = 0;
  WorkloadOptions options;
  po::options_description d("workload scale");
  d.add_options()("input", po::value(&in_path)->required(), "the trace to read")(
      "time-factor", po::value(&scale.time_factor)->default_value(1.0),
      "multiply submit times by F (< 1 compresses arrivals: more offered load)")(
      "sample", po::value(&scale.sample)->default_value(1.0),
      "keep each job with probability P (0 < P <= 1)")(
      "inflate", po::value(&scale.inflate)->default_value(1.0),
      "append clones of jobs drawn at random until there are R times as many (R >= 1; the "
      "FGD artifact's workload inflation)")(
      "tune-gpus", po::value(&scale.tune_gpus)->default_value(0),
      "then remove or clone random jobs until the GPUs asked add up to G (the FGD "
      "experiments' workload tuning; 0: off)")(
      "shuffle", po::bool_switch(&scale.shuffle),
      "deal the arrival times to the jobs in a random order (seeded)")(
      "seed", po::value(&seed)->default_value(0), "seed of the sample, clones and shuffle")(
      "output,o", po::value(&out_path)->required(), "the native CSV to write");
  if (!parse_trace_args(args,
                        "suanli workload scale IN --time-factor F --sample P --inflate R -o OUT", d,
                        options))
    return 0;
  if (!(scale.time_factor > 0) || !std::isfinite(scale.time_factor))
    throw InputError("--time-factor: must be a number > 0");
  if (!(scale.sample > 0 && scale.sample <= 1)) throw InputError("--sample: must be in (0, 1]");
  if (!(scale.inflate >= 1) || !std::isfinite(scale.inflate))
    throw InputError("--inflate: must be a number >= 1");
  if (!(scale.tune_gpus >= 0) || !std::isfinite(scale.tune_gpus))
    throw InputError("--tune-gpus: must be a number >= 0");
  if (seed < 0) throw InputError("--seed: must be >= 0");
  scale.seed = static_cast<std::uint64_t>(seed);
  auto w = workload::scale_workload(load_workload(in_path, options), scale);
  drop_never_ran(w);
  std::ostringstream text;
  workload::write_native_csv(w, text);
  write_output_file(out_path, text.str());
  std::cout << w.jobs.size() << " jobs written to " << out_path << " (time x " << scale.time_factor
            << ", sample " << scale.sample << ", inflate " << scale.inflate << ")\n";
  return 0;
}

int stats(const Args& args) {
  std::string in_path;
  bool json = false;
  int gpus_per_node = 8;
  WorkloadOptions options;
  po::options_description d("workload stats");
  d.add_options()("input", po::value(&in_path)->required(), "the trace to read")(
      "json", po::bool_switch(&json), "print JSON instead of a table")(
      "gpus-per-node", po::value(&gpus_per_node)->default_value(8),
      "a job is multi-node when it asks for more GPUs than this");
  if (!parse_trace_args(args, "suanli workload stats IN [--json]", d, options)) return 0;
  if (gpus_per_node < 1) throw InputError("--gpus-per-node: must be >= 1");
  const auto w = load_workload(in_path, options);
  const auto s = workload::compute_stats(w, gpus_per_node);
  if (json)
    std::cout << workload::stats_json(w, s, gpus_per_node).dump(2) << "\n";
  else
    std::cout << workload::format_stats(w, s, gpus_per_node);
  return 0;
}

}  // namespace

int workload_command(const Args& args) {
  return run_subcommand(
      args, "workload",
      "suanli workload convert IN --to FORMAT -o OUT | stats IN | scale IN "
      "--time-factor F --sample P --inflate R -o OUT | generate --jobs N --seed S -o OUT",
      {{"convert", &convert},
       {"stats", &stats},
       {"scale", &scale},
       {"generate", &workload_generate_command}});
}

}  // namespace suanli::cli
