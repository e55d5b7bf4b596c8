#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "suanli/perf/llm_model.hpp"
#include "suanli/platform/platform_loader.hpp"
#include "suanli/serving/deployment.hpp"
#include "test_support.hpp"

using namespace suanli;
using namespace suanli::serving;

namespace {

const std::string kFixtures = std::string(SUANLI_FIXTURES) + "/serving/";

// 4 nodes x 8 H100 (cluster 0), 1 node x 4 A100 (1), 2 nodes x 2 slowgpu (2), 1 node x 2 nohbm
// (3); see tests/fixtures/serving/platform.yaml.
const platform::Platform& test_platform() {
  static const platform::Platform p = platform::load_platform_yaml(kFixtures + "platform.yaml");
  return p;
}

// The built-in models plus "odd": 12 heads over 3 KV heads, 4 layers.
const perf::LlmCatalog& test_catalog() {
  static const perf::LlmCatalog c = [] {
    perf::LlmCatalog catalog = perf::LlmCatalog::builtin();
    catalog.parse_yaml(
        "models:\n  - {name: odd, params: 1e9, layers: 4, hidden: 768, heads: 12, kv_heads: 3}\n",
        "odd.yaml");
    return catalog;
  }();
  return c;
}

std::vector<Deployment> parse(const std::string& yaml) {
  return parse_deployments(yaml, "d.yaml", test_platform(), test_catalog());
}

// One deployment on line 2: "deployments:\n  - {name: a, <fields>}\n".
std::string one(const std::string& fields) {
  return "deployments:\n  - {name: a, " + fields + "}\n";
}

std::string error_of(const std::string& yaml) {
  return testing::input_error_of([&] { parse(yaml); }, yaml);
}

}  // namespace

