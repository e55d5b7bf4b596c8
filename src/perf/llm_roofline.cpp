#include "suanli/perf/llm_roofline.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "suanli/common/input_error.hpp"

namespace suanli::perf {

namespace {

constexpr double kBytesPerGB = 1e9;  // hbm_gb is in SI gigabytes, as the datasheets print them

void check_parallelism(Parallelism par) {
  if (par.tp < 1 || par.pp < 1)
    throw std::invalid_argument(fmt::format("tp ({}) and pp ({}) must be >= 1", par.tp, par.pp));
}

// How many copies of each KV head the tensor-parallel ranks hold together: 1 while the KV
// heads split over the ranks, tp / kv_heads once there are more ranks than KV heads.
double kv_replication(const LlmModel& model, int tp) {
  return std::max(1.0, static_cast<double>(tp) / model.kv_heads);
}

}  // namespace

double experts_touched_fraction(const LlmModel& model, long long tokens) {
  if (!model.is_moe() || tokens <= 0) return model.is_moe() ? 0.0 : 1.0;
  // Uniform routing: an expert is missed by one token with probability 1 - k/E, by all
  // `tokens` tokens with (1 - k/E)^tokens. One token touches k/E of the experts (the active
  // fraction), and a batch of a few dozen tokens already touches nearly all of them.
  const double miss = 1.0 - static_cast<double>(model.active_experts) / model.experts;
  return 1.0 - std::pow(miss, static_cast<double>(tokens));
}

double kv_bytes_per_token_per_gpu(const LlmModel& model, Parallelism par) {
  check_parallelism(par);
  return model.kv_bytes_per_token() * kv_replication(model, par.tp) / (par.tp * par.pp);
}

IterationCost at_clock(IterationCost cost, double clock) {
  cost.compute_s /= clock;
  cost.time_s = std::max(cost.compute_s, cost.memory_s);
  cost.bound = cost.compute_s >= cost.memory_s ? Bound::compute : Bound::memory;
  return cost;
}

IterationCost iteration_cost(const LlmModel& model, const platform::DeviceSpec& device,
                             Parallelism par, std::span<const SequenceWork> batch) {
  check_parallelism(par);
  if (batch.empty()) throw std::invalid_argument("an iteration needs at least one sequence");
  if (device.peak_flops() <= 0 || device.hbm_tbps <= 0 || device.compute_efficiency <= 0 ||
      device.memory_efficiency <= 0)
    throw std::invalid_argument("device '" + device.name +
                                "' needs a FLOP rate, an HBM bandwidth and efficiencies > 0");
  const double gpus = static_cast<double>(par.tp) * par.pp;

  // Attention, causal. Token j of a sequence's new tokens (j = 1..new) sits at position
  // context + j and attends to the context + j keys up to and including itself. Per layer and
  // query head, each (query, key) pair costs head_dim multiply-adds in Q.K^T and head_dim in
  // softmax(Q.K^T).V: 4 x head_dim FLOPs. The pairs of one sequence number
  //   sum_{j=1..new} (context + j) = new x context + new (new + 1) / 2
  //                                = new x (context + (new + 1) / 2),
  // so attention costs 4 x layers x heads x head_dim x new x (context + (new + 1) / 2).
  // Query heads, not KV heads: grouped-query attention shares K and V, not the products.
  // A decode step (new = 1) attends to context + 1 keys; a whole prompt (context = 0) to
  // new (new + 1) / 2 pairs, the causal half of the new x new square plus its diagonal.
  long long tokens = 0;
  double pairs = 0;
  double context_tokens = 0;
  for (const SequenceWork& s : batch) {
    if (s.new_tokens < 1 || s.context_tokens < 0)
      throw std::invalid_argument(
          fmt::format("a sequence needs new_tokens >= 1 and context >= 0, "
                      "got {} and {}",
                      s.new_tokens, s.context_tokens));
    const double n = static_cast<double>(s.new_tokens);
    tokens += s.new_tokens;
    pairs += n * (static_cast<double>(s.context_tokens) + (n + 1) / 2);
    context_tokens += static_cast<double>(s.context_tokens);
  }
  const double attention_flops =
      4.0 * model.layers * model.heads * static_cast<double>(model.head_dim) * pairs;
  // Matrix multiplications: 2 FLOPs (multiply, add) per parameter used per token.
  const double matmul_flops = 2.0 * model.active_params * static_cast<double>(tokens);

  IterationCost c;
  c.new_tokens = tokens;
  c.flops_per_gpu = (matmul_flops + attention_flops) / gpus;

  // HBM traffic. The weights stream once per iteration whatever the batch (that is what
  // batching buys); of an MoE only the experts some token of the batch was routed to.
  const double weight_params =
      model.is_moe() ? model.shared_params() + model.experts * model.params_per_expert() *
                                                   experts_touched_fraction(model, tokens)
                     : model.params;
  c.weight_bytes_per_gpu = weight_params * model.bytes_per_param / gpus;
  // Every sequence reads the K and V of its whole cached context once (each layer reads its
  // own), and writes K and V of its new tokens. The new tokens' own K and V are attended to
  // on chip (FlashAttention tiles), not read back from HBM.
  const double kv_gpu = kv_bytes_per_token_per_gpu(model, par);
  c.kv_read_bytes_per_gpu = context_tokens * kv_gpu;
  c.kv_write_bytes_per_gpu = static_cast<double>(tokens) * kv_gpu;
  c.bytes_per_gpu = c.weight_bytes_per_gpu + c.kv_read_bytes_per_gpu + c.kv_write_bytes_per_gpu;

  c.compute_s = c.flops_per_gpu / (device.peak_flops() * device.compute_efficiency);
  c.memory_s = c.bytes_per_gpu / (device.hbm_tbps * 1e12 * device.memory_efficiency);
  c.time_s = std::max(c.compute_s, c.memory_s);
  c.bound = c.compute_s >= c.memory_s ? Bound::compute : Bound::memory;

  // Megatron-style tensor parallelism: two all-reduces per layer (after attention, after the
  // MLP) of the new tokens' activations, tokens x hidden x 2 bytes each. A ring all-reduce
  // (reduce-scatter then all-gather) makes each GPU send 2 (tp - 1) / tp of the message.
  const double stage_layers = static_cast<double>(model.layers) / par.pp;
  const double message = static_cast<double>(tokens) * model.hidden * kActivationBytes;
  if (par.tp > 1)
    c.allreduce_bytes_per_gpu = 2 * stage_layers * message * 2.0 * (par.tp - 1) / par.tp;
  if (par.pp > 1) c.pp_send_bytes_per_gpu = message / par.tp;
  return c;
}

KvCapacity kv_capacity(const LlmModel& model, const platform::DeviceSpec& device, Parallelism par,
                       double reserve_fraction, int block_tokens) {
  check_parallelism(par);
  if (block_tokens < 1) throw std::invalid_argument("block_tokens must be >= 1");
  if (!(reserve_fraction >= 0 && reserve_fraction < 1))
    throw std::invalid_argument("reserve_fraction must be in [0, 1)");
  KvCapacity k;
  k.block_tokens = block_tokens;
  k.hbm_bytes = device.hbm_gb * kBytesPerGB * par.tp * par.pp;
  k.weight_bytes = model.weight_bytes();
  k.reserve_bytes = reserve_fraction * k.hbm_bytes;
  k.free_bytes = k.hbm_bytes - k.weight_bytes - k.reserve_bytes;
  // Per GPU the free bytes are free_bytes / (tp pp) and a token takes
  // kv_bytes_per_token x replication / (tp pp): the (tp pp) cancel.
  const double per_token = model.kv_bytes_per_token() * kv_replication(model, par.tp);
  if (k.free_bytes > 0 && per_token > 0) {
    k.tokens = static_cast<long long>(std::floor(k.free_bytes / per_token));
    k.blocks = k.tokens / block_tokens;
  }
  return k;
}

std::string kv_capacity_shortfall(const LlmModel& model, const platform::DeviceSpec& device,
                                  Parallelism par, const KvCapacity& capacity) {
  return fmt::format(
      "the {} weights ({:.1f} GB) and the reserve ({:.1f} GB) leave no room for one KV block "
      "of {} tokens ({:.1f} MB) in the {:.1f} GB of {} x {} (tp {} x pp {})",
      model.name, capacity.weight_bytes / kBytesPerGB, capacity.reserve_bytes / kBytesPerGB,
      capacity.block_tokens,
      capacity.block_tokens * model.kv_bytes_per_token() * kv_replication(model, par.tp) / 1e6,
      capacity.hbm_bytes / kBytesPerGB, par.tp * par.pp, device.name, par.tp, par.pp);
}

long long kv_capacity_tokens(const LlmModel& model, const platform::DeviceSpec& device,
                             Parallelism par, double reserve_fraction,
                             const std::string& deployment, int block_tokens) {
  const KvCapacity k = kv_capacity(model, device, par, reserve_fraction, block_tokens);
  if (!k.fits())
    throw InputError("deployment '" + deployment +
                     "': " + kv_capacity_shortfall(model, device, par, k));
  return k.tokens;
}

}  // namespace suanli::perf
