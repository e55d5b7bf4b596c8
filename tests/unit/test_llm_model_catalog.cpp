#include <doctest/doctest.h>

#include <string>

#include "suanli/perf/llm_model.hpp"
#include "test_support.hpp"

using namespace suanli;
using namespace suanli::perf;

namespace {

// Parameters of a Llama-style dense model from its config: untied embedding and output
// (2 x vocab x hidden), the final norm (hidden), and per layer the Q and O projections
// (2 x hidden x heads x head_dim), K and V (2 x hidden x kv_heads x head_dim), the SwiGLU MLP
// (3 x hidden x ffn) and two norms (2 x hidden).
double llama_params(const LlmModel& m) {
  const double h = m.hidden;
  const double per_layer =
      2 * h * m.heads * m.head_dim + 2 * h * m.kv_heads * m.head_dim + 3 * h * m.ffn_hidden + 2 * h;
  return 2.0 * m.vocab * h + h + m.layers * per_layer;
}

std::string catalog_error(const std::string& yaml) {
  LlmCatalog c = LlmCatalog::builtin();
  return testing::input_error_of([&] { c.parse_yaml(yaml, "models.yaml"); }, yaml);
}

}  // namespace

TEST_CASE("builtin LLM catalog holds the eight models of the issue, each with a source") {
  const LlmCatalog c = LlmCatalog::builtin();
  for (const char* name : {"llama-2-7b", "llama-2-13b", "llama-2-70b", "llama-3-8b", "llama-3-70b",
                           "llama-3-405b", "gpt-3-175b", "mixtral-8x7b"}) {
    CAPTURE(name);
    const LlmModel* m = c.find(name);
    REQUIRE(m != nullptr);
    CHECK(m->name == name);
    CHECK(m->params > 0);
    CHECK(m->active_params > 0);
    CHECK(m->active_params <= m->params);
    CHECK(m->head_dim * m->heads == m->hidden);
    CHECK(m->heads % m->kv_heads == 0);
    CHECK(m->bytes_per_param == 2);  // bf16
    CHECK(m->kv_elem_bytes() == 2);
    CHECK(m->max_context > 0);
    CHECK_FALSE(m->source.empty());
  }
  CHECK(c.names().size() == 8);
}

TEST_CASE("builtin LLM shapes are the config.json and paper values") {
  const LlmCatalog c = LlmCatalog::builtin();
  const LlmModel& l2_70 = *c.find("llama-2-70b");
  CHECK(l2_70.layers == 80);
  CHECK(l2_70.hidden == 8192);
  CHECK(l2_70.heads == 64);
  CHECK(l2_70.kv_heads == 8);  // grouped-query attention
  CHECK(l2_70.head_dim == 128);
  CHECK(l2_70.ffn_hidden == 28672);
  CHECK(l2_70.max_context == 4096);

  const LlmModel& l3_405 = *c.find("llama-3-405b");
  CHECK(l3_405.layers == 126);
  CHECK(l3_405.hidden == 16384);
  CHECK(l3_405.heads == 128);
  CHECK(l3_405.kv_heads == 8);
  CHECK(l3_405.vocab == 128256);
  CHECK(l3_405.max_context == 131072);

  // GPT-3 paper, Table 2.1: 96 layers, d_model 12288, 96 heads of 128, context 2048.
  const LlmModel& gpt3 = *c.find("gpt-3-175b");
  CHECK(gpt3.params == 175e9);
  CHECK(gpt3.layers == 96);
  CHECK(gpt3.hidden == 12288);
  CHECK(gpt3.heads == 96);
  CHECK(gpt3.kv_heads == 96);
  CHECK(gpt3.head_dim == 128);
  CHECK(gpt3.max_context == 2048);
}

