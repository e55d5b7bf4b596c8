// Iteration-level batching for one replica: continuous (Orca / vLLM), chunked prefill
// (Sarathi-Serve) and static batching, over the paged KV cache, with preemption by
// recomputation when the cache runs out.
#include "suanli/serving/replica_scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace suanli::serving {

namespace {

// Indexed by the enums' values.
constexpr std::string_view kModeNames[] = {"continuous", "continuous-chunked", "static"};
constexpr BatchingMode kModes[] = {BatchingMode::continuous, BatchingMode::chunked,
                                   BatchingMode::static_batch};
constexpr std::string_view kStatusNames[] = {"accepted", "empty prompt or output",
                                             "prompt + output exceed the KV cache",
                                             "prompt exceeds max_batch_tokens"};

}  // namespace

std::string_view batching_mode_name(BatchingMode mode) {
  return kModeNames[static_cast<int>(mode)];
}

std::optional<BatchingMode> parse_batching_mode(std::string_view name) {
  for (const BatchingMode mode : kModes)
    if (batching_mode_name(mode) == name) return mode;
  return std::nullopt;
}

std::string_view enqueue_status_name(EnqueueStatus status) {
  return kStatusNames[static_cast<int>(status)];
}

ReplicaScheduler::ReplicaScheduler(const SchedulerConfig& config, KvCache& kv)
    : config_(config), kv_(&kv) {
  if (config.max_batch == 0)
    throw std::invalid_argument("replica scheduler: max_batch must be positive");
  if (config.mode == BatchingMode::chunked && config.chunk_tokens < config.max_batch)
    throw std::invalid_argument("replica scheduler: chunk_tokens (" +
                                std::to_string(config.chunk_tokens) + ") < max_batch (" +
                                std::to_string(config.max_batch) + ")");
  if (config.mode != BatchingMode::chunked && config.max_batch_tokens < config.max_batch)
    throw std::invalid_argument("replica scheduler: max_batch_tokens (" +
                                std::to_string(config.max_batch_tokens) + ") < max_batch (" +
                                std::to_string(config.max_batch) + ")");
  if (!(config.kv_watermark >= 0 && config.kv_watermark < 1))
    throw std::invalid_argument("replica scheduler: kv_watermark must be in [0, 1)");
  watermark_blocks_ =
      static_cast<std::uint32_t>(std::floor(config.kv_watermark * kv.total_blocks()));
}

EnqueueStatus ReplicaScheduler::enqueue(SeqId seq, std::uint32_t prompt_tokens,
                                        std::uint32_t output_tokens,
                                        std::span<const std::uint64_t> block_hashes) {
  if (prompt_tokens == 0 || output_tokens == 0) return EnqueueStatus::rejected_empty;
  // The last output token's KV is never written: prompt + output - 1 tokens at most.
  if (kv_->blocks_for(std::uint64_t{prompt_tokens} + output_tokens - 1) > kv_->total_blocks())
    return EnqueueStatus::rejected_kv_capacity;
  if (config_.mode != BatchingMode::chunked && prompt_tokens > config_.max_batch_tokens)
    return EnqueueStatus::rejected_batch_tokens;
  if (block_hashes.size() > prompt_tokens / kv_->block_tokens())
    throw std::invalid_argument("replica scheduler: request " + std::to_string(seq) + " has " +
                                std::to_string(block_hashes.size()) +
                                " block hashes for a prompt of " + std::to_string(prompt_tokens) +
                                " tokens");
  const std::uint32_t slot = new_slot();
  Sequence& s = slots_[slot];
  s.id = seq;
  s.prompt = s.target = prompt_tokens;
  s.output = output_tokens;
  s.generated = s.prefilled = s.preemptions = 0;
  s.phase = Phase::waiting;
  s.prefilled_elsewhere = false;
  if (kv_->prefix_caching())
    s.hashes.assign(block_hashes.begin(), block_hashes.end());
  else
    s.hashes.clear();
  waiting_.push_back(slot);
  outstanding_prefill_ += prompt_tokens;
  outstanding_decode_ += output_tokens;
  return EnqueueStatus::accepted;
}

EnqueueStatus ReplicaScheduler::enqueue_prefilled(SeqId seq, std::uint32_t prompt_tokens,
                                                  std::uint32_t output_tokens,
                                                  std::span<const std::uint64_t> block_hashes) {
  if (output_tokens < 2)
    throw std::invalid_argument("replica scheduler: a prefilled request " + std::to_string(seq) +
                                " needs at least 2 output tokens");
  const EnqueueStatus status = enqueue(seq, prompt_tokens, output_tokens, block_hashes);
  if (status != EnqueueStatus::accepted) return status;
  Sequence& s = slots_[waiting_.back()];
  s.prefilled_elsewhere = true;
  s.generated = 1;
  outstanding_prefill_ -= prompt_tokens;
  outstanding_decode_ -= 1;
  return status;
}