TEST_CASE("the deployment YAML of the issue loads on the default platform") {
  const platform::Platform p =
      platform::load_platform_file(std::string(SUANLI_FIXTURES) + "/../../platforms/default.yaml");
  const std::string path = kFixtures + "issue_example.yaml";
  const std::vector<Deployment> ds = load_deployments(path, p, perf::LlmCatalog::builtin());
  REQUIRE(ds.size() == 1);
  const Deployment& d = ds[0];
  CHECK(d.name == "chat");
  CHECK(d.model == "llama-2-70b");
  CHECK(d.llm.layers == 80);
  CHECK(d.gpu == "H100");
  CHECK(d.device.hbm_gb == 80);
  CHECK(d.parallelism.tp == 4);
  CHECK(d.parallelism.pp == 1);
  CHECK(d.gpus_per_replica() == 4);
  CHECK(d.replicas.min == 4);
  CHECK(d.replicas.max == 4);
  CHECK(d.replicas.initial == 4);
  CHECK_FALSE(d.replicas.autoscaled());
  CHECK(d.max_replicas() == 4);
  CHECK(d.max_batch == 256);
  CHECK(d.max_batch_tokens == 8192);
  CHECK(d.scheduler == Scheduler::continuous);
  CHECK(to_string(d.scheduler) == "continuous");
  CHECK(d.router == "least-tokens");
  CHECK_FALSE(d.disaggregated);
  CHECK(d.kv_block_tokens == 16);
  CHECK(d.kv_reserve_fraction == 0.1);
  CHECK_FALSE(d.prefix_caching.has_value());
  CHECK(d.chunk_tokens == 8192);
  // 4 x H100: (320e9 - 137,953,296,384 - 32e9) / 327,680 = 457,906 tokens, 28,619 blocks.
  CHECK(d.kv.tokens == 457'906);
  CHECK(d.kv.blocks == 28'619);
  // Only h100-pod (cluster 1) has H100: 16 nodes x (8 / 4) groups = 32 replicas at once.
  CHECK(d.clusters == std::vector<int>{1});
  CHECK(d.replica_slots == 32);
  CHECK(d.source == path);
  CHECK(d.line == 3);
}

TEST_CASE("the issue's deployment also loads on the serving test platform") {
  const std::vector<Deployment> ds =
      load_deployments(kFixtures + "issue_example.yaml", test_platform(), test_catalog());
  REQUIRE(ds.size() == 1);
  CHECK(ds[0].clusters == std::vector<int>{0});
  CHECK(ds[0].replica_slots == 8);  // 4 nodes x 2 groups of 4
}

TEST_CASE("a minimal deployment gets the documented defaults") {
  const std::vector<Deployment> ds = parse(one("model: Llama-2-7B, gpu: h100"));
  const Deployment& d = ds.at(0);
  CHECK(d.model == "llama-2-7b");  // catalog spellings
  CHECK(d.gpu == "H100");
  CHECK(d.parallelism.tp == 1);
  CHECK(d.parallelism.pp == 1);
  CHECK(d.replicas.initial == 1);
  CHECK(d.max_batch == 256);
  CHECK(d.max_batch_tokens == 8192);
  CHECK(d.scheduler == Scheduler::continuous);
  CHECK(d.router == "round-robin");
  CHECK(d.kv_block_tokens == 16);
  CHECK(d.kv_reserve_fraction == 0.1);
  CHECK(d.chunk_tokens == 8192);
  CHECK(d.autoscale.scale_up_queue == 8);
  CHECK(d.autoscale.scale_down_util == 0.3);
  CHECK(d.autoscale.cooldown_s == 60);
  CHECK(d.autoscale.storage_bps == 100e9);
  CHECK(d.replica_slots == 32);  // 32 H100, one per replica
  CHECK(d.line == 2);
}

TEST_CASE("replicas may be a range with autoscaling knobs") {
  const std::vector<Deployment> ds =
      parse(one("model: llama-2-70b, gpu: H100, tp: 4, replicas: {min: 1, max: 8, initial: 2}, "
                "autoscale: {scale_up_queue: 4, scale_down_util: 0.2, cooldown_s: 30, "
                "storage_gbps: 200}"));
  const Deployment& d = ds.at(0);
  CHECK(d.replicas.min == 1);
  CHECK(d.replicas.max == 8);
  CHECK(d.replicas.initial == 2);
  CHECK(d.replicas.autoscaled());
  CHECK(d.max_replicas() == 8);
  CHECK(d.autoscale.scale_up_queue == 4);
  CHECK(d.autoscale.scale_down_util == 0.2);
  CHECK(d.autoscale.cooldown_s == 30);
  CHECK(d.autoscale.storage_bps == 200e9);

  // min defaults to 1, initial to min; min 0 scales to zero.
  CHECK(parse(one("model: llama-2-7b, gpu: H100, replicas: {max: 3}")).at(0).replicas.initial == 1);
  const Deployment zero = parse(one("model: llama-2-7b, gpu: H100, replicas: {min: 0, max: 3}"))[0];
  CHECK(zero.replicas.min == 0);
  CHECK(zero.replicas.initial == 0);
}

TEST_CASE("disaggregated sets the prefill and decode replicas") {
  const Deployment d =
      parse(one("model: llama-2-70b, gpu: H100, tp: 4, disaggregated: "
                "{prefill_replicas: 2, decode_replicas: 6}"))[0];
  REQUIRE(d.disaggregated);
  CHECK(d.disaggregated->prefill_replicas == 2);
  CHECK(d.disaggregated->decode_replicas == 6);
  CHECK(d.max_replicas() == 8);
  CHECK(d.replicas.initial == 8);
  CHECK_FALSE(d.replicas.autoscaled());
}

TEST_CASE("chunked scheduling, prefix caching and KV options are read") {
  const Deployment d =
      parse(one("model: llama-3-8b, gpu: A100, tp: 2, pp: 2, scheduler: continuous-chunked, "
                "chunk_tokens: 2048, router: prefix-affinity, prefix_caching: true, "
                "kv_block_tokens: 32, kv_reserve_fraction: 0.2, max_batch: 64, "
                "max_batch_tokens: 4096"))[0];
  CHECK(d.scheduler == Scheduler::continuous_chunked);
  CHECK(to_string(d.scheduler) == "continuous-chunked");
  CHECK(d.chunk_tokens == 2048);
  CHECK(d.router == "prefix-affinity");
  CHECK(d.prefix_caching == true);
  CHECK(d.kv_block_tokens == 32);
  CHECK(d.kv.block_tokens == 32);
  CHECK(d.kv_reserve_fraction == 0.2);
  CHECK(d.max_batch == 64);
  CHECK(d.max_batch_tokens == 4096);
  // 4 x 80 GB x 0.8 - 16,060,522,496 B of weights = 239,939,477,504 B / 131,072 B per token
  // = 1,830,592.9 tokens.
  CHECK(d.kv.tokens == 1'830'592);
  CHECK(d.replica_slots == 1);  // the one 4-GPU A100 node: two groups of 2, both stages
  CHECK(parse(one("model: llama-2-7b, gpu: H100, scheduler: static"))[0].scheduler ==
        Scheduler::static_batch);
  CHECK(parse(one("model: llama-2-7b, gpu: H100, prefix_caching: no"))[0].prefix_caching == false);
}

TEST_CASE("pipeline stages may sit on different nodes of one cluster") {
  // slowgpu: 2 nodes x 2 GPUs; tp 2 x pp 2 takes one group from each node.
  const Deployment d = parse(one("model: llama-2-7b, gpu: slowgpu, tp: 2, pp: 2"))[0];
  CHECK(d.clusters == std::vector<int>{2});
  CHECK(d.replica_slots == 1);
  CHECK(d.device.compute_efficiency == 0.5);  // the platform's custom device
}

TEST_CASE("deployment errors name the file, the line and the field") {
  struct Case {
    std::string yaml;
    std::string message;
  };
  const std::string e = "d.yaml:2: deployments[0].";
  const Case cases[] = {
      {one("model: llama-2-7b, gpu: H100, tpp: 2"),
       e + "tpp: unknown key 'tpp' (allowed: name, model, gpu, tp, pp, replicas, max_batch, "
           "max_batch_tokens, scheduler, router, disaggregated, kv_block_tokens, "
           "kv_reserve_fraction, prefix_caching, chunk_tokens, autoscale, serves); did you mean "
           "'tp'?"},
      {one("gpu: H100"), e + "model: missing required key 'model'"},
      {one("model: llama-2-7b, gpu: H100, serves: []"),
       e + "serves: expected a non-empty list of the trace's model names, got a list"},
      {"deployments:\n  - {model: llama-2-7b, gpu: H100}\n",
       e + "name: missing required key 'name'"},
      {"deployments:\n  - {name: my chat, model: llama-2-7b, gpu: H100}\n",
       e + "name: name 'my chat' may contain only letters, digits, '-', '_' and '.'"},
      {one("model: llama-9, gpu: H100"),
       e + "model: unknown model 'llama-9' (known: llama-2-7b, llama-2-13b, llama-2-70b, "
           "llama-3-8b, llama-3-70b, llama-3-405b, gpt-3-175b, mixtral-8x7b, odd; add it in a "
           "models file)"},
      {one("model: llama-2-7b, gpu: B200"),
       e + "gpu: unknown device 'B200' (the platform's GPUs: H100, A100, slowgpu, nohbm)"},
      {one("model: llama-2-7b, gpu: H200"),
       e + "gpu: no cluster of platform 'serving-test' has H200 GPUs (its GPUs: H100, A100, "
           "slowgpu, nohbm)"},
      {one("model: llama-2-7b, gpu: nohbm"),
       e + "gpu: device 'nohbm' has no HBM size or bandwidth (hbm_gb, hbm_tbps in its devices "
           "entry); an LLM replica needs both"},
      {one("model: llama-2-7b, gpu: H100, tp: 0"), e + "tp: must be at least 1, got 0"},
      {one("model: llama-2-7b, gpu: H100, tp: four"),
       e + "tp: expected a whole number, got 'four'"},
      {one("model: llama-2-7b, gpu: H100, tp: 3"),
       e + "tp: tp 3 does not divide the 32 attention heads of llama-2-7b"},
      {one("model: odd, gpu: H100, tp: 2"),
       e + "tp: tp 2 and the 3 KV heads of odd must divide one another"},
      {one("model: odd, gpu: H100, pp: 5"), e + "pp: pp 5 exceeds the 4 layers of odd"},
      {one("model: llama-2-70b, gpu: H100, tp: 16"),
       e + "tp: tp 16 does not fit in one node: the H100 nodes have at most 8 GPUs (tensor "
           "parallelism stays inside a node)"},
      {one("model: llama-2-7b, gpu: A100, tp: 4, pp: 2"),
       e + "pp: a replica needs 2 pipeline stages of tp 4 x A100 inside one cluster; the "
           "largest A100 cluster holds 1"},
      {one("model: llama-2-70b, gpu: H100"),
       "d.yaml:2: deployments[0]: deployment 'a': the llama-2-70b weights (138.0 GB) and the "
       "reserve (8.0 GB) leave no room for one KV block of 16 tokens (5.2 MB) in the 80.0 GB of "
       "1 x H100 (tp 1 x pp 1); raise tp or pp, or lower kv_reserve_fraction"},
      {one("model: llama-2-70b, gpu: A100, tp: 2, kv_reserve_fraction: 0.2"),
       e + "tp: deployment 'a': the llama-2-70b weights (138.0 GB) and the reserve (32.0 GB) "
           "leave no room for one KV block of 16 tokens (5.2 MB) in the 160.0 GB of 2 x A100 "
           "(tp 2 x pp 1); raise tp or pp, or lower kv_reserve_fraction"},
      {one("model: llama-2-70b, gpu: H100, tp: 4, replicas: 9"),
       e + "replicas: 9 replicas of tp 4 x pp 1 H100 do not fit the platform: its H100 GPUs hold "
           "at most 8 such replicas"},
      {one("model: llama-2-7b, gpu: H100, replicas: 0"), e + "replicas: must be at least 1, got 0"},
      {one("model: llama-2-7b, gpu: H100, replicas: {min: 4, max: 2}"),
       e + "replicas.max: max (2) is below min (4)"},
      {one("model: llama-2-7b, gpu: H100, replicas: {min: 2}"),
       e + "replicas.max: missing required key 'max'"},
      {one("model: llama-2-7b, gpu: H100, replicas: {min: 1, max: 4, initial: 5}"),
       e + "replicas.initial: must be between min (1) and max (4), got 5"},
      {one("model: llama-2-7b, gpu: H100, replicas: {min: 1, most: 4}"),
       e + "replicas.most: unknown key 'most' (allowed: min, max, initial)"},
      {one("model: llama-2-7b, gpu: H100, replicas: 2, disaggregated: {prefill_replicas: 1, "
           "decode_replicas: 1}"),
       e + "disaggregated: give replicas or disaggregated, not both (disaggregated sets the "
           "replicas: prefill_replicas + decode_replicas)"},
      {one("model: llama-2-7b, gpu: H100, disaggregated: {prefill_replicas: 2}"),
       e + "disaggregated.decode_replicas: missing required key 'decode_replicas'"},
      {one("model: llama-2-7b, gpu: H100, max_batch: 512, max_batch_tokens: 256"),
       e + "max_batch_tokens: max_batch_tokens (256) is below max_batch (512): every sequence of "
           "an iteration computes at least one token"},
      {one("model: llama-2-7b, gpu: H100, scheduler: fifo"),
       e + "scheduler: unknown value 'fifo' (expected continuous, continuous-chunked, static)"},
      {one("model: llama-2-7b, gpu: H100, router: random"),
       e + "router: unknown router 'random' (known: round-robin, least-tokens, power-of-two, "
           "prefix-affinity)"},
      {one("model: llama-2-7b, gpu: H100, chunk_tokens: 512"),
       e + "chunk_tokens: chunk_tokens applies only to scheduler: continuous-chunked (this one is "
           "continuous)"},
      {one("model: llama-2-7b, gpu: H100, scheduler: continuous-chunked, chunk_tokens: 10000"),
       e + "chunk_tokens: chunk_tokens (10000) exceeds max_batch_tokens (8192)"},
      {one("model: llama-2-7b, gpu: H100, router: prefix-affinity, prefix_caching: false"),
       e + "prefix_caching: router prefix-affinity sends requests to the replica caching their "
           "prefix: it needs prefix_caching"},
      {one("model: llama-2-7b, gpu: H100, prefix_caching: maybe"),
       e + "prefix_caching: expected true or false, got 'maybe'"},
      {one("model: llama-2-7b, gpu: H100, kv_reserve_fraction: 1"),
       e + "kv_reserve_fraction: must be at least 0 and below 1, got 1"},
      {one("model: llama-2-7b, gpu: H100, kv_block_tokens: 0"),
       e + "kv_block_tokens: must be at least 1, got 0"},
      {one("model: llama-2-7b, gpu: H100, replicas: 2, autoscale: {cooldown_s: 5}"),
       e + "autoscale: autoscale applies only when replicas is a {min, max} range with min < max"},
      {one("model: llama-2-7b, gpu: H100, replicas: {max: 2}, autoscale: {cooldown: 5}"),
       e + "autoscale.cooldown: unknown key 'cooldown' (allowed: scale_up_queue, "
           "scale_down_util, cooldown_s, storage_gbps); did you mean 'cooldown_s'?"},
      {one("model: llama-2-7b, gpu: H100, replicas: {max: 2}, autoscale: {scale_down_util: 1.5}"),
       e + "autoscale.scale_down_util: must be at least 0 and below 1, got 1.5"},
      {one("model: llama-2-7b, gpu: H100, replicas: {max: 2}, autoscale: {storage_gbps: 0}"),
       e + "autoscale.storage_gbps: must be positive, got 0"},
      {one("model: llama-2-7b, gpu: H100, tp: 2, tp: 4"),
       e + "tp: duplicate key 'tp' (first given at line 2)"},
      {"deployments:\n  - {name: a, model: llama-2-7b, gpu: H100}\n"
       "  - {name: a, model: llama-2-7b, gpu: A100}\n",
       "d.yaml:3: deployments[1].name: duplicate deployment name 'a' (first at line 2)"},
      {"deployments:\n  - {name: a, model: llama-2-70b, gpu: H100, tp: 8, replicas: 3}\n"
       "  - {name: b, model: llama-2-70b, gpu: H100, tp: 8, replicas: 2}\n",
       "d.yaml:3: deployments[1].replicas: the deployments on H100 so far need 40 GPUs for their "
       "initial replicas (this one 2 x 8); the platform has 32"},
      {"deployments: {name: a}\n",
       "d.yaml:1: deployments: expected a non-empty list of deployments, got a map"},
      {"deployments: []\n",
       "d.yaml:1: deployments: expected a non-empty list of deployments, got an empty list"},
      {"deployment:\n  - {name: a}\n",
       "d.yaml:1: deployment: unknown key 'deployment' (allowed: deployments); did you mean "
       "'deployments'?"},
      {"", "d.yaml: the deployment file is empty (expected deployments:)"},
      {"deployments: [\n", "d.yaml:2: malformed YAML: end of sequence flow not found"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.yaml);
    CHECK(error_of(c.yaml) == c.message);
  }
}

TEST_CASE("a deployment error in block style points at the line of the field") {
  // The YAML with tp: 3 on its line 6.
  const std::string yaml =
      "# The deployment of the issue\n"
      "deployments:\n"
      "  - name: chat\n"
      "    model: llama-2-70b\n"
      "    gpu: H100\n"
      "    tp: 3\n"
      "    replicas: 4\n";
  CHECK(error_of(yaml) ==
        "d.yaml:6: deployments[0].tp: tp 3 does not divide the 64 attention heads of llama-2-70b");
  CHECK(error_of("deployments:\n  - name: chat\n    model: llama-2-70b\n    gpu: H100\n"
                 "    tp:\n") ==
        "d.yaml:5: deployments[0].tp: expected a whole number, got nothing");
}

TEST_CASE("a deployment file that cannot be read is an input error") {
  CHECK(testing::input_error_of(
            [] { load_deployments("/nonexistent/d.yaml", test_platform(), test_catalog()); },
            "missing") ==
        "/nonexistent/d.yaml: cannot open deployment file: No such file or directory");
  CHECK(testing::input_error_of(
            [] { load_deployments(kFixtures, test_platform(), test_catalog()); }, "directory") ==
        kFixtures + ": is a directory, not a deployment file");
}
