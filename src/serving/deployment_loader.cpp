#include "suanli/serving/deployment.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "suanli/common/input_error.hpp"
#include "suanli/common/yaml_field.hpp"
#include "suanli/serving/router.hpp"

namespace suanli::serving {

std::string_view to_string(Scheduler s) {
  switch (s) {
    case Scheduler::continuous:
      return "continuous";
    case Scheduler::continuous_chunked:
      return "continuous-chunked";
    case Scheduler::static_batch:
      return "static";
  }
  return "?";
}

int Deployment::max_replicas() const {
  return disaggregated ? disaggregated->prefill_replicas + disaggregated->decode_replicas
                       : replicas.max;
}

namespace {

using Spot = YamlField;

std::string listed(const std::vector<std::string>& names) {
  return fmt::format("{}", fmt::join(names, ", "));
}

// The checked keys of one YAML map (common/yaml_field.hpp), and the scalars of its values.
class Keyed : public YamlMap {
 public:
  using YamlMap::YamlMap;

  // Scalars.
  std::string text(const Spot& at) const {
    if (!at.node.IsScalar() || at.node.Scalar().empty())
      fail(at, "expected a name, got " + yaml_shown(at.node));
    return at.node.Scalar();
  }
  double number(const Spot& at) const {
    const std::string s = at.node.IsScalar() ? at.node.Scalar() : "";
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v))
      fail(at, "expected a number, got " + yaml_shown(at.node));
    return v;
  }
  double positive(const Spot& at) const {
    const double v = number(at);
    if (v <= 0) fail(at, "must be positive, got " + at.node.Scalar());
    return v;
  }
  // A whole number >= `min`.
  int whole(const Spot& at, int min = 1) const {
    const std::string s = at.node.IsScalar() ? at.node.Scalar() : "";
    long long v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size())
      fail(at, "expected a whole number, got " + yaml_shown(at.node));
    if (v < min) fail(at, fmt::format("must be at least {}, got {}", min, s));
    if (v > std::numeric_limits<int>::max() / 1024) fail(at, "too large: " + s);
    return static_cast<int>(v);
  }
  bool boolean(const Spot& at) const {
    bool b = false;
    if (!at.node.IsScalar() || !YAML::convert<bool>::decode(at.node, b))
      fail(at, "expected true or false, got " + yaml_shown(at.node));
    return b;
  }
  // One of `choices` (file spellings), as its index.
  int choice(const Spot& at, const std::vector<std::string>& choices) const {
    const std::string t = text(at);
    const auto it = std::find(choices.begin(), choices.end(), t);
    if (it == choices.end())
      fail(at, "unknown value '" + t + "' (expected " + listed(choices) + ")");
    return static_cast<int>(it - choices.begin());
  }

  // Calls read(value) when `key` is given.
  template <class Read>
  void maybe(std::string_view key, Read read) const {
    if (auto at = get(key)) read(*at);
  }
};

