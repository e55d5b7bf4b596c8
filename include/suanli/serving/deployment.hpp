#pragma once
// LLM-serving deployments: which model runs on which GPUs, how each replica is split
// (tensor / pipeline parallel), how many replicas (fixed or autoscaled), how a replica batches
// (scheduler, batch limits, KV cache) and how requests are routed to replicas. This module
// reads and checks the deployment YAML against a platform and a model catalog; running it is
// the engine's business. docs/serving-model.md has the schema.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "suanli/perf/llm_model.hpp"
#include "suanli/perf/llm_roofline.hpp"
#include "suanli/platform/device_catalog.hpp"
#include "suanli/platform/platform.hpp"

namespace suanli::serving {

enum class Scheduler {
  continuous,          // vLLM-style continuous batching, whole prompts in one iteration
  continuous_chunked,  // continuous batching, prompts split into chunks of chunk_tokens
  static_batch,        // a batch runs until its last sequence ends ("static")
};

// File spellings: "continuous", "continuous-chunked", "static".
std::string_view to_string(Scheduler s);

// `replicas: 4` (min = max = initial = 4) or `replicas: {min: 1, max: 8, initial: 2}` (min
// defaults to 1 and may be 0: scale to zero; initial defaults to min).
struct ReplicaCount {
  int min = 1;
  int max = 1;
  int initial = 1;  // replicas up at time 0; defaults to min
  bool autoscaled() const { return min != max; }
};

// Autoscaling knobs (used only when replicas is a {min, max} range with min < max).
struct Autoscale {
  double scale_up_queue = 8;     // add a replica when more requests than this wait per replica
  double scale_down_util = 0.3;  // remove one when the replicas' mean busy share falls below
  double cooldown_s = 60;        // at least this long between two scaling decisions
  // Cold start: a new replica loads its weights at this rate (bits per second, from
  // `storage_gbps`) before it serves; default 100 Gb/s (12.5 GB/s), an assumption.
  double storage_bps = 100e9;
};

// Prefill and decode on separate replicas (DistServe / Splitwise style).
struct Disaggregation {
  int prefill_replicas = 0;
  int decode_replicas = 0;
};

struct Deployment {
  std::string name;
  std::string model;  // the catalog's name
  // Model names of the request trace this deployment serves besides its own model and name
  // (e.g. BurstGPT's "ChatGPT", "GPT-4" replayed on a Llama deployment).
  std::vector<std::string> serves;
  std::string gpu;  // the platform catalog's spelling
  perf::Parallelism parallelism;
  ReplicaCount replicas;
  int max_batch = 256;  // sequences per iteration (vLLM max_num_seqs)
  int max_batch_tokens = 8192;
  Scheduler scheduler = Scheduler::continuous;
  // A name of the router registry (serving/router.hpp: round-robin, least-tokens,
  // power-of-two, prefix-affinity).
  std::string router = "round-robin";
  std::optional<Disaggregation> disaggregated;
  int kv_block_tokens = perf::kDefaultKvBlockTokens;
  double kv_reserve_fraction = 0.1;  // of HBM, for activations etc. (vLLM: 1 - 0.9 utilisation)
  // Unset: on when the trace carries prefix hash ids, off otherwise.
  std::optional<bool> prefix_caching;
  int chunk_tokens = 0;  // continuous-chunked: prompt chunk; default max_batch_tokens
  Autoscale autoscale;

  // Resolved against the catalog and the platform.
  perf::LlmModel llm;
  platform::DeviceSpec device;
  perf::KvCapacity kv;        // per replica
  std::vector<int> clusters;  // clusters whose nodes can hold a replica, in platform order
  int replica_slots = 0;      // replicas the platform's GPUs of this model could hold at once

  int gpus_per_replica() const { return parallelism.tp * parallelism.pp; }
  // Replicas at the most: replicas.max, or prefill + decode when disaggregated.
  int max_replicas() const;

  // Where it was defined, for messages of later checks.
  std::string source;
  int line = 0;
};

// Reads `deployments:` and checks every entry: the model is in `catalog`, the GPU is a device
// some cluster of `platform` has, tp fits inside one node and divides the model's heads, the
// replicas fit the platform's GPUs, and the weights leave room for KV-cache blocks. Errors are
// InputError("file:line: deployments[i].field: what").
std::vector<Deployment> load_deployments(const std::string& path,
                                         const platform::Platform& platform,
                                         const perf::LlmCatalog& catalog);
// The same from text in memory; `source` names it in messages.
std::vector<Deployment> parse_deployments(const std::string& text, const std::string& source,
                                          const platform::Platform& platform,
                                          const perf::LlmCatalog& catalog);

}  // namespace suanli::serving
