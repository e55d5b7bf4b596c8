#pragma once
// The cost of one LLM-serving iteration on one GPU of a replica, by a roofline: the FLOPs and
// the HBM bytes of the iteration, each at the device's peak times its efficiency, whichever
// takes longer; plus the tensor-parallel all-reduce bytes each GPU sends, for the engine to
// send over the intra-node links. And the KV-cache capacity of a replica. No SimGrid here.
// docs/serving-model.md has the formulas and why.
#include <span>
#include <string>

#include "suanli/perf/llm_model.hpp"
#include "suanli/platform/device_catalog.hpp"

namespace suanli::perf {

// Activations (all-reduce and pipeline messages) are bf16 even for fp8 weights, as in vLLM's
// and TensorRT-LLM's fp8 (W8A8) paths, whose collectives run on bf16 tensors.
inline constexpr double kActivationBytes = 2.0;
// vLLM's default KV-cache block ("--block-size 16").
inline constexpr int kDefaultKvBlockTokens = 16;

// One sequence's share of an iteration: `new_tokens` tokens computed now (a prompt chunk in
// prefill, 1 in decode) after `context_tokens` already in its KV cache.
struct SequenceWork {
  long long new_tokens = 0;
  long long context_tokens = 0;
};

struct Parallelism {
  int tp = 1;  // tensor-parallel degree: GPUs sharing every layer
  int pp = 1;  // pipeline degree: stages of layers / pp layers each
};

enum class Bound { compute, memory };

// Everything per GPU of the replica (one tensor-parallel rank of one pipeline stage).
struct IterationCost {
  double flops_per_gpu = 0;
  double bytes_per_gpu = 0;  // = weight + kv_read + kv_write bytes below
  double weight_bytes_per_gpu = 0;
  double kv_read_bytes_per_gpu = 0;
  double kv_write_bytes_per_gpu = 0;
  double compute_s = 0;  // flops_per_gpu / (peak x compute_efficiency)
  double memory_s = 0;   // bytes_per_gpu / (HBM bandwidth x memory_efficiency)
  double time_s = 0;     // max(compute_s, memory_s): one pipeline stage's time
  Bound bound = Bound::memory;
  // Tensor parallelism: what each GPU sends in the ring all-reduces of its stage's layers.
  double allreduce_bytes_per_gpu = 0;
  // Pipeline parallelism: what each GPU of a stage sends to its peer in the next stage (the
  // activations of the new tokens, split over the tensor-parallel ranks); 0 when pp = 1.
  double pp_send_bytes_per_gpu = 0;
  long long new_tokens = 0;  // over the whole batch

  // The share of the iteration's time its compute units run at their matmul rate, which sets
  // the GPU's power (docs/model.md, "GPU power").
  double compute_share() const { return time_s > 0 ? compute_s / time_s : 0; }
};

// The same iteration with the SM clock at `clock` of its highest (a DVFS state): the compute
// time stretches by 1 / clock, the HBM time does not.
IterationCost at_clock(IterationCost cost, double clock);

// MoE: the expected share of the experts that `tokens` tokens touch, each picking
// active_experts of experts uniformly: 1 - (1 - active/experts)^tokens. 1 for a dense model.
double experts_touched_fraction(const LlmModel& model, long long tokens);

// The roofline of one iteration over `batch` (prefill chunks and decode steps mixed) on the
// GPUs of one replica. The peak is the device's dense bf16 rate (the catalog has no fp8 rate:
// an fp8 model moves half the weight bytes but computes at the bf16 peak). Throws
// std::invalid_argument for tp or pp < 1, a sequence with no or negative tokens, or a device
// without a FLOP rate or HBM bandwidth.
IterationCost iteration_cost(const LlmModel& model, const platform::DeviceSpec& device,
                             Parallelism par, std::span<const SequenceWork> batch);

// KV-cache bytes one GPU holds per token of a sequence: kv_bytes_per_token split over the
// pipeline stages (layers / pp each) and the tensor-parallel ranks, except that a KV head is
// never split: with tp > kv_heads each rank keeps one KV head (vLLM replicates them).
double kv_bytes_per_token_per_gpu(const LlmModel& model, Parallelism par);

struct KvCapacity {
  double hbm_bytes = 0;      // tp x pp x HBM (hbm_gb x 1e9)
  double weight_bytes = 0;   // the whole model
  double reserve_bytes = 0;  // reserve_fraction x hbm_bytes (activations, CUDA graphs, ...)
  double free_bytes = 0;     // hbm - weights - reserve; negative when the weights do not fit
  long long tokens = 0;      // floor(free / KV bytes per token), 0 when nothing fits
  long long blocks = 0;      // floor(tokens / block_tokens): the paged blocks
  int block_tokens = kDefaultKvBlockTokens;
  bool fits() const { return blocks > 0; }
  // What the paged cache can hold: whole blocks only.
  long long usable_tokens() const { return blocks * block_tokens; }
};

// (HBM x tp x pp - weights - reserve) / kv_bytes_per_token, in whole blocks (computed per GPU,
// which is the same unless tp > kv_heads replicates KV heads). Throws std::invalid_argument for
// tp, pp or block_tokens < 1 or a reserve fraction outside [0, 1).
KvCapacity kv_capacity(const LlmModel& model, const platform::DeviceSpec& device, Parallelism par,
                       double reserve_fraction, int block_tokens = kDefaultKvBlockTokens);

// kv_capacity(...).tokens, or InputError("deployment 'NAME': ...") when not even one block
// fits beside the weights and the reserve.
long long kv_capacity_tokens(const LlmModel& model, const platform::DeviceSpec& device,
                             Parallelism par, double reserve_fraction,
                             const std::string& deployment,
                             int block_tokens = kDefaultKvBlockTokens);

// "138 GB weights + 32 GB reserve exceed the 80 GB of 1 x H100" style text for errors.
std::string kv_capacity_shortfall(const LlmModel& model, const platform::DeviceSpec& device,
                                  Parallelism par, const KvCapacity& capacity);

}  // namespace suanli::perf