bool is_identifier(const std::string& n) {
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

// The GPU models the platform's clusters use, in first-declared order.
std::vector<std::string> platform_gpus(const platform::Platform& p) {
  std::vector<std::string> out;
  for (const platform::Cluster& c : p.clusters)
    if (std::find(out.begin(), out.end(), c.node.gpu_model) == out.end())
      out.push_back(c.node.gpu_model);
  return out;
}

class DeploymentReader {
 public:
  DeploymentReader(std::string source, const platform::Platform& platform,
                   const perf::LlmCatalog& catalog)
      : source_(std::move(source)), platform_(platform), catalog_(catalog) {}

  std::vector<Deployment> read(const YAML::Node& root) const;

 private:
  Deployment read_one(const Spot& item) const;
  void read_placement(const Keyed& m, Deployment& d) const;
  void read_replicas(const Keyed& m, Deployment& d) const;
  void read_batching(const Keyed& m, Deployment& d) const;
  void read_autoscale(const Keyed& m, Deployment& d) const;
  void check_shared_gpus(const std::vector<Deployment>& all,
                         const std::vector<Spot>& replica_spots) const;

  std::string source_;
  const platform::Platform& platform_;
  const perf::LlmCatalog& catalog_;
};

// Model, GPU, tp and pp: what one replica is and whether the platform can hold it.
void DeploymentReader::read_placement(const Keyed& m, Deployment& d) const {
  const Spot model_at = m.require("model");
  const perf::LlmModel* llm = catalog_.find(m.text(model_at));
  if (!llm)
    m.fail(model_at, "unknown model '" + model_at.node.Scalar() +
                         "' (known: " + listed(catalog_.names()) + "; add it in a models file)");
  d.llm = *llm;
  d.model = llm->name;

  const Spot gpu_at = m.require("gpu");
  const std::string gpu = m.text(gpu_at);
  const std::vector<std::string> gpus = platform_gpus(platform_);
  const platform::DeviceSpec* device = platform_.devices.find(gpu);
  if (!device)
    m.fail(gpu_at, "unknown device '" + gpu + "' (the platform's GPUs: " + listed(gpus) + ")");
  if (std::none_of(gpus.begin(), gpus.end(),
                   [&](const std::string& g) { return platform::same_device_name(g, gpu); }))
    m.fail(gpu_at, "no cluster of platform '" + platform_.name + "' has " + device->name +
                       " GPUs (its GPUs: " + listed(gpus) + ")");
  if (device->hbm_gb <= 0 || device->hbm_tbps <= 0)
    m.fail(gpu_at, "device '" + device->name +
                       "' has no HBM size or bandwidth (hbm_gb, hbm_tbps in its devices entry); "
                       "an LLM replica needs both");
  d.device = *device;
  d.gpu = device->name;

  const std::optional<Spot> tp_at = m.get("tp");
  const std::optional<Spot> pp_at = m.get("pp");
  const Spot& tp_spot = tp_at ? *tp_at : m.self();
  const Spot& pp_spot = pp_at ? *pp_at : m.self();
  int& tp = d.parallelism.tp;
  int& pp = d.parallelism.pp;
  if (tp_at) tp = m.whole(*tp_at);
  if (pp_at) pp = m.whole(*pp_at);
  // Megatron-style tensor parallelism splits the attention heads over the ranks, and each
  // rank needs whole KV heads (or the same share of replicated ones, as vLLM does).
  if (d.llm.heads % tp != 0)
    m.fail(tp_spot, fmt::format("tp {} does not divide the {} attention heads of {}", tp,
                                d.llm.heads, d.llm.name));
  if (d.llm.kv_heads % tp != 0 && tp % d.llm.kv_heads != 0)
    m.fail(tp_spot, fmt::format("tp {} and the {} KV heads of {} must divide one another", tp,
                                d.llm.kv_heads, d.llm.name));
  if (pp > d.llm.layers)
    m.fail(pp_spot, fmt::format("pp {} exceeds the {} layers of {}", pp, d.llm.layers, d.llm.name));

  // A tensor-parallel group stays inside one node (NVLink); pipeline stages may sit on other
  // nodes of the same cluster, never in another cluster. Replicas a cluster can hold:
  // nodes x floor(gpus per node / tp) tensor-parallel groups, pp of them per replica.
  int largest_node = 0;
  int largest_cluster_groups = 0;
  for (std::size_t i = 0; i < platform_.clusters.size(); ++i) {
    const platform::Cluster& c = platform_.clusters[i];
    if (!platform::same_device_name(c.node.gpu_model, d.gpu)) continue;
    largest_node = std::max(largest_node, c.node.gpus);
    const long long groups = static_cast<long long>(c.nodes) * (c.node.gpus / tp);
    largest_cluster_groups = std::max<long long>(largest_cluster_groups, groups);
    if (groups / pp > 0) {
      d.clusters.push_back(static_cast<int>(i));
      d.replica_slots += static_cast<int>(groups / pp);
    }
  }
  if (tp > largest_node)
    m.fail(tp_spot, fmt::format("tp {} does not fit in one node: the {} nodes have at most {} "
                                "GPUs (tensor parallelism stays inside a node)",
                                tp, d.gpu, largest_node));
  if (d.replica_slots == 0)
    m.fail(pp_spot, fmt::format("a replica needs {} pipeline stages of tp {} x {} inside one "
                                "cluster; the largest {} cluster holds {}",
                                pp, tp, d.gpu, d.gpu, largest_cluster_groups));
}

void DeploymentReader::read_replicas(const Keyed& m, Deployment& d) const {
  const std::optional<Spot> at = m.get("replicas");
  if (at && at->node.IsMap()) {
    const Keyed r(source_, *at, {"min", "max", "initial"});
    r.maybe("min", [&](const Spot& v) { d.replicas.min = r.whole(v, 0); });
    const Spot max_at = r.require("max");
    d.replicas.max = r.whole(max_at);
    if (d.replicas.max < d.replicas.min)
      r.fail(max_at, fmt::format("max ({}) is below min ({})", d.replicas.max, d.replicas.min));
    d.replicas.initial = d.replicas.min;
    r.maybe("initial", [&](const Spot& s) {
      d.replicas.initial = r.whole(s, 0);
      if (d.replicas.initial < d.replicas.min || d.replicas.initial > d.replicas.max)
        r.fail(s, fmt::format("must be between min ({}) and max ({}), got {}", d.replicas.min,
                              d.replicas.max, d.replicas.initial));
    });
  } else if (at) {
    d.replicas.min = d.replicas.max = d.replicas.initial = m.whole(*at);
  }

  m.maybe("disaggregated", [&](const Spot& s) {
    if (at)
      m.fail(s,
             "give replicas or disaggregated, not both (disaggregated sets the replicas: "
             "prefill_replicas + decode_replicas)");
    const Keyed dis(source_, s, {"prefill_replicas", "decode_replicas"});
    Disaggregation split;
    split.prefill_replicas = dis.whole(dis.require("prefill_replicas"));
    split.decode_replicas = dis.whole(dis.require("decode_replicas"));
    d.disaggregated = split;
    d.replicas.min = d.replicas.max = d.replicas.initial =
        split.prefill_replicas + split.decode_replicas;
  });

  const Spot& where = at ? *at : m.get("disaggregated").value_or(m.self());
  if (d.max_replicas() > d.replica_slots)
    m.fail(where, fmt::format("{} replicas of tp {} x pp {} {} do not fit the platform: its {} "
                              "GPUs hold at most {} such replicas",
                              d.max_replicas(), d.parallelism.tp, d.parallelism.pp, d.gpu, d.gpu,
                              d.replica_slots));
}

void DeploymentReader::read_batching(const Keyed& m, Deployment& d) const {
  m.maybe("max_batch", [&](const Spot& s) { d.max_batch = m.whole(s); });
  const std::optional<Spot> tokens_at = m.get("max_batch_tokens");
  if (tokens_at) d.max_batch_tokens = m.whole(*tokens_at);
  // As vLLM requires (max_num_batched_tokens >= max_num_seqs): every sequence of an
  // iteration computes at least one token.
  if (d.max_batch_tokens < d.max_batch)
    m.fail(tokens_at.value_or(m.get("max_batch").value_or(m.self())),
           fmt::format("max_batch_tokens ({}) is below max_batch ({}): every sequence of an "
                       "iteration computes at least one token",
                       d.max_batch_tokens, d.max_batch));
  m.maybe("scheduler", [&](const Spot& s) {
    d.scheduler =
        static_cast<Scheduler>(m.choice(s, {"continuous", "continuous-chunked", "static"}));
  });
  m.maybe("serves", [&](const Spot& s) {
    if (!s.node.IsSequence() || s.node.size() == 0)
      m.fail(s, "expected a non-empty list of the trace's model names, got " + yaml_shown(s.node));
    for (std::size_t k = 0; k < s.node.size(); ++k)
      d.serves.push_back(m.text(
          Spot{s.node[k], s.path + "[" + std::to_string(k) + "]", yaml_line(s.node[k], s.line)}));
  });
  m.maybe("router", [&](const Spot& s) {
    d.router = m.text(s);
    if (!find_router(d.router)) m.fail(s, router_registry().unknown_message("router", d.router));
  });
  d.chunk_tokens = d.max_batch_tokens;
  m.maybe("chunk_tokens", [&](const Spot& s) {
    if (d.scheduler != Scheduler::continuous_chunked)
      m.fail(s, "chunk_tokens applies only to scheduler: continuous-chunked (this one is " +
                    std::string(to_string(d.scheduler)) + ")");
    d.chunk_tokens = m.whole(s);
    if (d.chunk_tokens > d.max_batch_tokens)
      m.fail(s, fmt::format("chunk_tokens ({}) exceeds max_batch_tokens ({})", d.chunk_tokens,
                            d.max_batch_tokens));
  });
  m.maybe("prefix_caching", [&](const Spot& s) { d.prefix_caching = m.boolean(s); });
  if (d.router == "prefix-affinity" && d.prefix_caching == false)
    m.fail(*m.get("prefix_caching"),
           "router prefix-affinity sends requests to the replica caching their prefix: it needs "
           "prefix_caching");

  m.maybe("kv_block_tokens", [&](const Spot& s) { d.kv_block_tokens = m.whole(s); });
  m.maybe("kv_reserve_fraction", [&](const Spot& s) {
    d.kv_reserve_fraction = m.number(s);
    if (d.kv_reserve_fraction < 0 || d.kv_reserve_fraction >= 1)
      m.fail(s, "must be at least 0 and below 1, got " + s.node.Scalar());
  });
  d.kv =
      perf::kv_capacity(d.llm, d.device, d.parallelism, d.kv_reserve_fraction, d.kv_block_tokens);
  if (!d.kv.fits())
    m.fail(m.get("tp").value_or(m.self()),
           "deployment '" + d.name +
               "': " + perf::kv_capacity_shortfall(d.llm, d.device, d.parallelism, d.kv) +
               "; raise tp or pp, or lower kv_reserve_fraction");
}

void DeploymentReader::read_autoscale(const Keyed& m, Deployment& d) const {
  m.maybe("autoscale", [&](const Spot& s) {
    if (!d.replicas.autoscaled())
      m.fail(s, "autoscale applies only when replicas is a {min, max} range with min < max");
    const Keyed a(source_, s, {"scale_up_queue", "scale_down_util", "cooldown_s", "storage_gbps"});
    a.maybe("scale_up_queue", [&](const Spot& v) { d.autoscale.scale_up_queue = a.positive(v); });
    a.maybe("scale_down_util", [&](const Spot& v) {
      d.autoscale.scale_down_util = a.number(v);
      if (d.autoscale.scale_down_util < 0 || d.autoscale.scale_down_util >= 1)
        a.fail(v, "must be at least 0 and below 1, got " + v.node.Scalar());
    });
    a.maybe("cooldown_s", [&](const Spot& v) {
      d.autoscale.cooldown_s = a.number(v);
      if (d.autoscale.cooldown_s < 0) a.fail(v, "must be at least 0, got " + v.node.Scalar());
    });
    a.maybe("storage_gbps", [&](const Spot& v) { d.autoscale.storage_bps = a.positive(v) * 1e9; });
  });
}

Deployment DeploymentReader::read_one(const Spot& item) const {
  const Keyed m(source_, item,
                {"name", "model", "gpu", "tp", "pp", "replicas", "max_batch", "max_batch_tokens",
                 "scheduler", "router", "disaggregated", "kv_block_tokens", "kv_reserve_fraction",
                 "prefix_caching", "chunk_tokens", "autoscale", "serves"});
  Deployment d;
  d.source = source_;
  d.line = item.line;
  const Spot name_at = m.require("name");
  d.name = m.text(name_at);
  if (!is_identifier(d.name))
    m.fail(name_at, "name '" + d.name + "' may contain only letters, digits, '-', '_' and '.'");
  read_placement(m, d);
  read_replicas(m, d);
  read_batching(m, d);
  read_autoscale(m, d);
  return d;
}

// Deployments on the same GPU model share its GPUs: the replicas up at time 0 must fit
// together (autoscaled ones may later compete for what is free).
void DeploymentReader::check_shared_gpus(const std::vector<Deployment>& all,
                                         const std::vector<Spot>& replica_spots) const {
  std::map<std::string, long long> used;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const Deployment& d = all[i];
    long long have = 0;
    for (const platform::Cluster& c : platform_.clusters)
      if (platform::same_device_name(c.node.gpu_model, d.gpu)) have += c.gpu_count();
    long long& need = used[d.gpu];
    need += static_cast<long long>(d.replicas.initial) * d.gpus_per_replica();
    if (need > have)
      throw InputError(located(
          source_, replica_spots[i].line, replica_spots[i].path,
          fmt::format("the deployments on {} so far need {} GPUs for their initial replicas "
                      "(this one {} x {}); the platform has {}",
                      d.gpu, need, d.replicas.initial, d.gpus_per_replica(), have)));
  }
}

