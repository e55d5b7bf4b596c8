#include "suanli/workload/job_mix.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string_view>

#include <fmt/format.h>

#include "suanli/common/input_error.hpp"
#include "suanli/common/yaml_field.hpp"
#include "suanli/workload/csv_util.hpp"

namespace suanli::workload {

namespace {

using At = YamlField;

class MixReader {
 public:
  explicit MixReader(std::string source) : source_(std::move(source)) {}

  JobMix read(const YAML::Node& root) const;

 private:
  [[noreturn]] void fail(const At& at, const std::string& what) const {
    throw InputError(located(source_, at.line, at.path, what));
  }

  std::string scalar(const At& at, std::string_view expected) const;
  double number(const At& at) const;
  double positive(const At& at) const;
  int whole(const At& at) const;

  JobClass read_class(const At& at) const;
  std::string read_name(const At& at) const;
  std::vector<std::pair<int, double>> read_gpus(const At& at) const;
  DurationModel read_duration(const At& at) const;
  DurationModel read_lognormal(const At& at) const;
  TrainingRun read_model(const At& at) const;
  std::string read_gpu_type(const At& at) const;

  std::string source_;
};

std::string MixReader::scalar(const At& at, std::string_view expected) const {
  return yaml_scalar(source_, at, expected);
}

double MixReader::number(const At& at) const {
  const std::string s = scalar(at, "a number");
  double v = 0;
  if (!parse_double(s, v)) fail(at, "expected a number, got '" + s + "'");
  return v;
}

double MixReader::positive(const At& at) const {
  const double v = number(at);
  if (v <= 0) fail(at, "must be > 0, got '" + at.node.Scalar() + "'");
  return v;
}

int MixReader::whole(const At& at) const {
  const std::string s = scalar(at, "a whole number");
  int v = 0;
  if (!parse_int(s, v)) fail(at, "expected a whole number, got '" + s + "'");
  return v;
}

JobMix MixReader::read(const YAML::Node& root) const {
  const At top{root, "", yaml_line(root, 0)};
  if (!root.IsDefined() || root.IsNull())
    fail(top, "no job classes: the file is empty; expected a map with the key 'classes'");
  const YamlMap f(source_, top, {"classes"});
  const At& list = f.require("classes");
  if (!list.node.IsSequence() || list.node.size() == 0)
    fail(list, "expected a non-empty list of job classes, got " + yaml_shown(list.node));
  JobMix mix;
  mix.source = source_;
  for (std::size_t i = 0; i < list.node.size(); ++i) {
    const YAML::Node item = list.node[i];
    JobClass c = read_class(At{item, fmt::format("classes[{}]", i), yaml_line(item, list.line)});
    for (const JobClass& other : mix.classes)
      if (other.name == c.name)
        fail(At{item, c.path + ".name", c.line},
             fmt::format("duplicate class name '{}' (first given at line {})", c.name, other.line));
    mix.classes.push_back(std::move(c));
  }
  return mix;
}

JobClass MixReader::read_class(const At& at) const {
  const YamlMap f(source_, at,
                  {"name", "weight", "gpus", "duration", "model", "gpu_type", "priority"});
  JobClass c;
  c.path = at.path;
  c.line = at.line;
  c.name = read_name(f.require("name"));
  c.weight = positive(f.require("weight"));
  c.gpus_line = at.line;
  if (const At* gpus = f.find("gpus")) {
    c.gpus = read_gpus(*gpus);
    c.gpus_line = gpus->line;
  }
  const At* duration = f.find("duration");
  if (const At* model = f.find("model")) {
    if (duration) fail(*duration, "give a duration or a model (params/tokens), not both");
    c.model = read_model(*model);
    c.model_line = model->line;
  } else if (duration) {
    c.duration = read_duration(*duration);
  }
  if (const At* gpu_type = f.find("gpu_type")) c.gpu_type = read_gpu_type(*gpu_type);
  if (const At* priority = f.find("priority")) c.priority = whole(*priority);
  return c;
}

// Names go into the job_type column and the stats: plain words, no separators to quote.
std::string MixReader::read_name(const At& at) const {
  const std::string n = scalar(at, "a class name");
  const bool ok = !n.empty() && std::all_of(n.begin(), n.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_' || ch == '.';
  });
  if (!ok)
    fail(at, "class name '" + n + "' must be letters, digits, '-', '_' and '.' only (not empty)");
  return n;
}

// 'trace', one GPU count (8), or GPU counts with weights ({1: 0.5, 8: 0.5}).
std::vector<std::pair<int, double>> MixReader::read_gpus(const At& at) const {
  const auto count = [this](const At& a) {
    const int g = whole(a);
    if (g < 1 || g > 1'000'000)
      fail(a, "a GPU count must be between 1 and 1000000, got '" + a.node.Scalar() + "'");
    return g;
  };
  if (at.node.IsScalar()) {
    if (at.node.Scalar() == "trace") return {};
    return {{count(at), 1.0}};
  }
  if (!at.node.IsMap() || at.node.size() == 0)
    fail(at,
         "expected 'trace', a GPU count or a map {GPU count: weight}, got " + yaml_shown(at.node));
  std::vector<std::pair<int, double>> out;
  for (const auto& kv : at.node) {
    const At key{kv.first, at.path, yaml_line(kv.first, at.line)};
    const int g = count(key);
    for (const auto& [seen, w] : out)
      if (seen == g) fail(key, fmt::format("GPU count {} given twice", g));
    const At value{kv.second, fmt::format("{}.{}", at.path, g),
                   kv.second.IsNull() ? key.line : yaml_line(kv.second, key.line)};
    out.emplace_back(g, positive(value));
  }
  return out;
}

// 'trace', {lognormal: {median_s, sigma[, min_s, max_s]}} or {fixed_s: seconds}.
DurationModel MixReader::read_duration(const At& at) const {
  if (at.node.IsScalar() && at.node.Scalar() == "trace") return {};
  if (!at.node.IsMap() || at.node.size() != 1)
    fail(at, "expected 'trace', {lognormal: {median_s, sigma}} or {fixed_s: seconds}, got " +
                 yaml_shown(at.node));
  const YamlMap f(source_, at, {"lognormal", "fixed_s"});
  if (const At* lognormal = f.find("lognormal")) return read_lognormal(*lognormal);
  DurationModel d;
  d.kind = DurationModel::Kind::kFixed;
  d.fixed_s = positive(*f.find("fixed_s"));
  return d;
}

DurationModel MixReader::read_lognormal(const At& at) const {
  const YamlMap f(source_, at, {"median_s", "sigma", "min_s", "max_s"});
  DurationModel d;
  d.kind = DurationModel::Kind::kLognormal;
  d.median_s = positive(f.require("median_s"));
  const At& sigma = f.require("sigma");
  d.sigma = number(sigma);
  if (d.sigma < 0 || d.sigma > 10)
    fail(sigma, "must be between 0 and 10, got '" + sigma.node.Scalar() + "'");
  if (const At* min = f.find("min_s")) {
    d.min_s = number(*min);
    if (d.min_s < 1) fail(*min, "must be at least 1 s, got '" + min->node.Scalar() + "'");
  }
  if (const At* max = f.find("max_s")) {
    d.max_s = number(*max);
    if (d.max_s <= d.min_s)
      fail(*max, fmt::format("must be above min_s ({:g}), got '{}'", d.min_s, max->node.Scalar()));
  }
  // Run times outside [min_s, max_s] are redrawn: at least 1% of the draws must fall inside
  // (else the generator would spin), which also catches a median far outside the limits.
  const auto below = [&](double x) {
    return 0.5 * std::erfc(-std::log(x / d.median_s) / (d.sigma * std::sqrt(2.0)));
  };
  const double inside = d.sigma > 0 ? below(d.max_s) - below(d.min_s)
                        : d.median_s >= d.min_s && d.median_s <= d.max_s ? 1.0
                                                                         : 0.0;
  if (!(inside >= 0.01))
    fail(at, fmt::format("only {:.2g} % of this lognormal lies within [min_s, max_s] = [{:g}, "
                         "{:g}] s, where run times are kept: move median_s or widen the limits",
                         100 * inside, d.min_s, d.max_s));
  return d;
}

TrainingRun MixReader::read_model(const At& at) const {
  const YamlMap f(source_, at, {"params", "tokens", "mfu", "batch_tokens"});
  TrainingRun m;
  m.params = positive(f.require("params"));
  const At& tokens = f.require("tokens");
  m.tokens = positive(tokens);
  if (!std::isfinite(6 * m.params * m.tokens))
    fail(tokens, "6 x params x tokens FLOPs is past what a double holds");
  if (const At* mfu = f.find("mfu")) {
    m.mfu = number(*mfu);
    if (!(m.mfu > 0 && m.mfu <= 1))
      fail(*mfu, "must be in (0, 1], got '" + mfu->node.Scalar() + "'");
  }
  if (const At* batch = f.find("batch_tokens")) m.batch_tokens = positive(*batch);
  return m;
}

// One model or alternatives "A100|H100"; "" is no constraint. The names are checked against
// the platform when the workload is run (a platform may add devices).
std::string MixReader::read_gpu_type(const At& at) const {
  const std::string t = at.node.IsNull() ? "" : scalar(at, "a GPU model such as 'A100|H100'");
  std::string_view rest = t;
  while (!t.empty()) {
    const auto bar = std::min(rest.find('|'), rest.size());
    const std::string_view part = rest.substr(0, bar);
    if (part.empty() || part.find_first_of(" \t,\"") != std::string_view::npos)
      fail(at, "'" + t + "' is not a GPU model or models separated by '|' (e.g. 'A100|H100')");
    if (bar == rest.size()) break;
    rest.remove_prefix(bar + 1);
  }
  return t;
}

}  // namespace

JobMix parse_job_mix(const std::string& text, const std::string& source) {
  const MixReader reader(source);
  try {
    return reader.read(YAML::Load(text));
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    const bool parse = dynamic_cast<const YAML::ParserException*>(&e) != nullptr;
    throw InputError(located(source, line, "", (parse ? "malformed YAML: " : "") + e.msg));
  }
}

JobMix load_job_mix(const std::string& path) {
  return parse_job_mix(read_whole_file(path), path);
}

}  // namespace suanli::workload
