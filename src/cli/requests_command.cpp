// `requests`: LLM request traces. `generate` draws a synthetic trace (arrivals Poisson,
// Gamma-bursty or diurnal; prompt and output lengths from the Azure 2023 quantile tables),
// `convert` rewrites any supported request trace as native CSV, `stats` summarises one.
#include <algorithm>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "suanli/cli/commands.hpp"
#include "suanli/cli/inputs.hpp"
#include "suanli/cli/parse.hpp"
#include "suanli/common/input_error.hpp"
#include "suanli/common/quantile.hpp"
#include "suanli/workload/request_format.hpp"
#include "suanli/workload/request_generator.hpp"
#include "suanli/workload/request_writer.hpp"

namespace suanli::cli {

namespace po = boost::program_options;

namespace {

int requests_generate(const Args& args) {
  workload::RequestGenOptions g;
  long long count = 0;
  long long seed = 0;
  std::string out_path;
  po::options_description d("requests generate");
  d.add_options()("count", po::value(&count)->required(), "number of requests (>= 1)")(
      "seed", po::value(&seed)->required(), "seed (>= 0): same options + seed, same file")(
      "rate", po::value(&g.rate)->default_value(1.0), "mean requests per second (> 0)")(
      "arrival", po::value(&g.arrival)->default_value("poisson"), "poisson | gamma | diurnal")(
      "burstiness", po::value(&g.burstiness)->default_value(1.0),
      "gamma: squared coefficient of variation of the gaps (1 = Poisson, > 1 bursty)")(
      "amplitude", po::value(&g.diurnal_amplitude)->default_value(0.5),
      "diurnal: relative swing of the rate over the day (0..1)")(
      "peak-hour", po::value(&g.peak_hour)->default_value(15.0), "diurnal: busiest hour (0..24)")(
      "lengths", po::value(&g.lengths)->default_value("azure-conv"),
      "prompt and output lengths: azure-conv | azure-code (Azure LLM inference trace 2023)")(
      "model", po::value(&g.model), "model name written on every request")(
      "output,o", po::value(&out_path)->required(), "the native request CSV to write");
  if (!parse_or_help(args,
                     "suanli requests generate --count N --seed S [--rate R] "
                     "[--arrival poisson|gamma|diurnal] [--lengths azure-conv|azure-code] -o OUT",
                     d))
    return 0;
  if (seed < 0) throw InputError("--seed: must be >= 0");
  g.count = count;
  g.seed = std::uint64_t(seed);
  const auto w = workload::generate_requests(g);
  std::ostringstream text;
  workload::write_request_csv(w, text);
  write_output_file(out_path, text.str());
  std::cout << fmt::format("{} requests written to {} ({} arrivals at {} /s, {} lengths)\n",
                           w.requests.size(), out_path, g.arrival, g.rate, g.lengths);
  return 0;
}

int requests_convert(const Args& args) {
  std::string in_path, out_path, format;
  po::options_description d("requests convert");
  d.add_options()("input", po::value(&in_path)->required(), "request trace")(
      "format", po::value(&format), "its format (default: detected)")(
      "output,o", po::value(&out_path)->required(), "the native request CSV to write");
  po::positional_options_description positional;
  positional.add("input", 1);
  if (!parse_or_help(args, "suanli requests convert TRACE [--format F] -o OUT.csv", d, positional))
    return 0;
  const auto w = workload::read_requests(in_path, format);
  std::ostringstream text;
  workload::write_request_csv(w, text);
  write_output_file(out_path, text.str());
  std::cout << fmt::format("{} requests read as {} written to {}\n", w.requests.size(), w.format,
                           out_path);
  return 0;
}

int requests_stats(const Args& args) {
  std::string in_path, format;
  po::options_description d("requests stats");
  d.add_options()("input", po::value(&in_path)->required(), "request trace")(
      "format", po::value(&format), "its format (default: detected)");
  po::positional_options_description positional;
  positional.add("input", 1);
  if (!parse_or_help(args, "suanli requests stats TRACE [--format F]", d, positional)) return 0;
  const auto w = workload::read_requests(in_path, format);
  const auto& r = w.requests;
  std::cout << fmt::format("{}: {} requests, format {}\n", in_path, r.size(), w.format);
  if (r.empty()) return 0;
  const double span = r.back().arrival_s - r.front().arrival_s;
  std::cout << fmt::format("span {:.1f} s, mean rate {:.3f} requests/s\n", span,
                           span > 0 ? double(r.size() - 1) / span : 0.0);
  std::vector<double> prompt, output;
  double prompt_sum = 0, output_sum = 0;
  std::size_t with_prefix = 0;
  for (const auto& q : r) {
    prompt.push_back(q.prompt_tokens);
    output.push_back(q.output_tokens);
    prompt_sum += q.prompt_tokens;
    output_sum += q.output_tokens;
    with_prefix += q.hash_count > 0;
  }
  std::sort(prompt.begin(), prompt.end());
  std::sort(output.begin(), output.end());
  std::cout << "tokens   mean      p50      p90      p99      max\n";
  for (const auto& [name, v, sum] :
       {std::tuple{"prompt", &prompt, prompt_sum}, std::tuple{"output", &output, output_sum}})
    std::cout << fmt::format("{:<6} {:>7.1f} {:>8.0f} {:>8.0f} {:>8.0f} {:>8.0f}\n", name,
                             sum / double(v->size()), quantile_of_sorted(*v, 0.5),
                             quantile_of_sorted(*v, 0.9), quantile_of_sorted(*v, 0.99), v->back());
  if (w.models.size() > 1) {
    std::vector<std::size_t> per_model(w.models.size(), 0);
    for (const auto& q : r) ++per_model[q.model];
    for (std::size_t m = 0; m < w.models.size(); ++m)
      if (per_model[m])
        std::cout << fmt::format("model {:<20} {}\n", w.models[m].empty() ? "(none)" : w.models[m],
                                 per_model[m]);
  }
  if (with_prefix)
    std::cout << fmt::format("{} requests carry prefix block ids ({} tokens per block)\n",
                             with_prefix, w.prefix_block_tokens);
  for (const auto& [key, value] : w.metadata) std::cout << key << ": " << value << "\n";
  return 0;
}

}  // namespace

int requests_command(const Args& args) {
  return run_subcommand(args, "requests",
                        "suanli requests generate|convert|stats ...  (suanli requests SUB --help)",
                        {{"generate", &requests_generate},
                         {"convert", &requests_convert},
                         {"stats", &requests_stats}});
}

}  // namespace suanli::cli