std::vector<Deployment> DeploymentReader::read(const YAML::Node& root) const {
  if (!root.IsDefined() || root.IsNull())
    throw InputError(
        located(source_, 0, "", "the deployment file is empty (expected deployments:)"));
  const Keyed top(source_, Spot{root, "", yaml_line(root, 1)}, {"deployments"});
  const Spot list = top.require("deployments");
  if (!list.node.IsSequence() || list.node.size() == 0)
    top.fail(list, "expected a non-empty list of deployments, got " +
                       (list.node.IsSequence() ? "an empty list" : yaml_shown(list.node)));
  std::vector<Deployment> out;
  std::vector<Spot> replica_spots;
  for (std::size_t i = 0; i < list.node.size(); ++i) {
    const Spot item{list.node[i], list.path + "[" + std::to_string(i) + "]",
                    yaml_line(list.node[i], list.line)};
    Deployment d = read_one(item);
    for (const Deployment& other : out)
      if (other.name == d.name)
        top.fail(
            Spot{item.node["name"], item.path + ".name", yaml_line(item.node["name"], item.line)},
            "duplicate deployment name '" + d.name + "' (first at line " +
                std::to_string(other.line) + ")");
    const YAML::Node r = item.node["replicas"] ? item.node["replicas"] : item.node["disaggregated"];
    replica_spots.push_back(
        r ? Spot{r, item.path + (item.node["replicas"] ? ".replicas" : ".disaggregated"),
                 yaml_line(r, item.line)}
          : item);
    out.push_back(std::move(d));
  }
  check_shared_gpus(out, replica_spots);
  return out;
}

}  // namespace

std::vector<Deployment> parse_deployments(const std::string& text, const std::string& source,
                                          const platform::Platform& platform,
                                          const perf::LlmCatalog& catalog) {
  const DeploymentReader reader(source, platform, catalog);
  try {
    return reader.read(YAML::Load(text));
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    throw InputError(located(source, line, "", "malformed YAML: " + e.msg));
  }
}

std::vector<Deployment> load_deployments(const std::string& path,
                                         const platform::Platform& platform,
                                         const perf::LlmCatalog& catalog) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError(located(path, 0, "", "is a directory, not a deployment file"));
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError(
        located(path, 0, "", std::string("cannot open deployment file: ") + std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_deployments(text.str(), path, platform, catalog);
}

}  // namespace suanli::serving
