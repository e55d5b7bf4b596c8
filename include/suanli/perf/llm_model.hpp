#pragma once
// Transformer descriptions for LLM-serving simulation: the shape numbers a roofline needs
// (parameters, layers, hidden size, attention and KV heads, experts) and the bytes they take.
// Built-in entries carry the model card or paper their numbers come from; a YAML file may
// override fields of an entry or add entries (docs/serving-model.md).
#include <string>
#include <string_view>
#include <vector>

namespace suanli::perf {

struct LlmModel {
  std::string name;
  double params = 0;         // all parameters (MoE: every expert)
  double active_params = 0;  // used per token: = params for a dense model
  int layers = 0;
  int hidden = 0;
  int heads = 0;     // query heads
  int kv_heads = 0;  // key/value heads (< heads: grouped-query attention)
  int head_dim = 0;
  int ffn_hidden = 0;  // MLP inner size (per expert for MoE); 0 = not given
  int vocab = 0;       // 0 = not given
  int experts = 1;     // 1 = dense
  int active_experts = 1;
  std::string dtype = "bf16";  // weights: bf16, fp16 (2 bytes), fp8 (1), or "custom"
  double bytes_per_param = 2;
  // KV-cache element size; 0 = the same as bytes_per_param.
  double kv_bytes_per_elem = 0;
  int max_context = 0;  // tokens; 0 = not given
  std::string source;   // model card / paper the numbers come from

  bool is_moe() const { return experts > 1; }
  double weight_bytes() const { return params * bytes_per_param; }
  double kv_elem_bytes() const {
    return kv_bytes_per_elem > 0 ? kv_bytes_per_elem : bytes_per_param;
  }
  // K and V, for every layer and KV head: 2 x layers x kv_heads x head_dim x element bytes.
  double kv_bytes_per_token() const { return 2.0 * layers * kv_heads * head_dim * kv_elem_bytes(); }
  // MoE: the parameters of one expert, (params - active) / (experts - active_experts), and
  // those every token uses (attention, embeddings, router, norms), params - experts x that.
  // A dense model: 0 and params.
  double params_per_expert() const;
  double shared_params() const { return params - experts * params_per_expert(); }
};

// "bf16" and "fp16" -> 2, "fp8" -> 1; 0 for anything else.
double dtype_bytes(std::string_view dtype);

class LlmCatalog {
 public:
  // llama-2-7b, llama-2-13b, llama-2-70b, llama-3-8b, llama-3-70b, llama-3-405b, gpt-3-175b,
  // mixtral-8x7b.
  static LlmCatalog builtin();

  // Case-insensitive exact name ("Llama-2-70B" finds "llama-2-70b"); nullptr when unknown.
  const LlmModel* find(std::string_view name) const;
  // Adds an entry or replaces the one with the same (case-insensitive) name in its place.
  void upsert(LlmModel model);
  std::vector<std::string> names() const;
  const std::vector<LlmModel>& all() const { return models_; }

  // Reads `models:` from a YAML file: an entry named like a catalog entry overrides the fields
  // it gives, any other name adds a model (needing params, layers, hidden and heads, and
  // active_params when experts > 1). Unknown or duplicate keys, missing fields, values that
  // are not positive, and inconsistent shapes throw InputError("file:line: field: what"); on
  // an error the catalog is left unchanged.
  void load_yaml(const std::string& path);
  // The same from text in memory; `source` names it in messages.
  void parse_yaml(const std::string& text, const std::string& source);

 private:
  std::vector<LlmModel> models_;
};

}  // namespace suanli::perf
