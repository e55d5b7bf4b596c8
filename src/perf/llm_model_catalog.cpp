#include "suanli/perf/llm_model.hpp"

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
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "suanli/common/input_error.hpp"
#include "suanli/common/yaml_field.hpp"
#include "suanli/platform/device_catalog.hpp"

namespace suanli::perf {

double LlmModel::params_per_expert() const {
  if (experts <= 1 || active_experts >= experts) return 0;
  return (params - active_params) / (experts - active_experts);
}

double dtype_bytes(std::string_view dtype) {
  if (dtype == "bf16" || dtype == "fp16") return 2;
  if (dtype == "fp8") return 1;
  return 0;
}

namespace {

// Model names compare like device names: exactly, but case-insensitively.
bool same_name(std::string_view a, std::string_view b) {
  return platform::same_device_name(a, b);
}

// A dense model with multi-head or grouped-query attention: head_dim = hidden / heads.
LlmModel dense(std::string name, double params, int layers, int hidden, int heads, int kv_heads,
               int ffn_hidden, int vocab, int max_context, std::string source) {
  LlmModel m;
  m.name = std::move(name);
  m.params = m.active_params = params;
  m.layers = layers;
  m.hidden = hidden;
  m.heads = heads;
  m.kv_heads = kv_heads;
  m.head_dim = hidden / heads;
  m.ffn_hidden = ffn_hidden;
  m.vocab = vocab;
  m.max_context = max_context;
  m.source = std::move(source);
  return m;
}

}  // namespace

// Shapes are the config.json values of each model's Hugging Face card (num_hidden_layers,
// hidden_size, num_attention_heads, num_key_value_heads, intermediate_size, vocab_size,
// max_position_embeddings). The cards round parameter counts ("7B"); for the Llama models the
// count below is the exact one those shapes give: 2 x vocab x hidden (embedding and untied
// output) + hidden (final norm) + layers x (2 x hidden x (heads + kv_heads) x head_dim
// attention projections + 3 x hidden x ffn SwiGLU MLP + 2 x hidden norms), e.g. Llama-2-7B:
// 262,144,000 + 4,096 + 32 x (67,108,864 + 135,266,304 + 8,192) = 6,738,415,616.
LlmCatalog LlmCatalog::builtin() {
  LlmCatalog c;
  c.upsert(dense("llama-2-7b", 6'738'415'616, 32, 4096, 32, 32, 11008, 32000, 4096,
                 "Llama 2 model card, meta-llama/Llama-2-7b-hf config.json; Touvron et al., "
                 "arXiv:2307.09288; params counted from the config (card: 7B)"));
  c.upsert(dense("llama-2-13b", 13'015'864'320, 40, 5120, 40, 40, 13824, 32000, 4096,
                 "Llama 2 model card, meta-llama/Llama-2-13b-hf config.json; Touvron et al., "
                 "arXiv:2307.09288; params counted from the config (card: 13B)"));
  c.upsert(dense("llama-2-70b", 68'976'648'192, 80, 8192, 64, 8, 28672, 32000, 4096,
                 "Llama 2 model card, meta-llama/Llama-2-70b-hf config.json (GQA, 8 KV heads); "
                 "Touvron et al., arXiv:2307.09288; params counted from the config (card: 70B)"));
  c.upsert(dense("llama-3-8b", 8'030'261'248, 32, 4096, 32, 8, 14336, 128256, 8192,
                 "Meta Llama 3 model card, meta-llama/Meta-Llama-3-8B config.json; params "
                 "counted from the config (card: 8B)"));
  c.upsert(dense("llama-3-70b", 70'553'706'496, 80, 8192, 64, 8, 28672, 128256, 8192,
                 "Meta Llama 3 model card, meta-llama/Meta-Llama-3-70B config.json; params "
                 "counted from the config (card: 70B)"));
  // 405B exists only as Llama 3.1 (128K context).
  c.upsert(dense("llama-3-405b", 405'853'388'800, 126, 16384, 128, 8, 53248, 128256, 131072,
                 "Llama 3.1 405B model card, meta-llama/Llama-3.1-405B config.json; Llama Team, "
                 "'The Llama 3 Herd of Models', arXiv:2407.21783; params counted from the "
                 "config (card: 405B)"));
  // GPT-3 paper, Table 2.1: n_params 175.0B, n_layers 96, d_model 12288, n_heads 96,
  // d_head 128, context 2048; the MLP is 4 x d_model; the GPT-2 BPE vocabulary of 50,257.
  c.upsert(dense("gpt-3-175b", 175e9, 96, 12288, 96, 96, 4 * 12288, 50257, 2048,
                 "Brown et al., 'Language Models are Few-Shot Learners', arXiv:2005.14165, "
                 "Table 2.1 (GPT-3 175B)"));
  // Mixtral 8x7B: the Mistral-7B-like shape with 8 SwiGLU experts per layer, 2 per token.
  LlmModel mixtral = dense("mixtral-8x7b", 46.7e9, 32, 4096, 32, 8, 14336, 32000, 32768,
                           "Mistral AI, 'Mixtral of experts' (announcement: 46.7B total, 12.9B "
                           "used per token) and Jiang et al., arXiv:2401.04088; "
                           "mistralai/Mixtral-8x7B-v0.1 config.json");
  mixtral.active_params = 12.9e9;
  mixtral.experts = 8;
  mixtral.active_experts = 2;
  c.upsert(std::move(mixtral));
  return c;
}

const LlmModel* LlmCatalog::find(std::string_view name) const {
  for (const LlmModel& m : models_)
    if (same_name(m.name, name)) return &m;
  return nullptr;
}

void LlmCatalog::upsert(LlmModel model) {
  for (LlmModel& m : models_) {
    if (same_name(m.name, model.name)) {
      m = std::move(model);
      return;
    }
  }
  models_.push_back(std::move(model));
}

std::vector<std::string> LlmCatalog::names() const {
  std::vector<std::string> out;
  for (const LlmModel& m : models_) out.push_back(m.name);
  return out;
}

// ---- the models file ----------------------------------------------------------------------

namespace {

using Keys = std::initializer_list<std::string_view>;

using Val = YamlField;

class ModelsReader {
 public:
  explicit ModelsReader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const Val& v, const std::string& what) const {
    throw InputError(located(source_, v.line, v.path, what));
  }