Batch ReplicaScheduler::next_batch() {
  if (batch_in_flight_)
    throw std::logic_error("replica scheduler: next_batch() before complete() of the last one");
  Batch batch;
  in_flight_.clear();
  const bool chunked = config_.mode == BatchingMode::chunked;
  const std::uint32_t limit = chunked ? config_.chunk_tokens : config_.max_batch_tokens;
  // Decodes always fit: running <= max_batch <= limit.
  std::uint32_t used = schedule_decodes(batch);
  if (chunked) used += schedule_partial_prefills(batch, limit - used);
  // As vLLM v1: no admissions in an iteration that had to preempt (unless it would be empty).
  const bool may_admit = batch.preempted.empty() || batch.items.empty();
  if (may_admit && (config_.mode != BatchingMode::static_batch || running_.empty()))
    admit(batch, limit - used);
  if (!batch.items.empty()) {
    batch.iteration = ++iteration_;
    batch_in_flight_ = true;
  }
  return batch;
}

IterationResult ReplicaScheduler::complete(const Batch& batch) {
  if (!batch_in_flight_ || batch.iteration != iteration_ || batch.items.size() != in_flight_.size())
    throw std::logic_error("replica scheduler: complete() of a batch that is not in flight");
  batch_in_flight_ = false;
  IterationResult result;
  for (std::size_t k = 0; k < in_flight_.size(); ++k) {
    const std::uint32_t slot = in_flight_[k];
    Sequence& s = slots_[slot];
    if (batch.items[k].seq != s.id)
      throw std::logic_error("replica scheduler: complete() of a batch that was changed");
    if (batch.items[k].is_prefill) {
      const std::uint32_t tokens = batch.items[k].new_tokens;
      s.prefilled += tokens;
      outstanding_prefill_ -= tokens;
      if (s.prefilled < s.target) continue;
      s.phase = Phase::decode;
    }
    emit(slot, result);
  }
  if (!result.finished.empty()) {
    std::size_t kept = 0;
    for (const std::uint32_t slot : running_) {
      if (slots_[slot].phase == Phase::done)
        free_slots_.push_back(slot);
      else
        running_[kept++] = slot;
    }
    running_.resize(kept);
  }
  return result;
}

std::uint32_t ReplicaScheduler::new_slot() {
  if (free_slots_.empty()) {
    slots_.emplace_back();
    return static_cast<std::uint32_t>(slots_.size() - 1);
  }
  const std::uint32_t slot = free_slots_.back();
  free_slots_.pop_back();
  return slot;
}

std::uint32_t ReplicaScheduler::schedule_decodes(Batch& batch) {
  std::size_t end = running_.size();  // running_[end..] were preempted by this call
  for (std::size_t i = 0; i < end; ++i) {
    const std::uint32_t slot = running_[i];
    Sequence& s = slots_[slot];
    if (s.phase != Phase::decode) continue;
    // KV holds the prompt and every emitted token but the last, which this step writes.
    const std::uint32_t context = s.prompt + s.generated - 1;
    bool scheduled = true;
    while (context + 1 > s.kv_room && !kv_->try_append(s.id, context + 1)) {
      // Preempt the newest running sequence; the oldest ones keep running.
      preempt(running_[--end], batch);
      if (end == i) {  // it was this one
        scheduled = false;
        break;
      }
    }
    if (!scheduled) break;
    s.kv_room = std::max(s.kv_room, kv_->blocks_for(context + 1) * kv_->block_tokens());
    batch.items.push_back(BatchItem{s.id, 1, context, false, false});
    in_flight_.push_back(slot);
    ++batch.decode_tokens;
  }
  running_.resize(end);
  return batch.decode_tokens;
}

std::uint32_t ReplicaScheduler::schedule_partial_prefills(Batch& batch, std::uint32_t budget) {
  std::uint32_t used = 0;
  for (const std::uint32_t slot : running_) {
    if (used == budget) break;
    const Sequence& s = slots_[slot];
    if (s.phase != Phase::prefill) continue;
    const std::uint32_t tokens = std::min(s.target - s.prefilled, budget - used);
    add_prefill(batch, slot, tokens);
    used += tokens;
  }
  return used;
}