TEST_CASE("Llama parameter counts are the ones their shapes give") {
  const LlmCatalog c = LlmCatalog::builtin();
  // e.g. Llama-2-7B: 2 x 32000 x 4096 + 4096 + 32 x (33,554,432 + 33,554,432 + 135,266,304 +
  // 8,192) = 6,738,415,616; the cards round these to 7B, 13B, 70B, 8B, 70B, 405B.
  for (const char* name :
       {"llama-2-7b", "llama-2-13b", "llama-2-70b", "llama-3-8b", "llama-3-70b", "llama-3-405b"}) {
    CAPTURE(name);
    const LlmModel& m = *c.find(name);
    CHECK(m.params == llama_params(m));
    CHECK(m.active_params == m.params);
    CHECK_FALSE(m.is_moe());
  }
  CHECK(c.find("llama-2-7b")->params == 6'738'415'616);
  CHECK(c.find("llama-3-8b")->params == 8'030'261'248);
}

TEST_CASE("Mixtral 8x7B is 46.7B parameters, 12.9B per token, 2 of 8 experts") {
  const LlmModel& m = *LlmCatalog::builtin().find("mixtral-8x7b");
  CHECK(m.is_moe());
  CHECK(m.params == 46.7e9);
  CHECK(m.active_params == 12.9e9);
  CHECK(m.experts == 8);
  CHECK(m.active_experts == 2);
  // One expert: (46.7 - 12.9) / (8 - 2) = 5.6333B; shared: 46.7 - 8 x 5.6333 = 1.6333B.
  CHECK(m.params_per_expert() == doctest::Approx(33.8e9 / 6));
  CHECK(m.shared_params() == doctest::Approx(46.7e9 - 8 * 33.8e9 / 6));
  CHECK(m.shared_params() + 2 * m.params_per_expert() == doctest::Approx(m.active_params));
}

TEST_CASE("KV bytes per token are 2 x layers x kv_heads x head_dim x element bytes") {
  const LlmCatalog c = LlmCatalog::builtin();
  CHECK(c.find("llama-2-70b")->kv_bytes_per_token() == 2.0 * 80 * 8 * 128 * 2);  // 327,680
  CHECK(c.find("llama-2-70b")->kv_bytes_per_token() == 327680);
  CHECK(c.find("llama-2-7b")->kv_bytes_per_token() == 2.0 * 32 * 32 * 128 * 2);  // 524,288
  CHECK(c.find("llama-3-8b")->kv_bytes_per_token() == 2.0 * 32 * 8 * 128 * 2);   // 131,072
  CHECK(c.find("llama-2-7b")->weight_bytes() == 2.0 * 6'738'415'616);
}

TEST_CASE("LLM names are found case-insensitively and upsert replaces in place") {
  LlmCatalog c = LlmCatalog::builtin();
  REQUIRE(c.find("Llama-2-70B") != nullptr);
  CHECK(c.find("LLAMA-2-70B") == c.find("llama-2-70b"));
  CHECK(c.find("llama-2") == nullptr);
  LlmModel m = *c.find("llama-3-8b");
  m.name = "LLAMA-3-8B";
  m.max_context = 128;
  c.upsert(m);
  CHECK(c.names().size() == 8);
  CHECK(c.names()[3] == "LLAMA-3-8B");
  CHECK(c.find("llama-3-8b")->max_context == 128);
}

TEST_CASE("a models file adds a model with defaults and overrides a built-in field") {
  LlmCatalog c = LlmCatalog::builtin();
  c.load_yaml(std::string(SUANLI_FIXTURES) + "/serving/models.yaml");
  CHECK(c.names().size() == 9);
  const LlmModel& tiny = *c.find("tiny-1b");
  CHECK(tiny.params == 1.2e9);
  CHECK(tiny.active_params == 1.2e9);  // dense
  CHECK(tiny.head_dim == 2048 / 16);
  CHECK(tiny.kv_heads == 4);
  CHECK(tiny.experts == 1);
  CHECK(tiny.dtype == "fp8");
  CHECK(tiny.bytes_per_param == 1);
  CHECK(tiny.kv_elem_bytes() == 1);  // follows the weights
  CHECK(tiny.source == "made-up test model");

  const LlmModel& l70 = *c.find("llama-2-70b");
  CHECK(l70.name == "llama-2-70b");  // the catalog's spelling stays
  CHECK(l70.bytes_per_param == 2);
  CHECK(l70.kv_elem_bytes() == 1);
  CHECK(l70.kv_bytes_per_token() == 163840);
  CHECK(l70.source.find("overridden in") != std::string::npos);
  CHECK(l70.source.find("kv_dtype") != std::string::npos);
}

TEST_CASE("a models file entry may define a mixture of experts and raw byte sizes") {
  LlmCatalog c = LlmCatalog::builtin();
  c.parse_yaml(
      "models:\n"
      "  - {name: moe, params: 100e9, active_params: 20e9, layers: 10, hidden: 1024,\n"
      "     heads: 8, head_dim: 256, experts: 16, active_experts: 2, bytes_per_param: 0.5,\n"
      "     kv_bytes_per_elem: 2}\n"
      "  - {name: llama-3-8b, heads: 16, kv_heads: 8}\n",
      "inline.yaml");
  const LlmModel& moe = *c.find("moe");
  CHECK(moe.is_moe());
  CHECK(moe.head_dim == 256);
  CHECK(moe.dtype == "custom");
  CHECK(moe.weight_bytes() == 50e9);
  CHECK(moe.kv_bytes_per_token() == 2.0 * 10 * 8 * 256 * 2);
  CHECK(moe.source == "defined in inline.yaml");
  // heads changed without head_dim: head_dim follows hidden / heads.
  CHECK(c.find("llama-3-8b")->head_dim == 4096 / 16);
}

TEST_CASE("models file errors name the file, the line and the field") {
  struct Case {
    std::string yaml;
    std::string message;
  };
  const Case cases[] = {
      {"models:\n  - {name: x, params: 1e9, layers: 2, hidden: 64, heads: 4, colour: red}\n",
       "models.yaml:2: models[0].colour: unknown key 'colour' (allowed: name, params, "
       "active_params, layers, hidden, heads, kv_heads, head_dim, ffn_hidden, vocab, experts, "
       "active_experts, dtype, bytes_per_param, kv_dtype, kv_bytes_per_elem, max_context, "
       "source)"},
      {"models:\n  - {name: x, params: 1e9, layers: 2, heads: 4}\n",
       "models.yaml:2: models[0].hidden: missing required key 'hidden' (model 'x' is not in the "
       "catalog, so it needs at least params, layers, hidden and heads)"},
      {"models:\n  - {params: 1e9}\n",
       "models.yaml:2: models[0].name: missing required key 'name'"},
      {"models:\n  - name: x\n    params: -7e9\n    layers: 2\n    hidden: 64\n    heads: 4\n",
       "models.yaml:3: models[0].params: must be positive, got -7e9"},
      {"models:\n  - {name: llama-2-7b, layers: 0}\n",
       "models.yaml:2: models[0].layers: must be at least 1, got 0"},
      {"models:\n  - {name: llama-2-7b, layers: 2.5}\n",
       "models.yaml:2: models[0].layers: expected a whole number, got '2.5'"},
      {"models:\n  - {name: llama-2-7b, params: many}\n",
       "models.yaml:2: models[0].params: expected a number, got 'many'"},
      {"models:\n  - {name: llama-2-7b, kv_heads: 5}\n",
       "models.yaml:2: models[0].kv_heads: kv_heads (5) must divide heads (32): each KV head "
       "serves a group of query heads"},
      {"models:\n  - {name: llama-2-7b, hidden: 100}\n",
       "models.yaml:2: models[0].hidden: hidden (100) is not a multiple of heads (32): give "
       "head_dim"},
      {"models:\n  - {name: m, params: 1e9, layers: 2, hidden: 64, heads: 4, experts: 8}\n",
       "models.yaml:2: models[0].active_params: missing required key 'active_params' (a mixture "
       "of experts needs the parameters used per token)"},
      {"models:\n  - {name: llama-2-7b, active_params: 1e9}\n",
       "models.yaml:2: models[0].active_params: a dense model (experts: 1) uses all its "
       "parameters: active_params must equal params, or give experts and active_experts"},
      {"models:\n  - {name: mixtral-8x7b, active_params: 50e9}\n",
       "models.yaml:2: models[0].active_params: active_params (5e+10) exceeds params (4.67e+10)"},
      {"models:\n  - {name: mixtral-8x7b, active_experts: 9}\n",
       "models.yaml:2: models[0].active_experts: active_experts (9) exceeds experts (8)"},
      {"models:\n  - {name: llama-2-7b, dtype: int4}\n",
       "models.yaml:2: models[0].dtype: unknown dtype 'int4' (expected bf16, fp16 or fp8)"},
      {"models:\n  - {name: llama-2-7b, dtype: fp8, bytes_per_param: 1}\n",
       "models.yaml:2: models[0].bytes_per_param: give dtype or bytes_per_param, not both"},
      {"models:\n  - {name: llama-2-7b, kv_bytes_per_elem: 16}\n",
       "models.yaml:2: models[0].kv_bytes_per_elem: must be at most 8 bytes, got 16"},
      {"models:\n  - {name: llama-2-7b, layers: 2}\n  - {name: LLAMA-2-7B, layers: 3}\n",
       "models.yaml:3: models[1].name: model 'LLAMA-2-7B' is listed twice (first at line 2)"},
      {"models:\n  - {name: llama-2-7b, layers: 2, layers: 3}\n",
       "models.yaml:2: models[0].layers: duplicate key 'layers' (first given at line 2)"},
      {"models: {name: x}\n", "models.yaml:1: models: expected a list of models, got a map"},
      {"model:\n  - {name: x}\n",
       "models.yaml:1: model: unknown key 'model' (allowed: models); did you "
       "mean 'models'?"},
      {"", "models.yaml: the models file is empty (expected models:)"},
      {"models: [\n", "models.yaml:2: malformed YAML: end of sequence flow not found"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.yaml);
    CHECK(catalog_error(c.yaml) == c.message);
  }
}

TEST_CASE("a models file with an error leaves the catalog unchanged") {
  LlmCatalog c = LlmCatalog::builtin();
  CHECK_THROWS_AS(c.parse_yaml("models:\n  - {name: llama-2-7b, layers: 99}\n"
                               "  - {name: llama-2-13b, layers: 0}\n",
                               "bad.yaml"),
                  InputError);
  CHECK(c.find("llama-2-7b")->layers == 32);
  CHECK(testing::input_error_of([&] { c.load_yaml("/nonexistent/models.yaml"); }, "missing") ==
        "/nonexistent/models.yaml: cannot open models file: No such file or directory");
}