  // The entries of a map, each key allowed and given once (common/yaml_field.hpp).
  YamlMap::Entries entries(const Val& v, Keys allowed) const {
    return YamlMap(source_, v, allowed).entries();
  }

  std::string text(const Val& v) const {
    if (!v.node.IsScalar() || v.node.Scalar().empty())
      fail(v, "expected a text, got " + yaml_shown(v.node));
    return v.node.Scalar();
  }

  double positive(const Val& v) const {
    const std::string s = v.node.IsScalar() ? v.node.Scalar() : "";
    double value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value))
      fail(v, "expected a number, got " + yaml_shown(v.node));
    if (value <= 0) fail(v, "must be positive, got " + s);
    return value;
  }

  int whole(const Val& v) const {
    const std::string s = v.node.IsScalar() ? v.node.Scalar() : "";
    long long value = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size())
      fail(v, "expected a whole number, got " + yaml_shown(v.node));
    if (value < 1) fail(v, "must be at least 1, got " + s);
    if (value > std::numeric_limits<int>::max()) fail(v, "too large: " + s);
    return static_cast<int>(value);
  }

  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

// One `models[i]` entry applied to `catalog`.
void read_model(const ModelsReader& r, const Val& item, LlmCatalog& catalog) {
  const auto fields = r.entries(
      item, {"name", "params", "active_params", "layers", "hidden", "heads", "kv_heads", "head_dim",
             "ffn_hidden", "vocab", "experts", "active_experts", "dtype", "bytes_per_param",
             "kv_dtype", "kv_bytes_per_elem", "max_context", "source"});
  const auto get = [&](std::string_view key) -> std::optional<Val> {
    for (const auto& [k, v] : fields)
      if (k == key) return v;
    return std::nullopt;
  };
  const auto missing = [&](std::string_view key, const std::string& why) {
    r.fail(Val{item.node, item.path + "." + std::string(key), item.line},
           "missing required key '" + std::string(key) + "'" + why);
  };

  const auto name_field = get("name");
  if (!name_field) missing("name", "");
  const std::string name = r.text(*name_field);
  const LlmModel* existing = catalog.find(name);
  if (!existing) {
    for (std::string_view key : {"params", "layers", "hidden", "heads"})
      if (!get(key))
        missing(key, " (model '" + name +
                         "' is not in the catalog, so it needs at least params, layers, hidden "
                         "and heads)");
  }
  LlmModel m = existing ? *existing : LlmModel{};
  if (!existing) m.name = name;

  std::vector<std::string> changed;
  for (const auto& [key, v] : fields)
    if (key != "name" && key != "source") changed.push_back(key);

  if (auto v = get("params")) m.params = r.positive(*v);
  if (auto v = get("layers")) m.layers = r.whole(*v);
  if (auto v = get("hidden")) m.hidden = r.whole(*v);
  if (auto v = get("heads")) m.heads = r.whole(*v);
  if (auto v = get("ffn_hidden")) m.ffn_hidden = r.whole(*v);
  if (auto v = get("vocab")) m.vocab = r.whole(*v);
  if (auto v = get("max_context")) m.max_context = r.whole(*v);
  if (auto v = get("experts")) m.experts = r.whole(*v);
  if (auto v = get("active_experts")) m.active_experts = r.whole(*v);

  // Attention: KV heads default to the query heads (multi-head attention) for a new model;
  // head_dim follows hidden / heads unless given.
  if (auto v = get("kv_heads"))
    m.kv_heads = r.whole(*v);
  else if (!existing)
    m.kv_heads = m.heads;
  if (auto v = get("head_dim")) {
    m.head_dim = r.whole(*v);
  } else if (get("hidden") || get("heads")) {
    if (m.hidden % m.heads != 0)
      r.fail(get("heads") ? *get("heads") : *get("hidden"),
             fmt::format("hidden ({}) is not a multiple of heads ({}): give head_dim", m.hidden,
                         m.heads));
    m.head_dim = m.hidden / m.heads;
  }
  if (m.kv_heads > m.heads || m.heads % m.kv_heads != 0)
    r.fail(get("kv_heads").value_or(get("heads").value_or(item)),
           fmt::format("kv_heads ({}) must divide heads ({}): each KV head serves a group of "
                       "query heads",
                       m.kv_heads, m.heads));

  // Parameters used per token: all of them for a dense model.
  if (m.active_experts > m.experts)
    r.fail(get("active_experts").value_or(get("experts").value_or(item)),
           fmt::format("active_experts ({}) exceeds experts ({})", m.active_experts, m.experts));
  const auto active = get("active_params");
  if (active) m.active_params = r.positive(*active);
  if (m.is_moe() && !existing && !active)
    missing("active_params", " (a mixture of experts needs the parameters used per token)");
  if (!m.is_moe()) {
    if (active && m.active_params != m.params)
      r.fail(*active,
             "a dense model (experts: 1) uses all its parameters: active_params must "
             "equal params, or give experts and active_experts");
    m.active_params = m.params;
  }
  if (m.active_params > m.params)
    r.fail(active.value_or(get("params").value_or(item)),
           fmt::format("active_params ({:g}) exceeds params ({:g})", m.active_params, m.params));

  // Bytes: a dtype name or a number of bytes, not both.
  const auto bytes = [&](std::string_view dtype_key, std::string_view bytes_key, double& out,
                         std::string* dtype_name) {
    const auto d = get(dtype_key);
    const auto b = get(bytes_key);
    if (d && b)
      r.fail(*b, "give " + std::string(dtype_key) + " or " + std::string(bytes_key) + ", not both");
    if (d) {
      const std::string t = r.text(*d);
      out = dtype_bytes(t);
      if (out == 0) r.fail(*d, "unknown dtype '" + t + "' (expected bf16, fp16 or fp8)");
      if (dtype_name) *dtype_name = t;
    } else if (b) {
      out = r.positive(*b);
      if (out > 8) r.fail(*b, "must be at most 8 bytes, got " + b->node.Scalar());
      if (dtype_name) *dtype_name = "custom";
    }
  };
  bytes("dtype", "bytes_per_param", m.bytes_per_param, &m.dtype);
  bytes("kv_dtype", "kv_bytes_per_elem", m.kv_bytes_per_elem, nullptr);

  if (auto s = get("source"))
    m.source = r.text(*s);
  else if (existing)
    m.source +=
        "; overridden in " + r.source() + ": " + fmt::format("{}", fmt::join(changed, ", "));
  else
    m.source = "defined in " + r.source();
  catalog.upsert(std::move(m));
}