void ReplicaScheduler::admit(Batch& batch, std::uint32_t budget) {
  const bool chunked = config_.mode == BatchingMode::chunked;
  while (!waiting_.empty() && running_.size() < config_.max_batch) {
    if (chunked && budget == 0) break;
    const std::uint32_t slot = waiting_.front();
    Sequence& s = slots_[slot];
    const std::uint32_t reserve = running_.empty() ? 0 : watermark_blocks_;
    if (s.prefilled_elsewhere) {
      if (budget == 0 || !admit_prefilled(batch, slot, reserve)) break;
      --budget;
      continue;
    }
    const bool alone = batch.prefill_tokens == 0;
    const BlockedHead& b = blocked_;
    if (b.valid && b.seq == s.id && b.target == s.target && b.epoch == kv_->admission_epoch() &&
        budget <= b.budget && reserve >= b.reserve && (b.alone || !alone))
      break;  // it failed under conditions at least as good
    blocked_ = BlockedHead{true, s.id, s.target, kv_->admission_epoch(), budget, reserve, alone};
    // FCFS: a head that does not fit stops admission. The one exception: a recomputed
    // sequence whose prefill alone exceeds max_batch_tokens runs as the iteration's only
    // prefill (else it could never run again). The prefix hit counts: it is looked up here
    // only when the whole prompt would not fit (try_admit looks it up again).
    if (!chunked && s.target > budget) {
      const std::uint32_t prefill = s.target - kv_->cached_prefix_tokens(s.target, s.hashes);
      if (prefill > budget && !(prefill > config_.max_batch_tokens && alone)) break;
    }
    const AdmitResult admitted = kv_->try_admit(s.id, s.target, s.hashes, reserve);
    if (!admitted.admitted) break;
    const std::uint32_t prefill = s.target - admitted.hit_tokens;
    s.kv_room = kv_->blocks_for(s.target) * kv_->block_tokens();
    blocked_.valid = false;
    waiting_.pop_front();
    running_.push_back(slot);
    s.phase = Phase::prefill;
    s.prefilled = admitted.hit_tokens;
    outstanding_prefill_ -= admitted.hit_tokens;
    batch.admitted.push_back(Admission{s.id, admitted.hit_tokens, s.preemptions > 0});
    const std::uint32_t tokens = chunked ? std::min(prefill, budget) : prefill;
    add_prefill(batch, slot, tokens);
    budget -= std::min(tokens, budget);
  }
}

bool ReplicaScheduler::admit_prefilled(Batch& batch, std::uint32_t slot, std::uint32_t reserve) {
  Sequence& s = slots_[slot];
  // The prompt's KV has arrived; this iteration writes the first output token's.
  const std::uint32_t context = s.prompt + s.generated - 1;
  const AdmitResult admitted = kv_->try_admit(s.id, context + 1, s.hashes, reserve);
  if (!admitted.admitted) return false;
  kv_->mark_computed(s.id, s.prompt);
  s.kv_room = kv_->blocks_for(context + 1) * kv_->block_tokens();
  s.prefilled_elsewhere = false;
  s.prefilled = s.target;
  s.phase = Phase::decode;
  blocked_.valid = false;
  waiting_.pop_front();
  running_.push_back(slot);
  batch.admitted.push_back(Admission{s.id, 0, false});
  batch.items.push_back(BatchItem{s.id, 1, context, false, false});
  in_flight_.push_back(slot);
  ++batch.decode_tokens;
  return true;
}

void ReplicaScheduler::add_prefill(Batch& batch, std::uint32_t slot, std::uint32_t tokens) {
  const Sequence& s = slots_[slot];
  const std::uint32_t done = s.prefilled + tokens;
  batch.items.push_back(BatchItem{s.id, tokens, s.prefilled, true, done == s.target});
  in_flight_.push_back(slot);
  batch.prefill_tokens += tokens;
  kv_->mark_computed(s.id, done);
}

void ReplicaScheduler::preempt(std::uint32_t slot, Batch& batch) {
  Sequence& s = slots_[slot];
  kv_->release(s.id);
  outstanding_prefill_ -= s.target - s.prefilled;
  s.target = s.prompt + s.generated;  // recompute the prompt and every token emitted so far
  s.prefilled = 0;
  outstanding_prefill_ += s.target;
  s.phase = Phase::waiting;
  ++s.preemptions;
  ++preemptions_;
  waiting_.push_front(slot);  // the newest goes first, so the oldest ends at the head
  batch.preempted.push_back(s.id);
}

void ReplicaScheduler::emit(std::uint32_t slot, IterationResult& result) {
  Sequence& s = slots_[slot];
  ++s.generated;
  --outstanding_decode_;
  ++result.tokens_emitted;
  if (s.generated == 1) result.first_tokens.push_back(s.id);
  if (s.generated < s.output) return;
  kv_->release(s.id);
  s.phase = Phase::done;
  result.finished.push_back(FinishedSeq{s.id, s.preemptions});
}

}  // namespace suanli::serving