void read_models(const ModelsReader& r, const YAML::Node& root, LlmCatalog& catalog) {
  if (!root.IsDefined() || root.IsNull())
    throw InputError(located(r.source(), 0, "", "the models file is empty (expected models:)"));
  const auto top = r.entries(Val{root, "", yaml_line(root, 1)}, {"models"});
  if (top.empty())
    throw InputError(located(r.source(), 1, "models", "missing required key 'models'"));
  const Val& list = top.front().second;
  if (!list.node.IsSequence())
    r.fail(list, "expected a list of models, got " + yaml_shown(list.node));
  std::vector<std::pair<std::string, int>> seen;  // names given so far, and their lines
  for (std::size_t i = 0; i < list.node.size(); ++i) {
    const Val item{list.node[i], list.path + "[" + std::to_string(i) + "]",
                   yaml_line(list.node[i], list.line)};
    if (item.node.IsMap() && item.node["name"] && item.node["name"].IsScalar()) {
      const std::string name = item.node["name"].Scalar();
      for (const auto& [other, line] : seen)
        if (same_name(other, name))
          r.fail(
              Val{item.node["name"], item.path + ".name", item.line},
              "model '" + name + "' is listed twice (first at line " + std::to_string(line) + ")");
      seen.emplace_back(name, item.line);
    }
    read_model(r, item, catalog);
  }
}

}  // namespace

void LlmCatalog::parse_yaml(const std::string& text, const std::string& source) {
  const ModelsReader reader(source);
  LlmCatalog updated = *this;  // unchanged on an error
  try {
    read_models(reader, YAML::Load(text), updated);
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() ? 0 : e.mark.line + 1;
    throw InputError(located(source, line, "", "malformed YAML: " + e.msg));
  }
  *this = std::move(updated);
}

void LlmCatalog::load_yaml(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError(located(path, 0, "", "is a directory, not a models file"));
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError(
        located(path, 0, "", std::string("cannot open models file: ") + std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  parse_yaml(text.str(), path);
}

}  // namespace suanli::perf
