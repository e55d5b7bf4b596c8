#pragma once
// The iteration-level scheduler of one inference replica (vLLM-style): which sequences run in
// the next forward pass and with how many tokens each. Pure C++ (no SimGrid, no I/O,
// deterministic); the engine drives it:
//
//   enqueue(...) on arrival                 (rejects what can never run)
//   loop: b = next_batch()                  (empty only when idle())
//         time b with the roofline, run it in SimGrid
//         r = complete(b)                   (first tokens -> TTFT, finished -> release)
//
// Modes (docs/serving-scheduling.md):
// - continuous: Orca-style iteration-level batching. Every iteration carries all running
//   decodes (one token each) plus whole prefills of newly admitted requests (FCFS, while
//   max_batch, max_batch_tokens and the KV cache allow); prefills and decodes are mixed, as in
//   Orca and vLLM v1.
// - continuous-chunked: Sarathi-Serve. A budget of chunk_tokens per iteration: running decodes
//   first, then the next chunks of partly prefilled sequences, then chunks of new admissions.
// - static: a batch is formed from the waiting queue when nothing runs and runs until all of
//   its sequences finish; nothing joins mid-way.
//
// KV exhaustion: when a running sequence cannot get the block for its next token, the newest
// running sequence is preempted by recomputation (vLLM's default): its blocks are released
// (the prompt blocks stay cached, so its prefill usually hits its own prefix) and it goes
// back to the head of the waiting queue with prompt = prompt + tokens generated so far.
//
// Cost: next_batch and complete are O(sequences in the batch + running), admissions
// O(prompt blocks); no scan of the waiting queue (it is a FIFO looked at from its head).
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "suanli/serving/kv_cache.hpp"

namespace suanli::serving {

enum class BatchingMode { continuous, chunked, static_batch };

// "continuous", "continuous-chunked", "static".
std::string_view batching_mode_name(BatchingMode mode);
std::optional<BatchingMode> parse_batching_mode(std::string_view name);

struct SchedulerConfig {
  BatchingMode mode = BatchingMode::continuous;
  // Sequences admitted (running) at once: vLLM's max_num_seqs. Every running sequence
  // is in every iteration (except a partly prefilled one the chunk budget cannot reach).
  std::uint32_t max_batch = 256;
  // Tokens one iteration may process, decodes (1 each) and prefills (prompt minus prefix
  // hit) together: vLLM's max_num_batched_tokens. continuous and static only. Must be
  // >= max_batch, so that every running decode always fits.
  std::uint32_t max_batch_tokens = 8192;
  // continuous-chunked: the token budget of one iteration (Sarathi's chunk size). Must be
  // >= max_batch.
  std::uint32_t chunk_tokens = 512;
  // Admission keeps floor(kv_watermark * total blocks) blocks free while anything runs
  // (vLLM v0's watermark, default 1%), so that admissions do not cause immediate preemptions.
  double kv_watermark = 0.01;
};

enum class EnqueueStatus {
  accepted,
  rejected_empty,         // prompt_tokens or output_tokens is 0
  rejected_kv_capacity,   // prompt + output - 1 tokens need more blocks than the cache has
  rejected_batch_tokens,  // continuous/static: the prompt exceeds max_batch_tokens
};
std::string_view enqueue_status_name(EnqueueStatus status);

struct BatchItem {
  SeqId seq = 0;
  std::uint32_t new_tokens = 0;        // tokens computed this iteration (1 for a decode)
  std::uint32_t context_tokens = 0;    // tokens already in the KV cache before (attention context)
  bool is_prefill = false;             // a prefill or one chunk of it
  bool is_last_prefill_chunk = false;  // the prefill completes: the sequence emits a token
};

struct Admission {
  SeqId seq = 0;
  std::uint32_t prefix_hit_tokens = 0;  // prompt tokens reused from the prefix cache
  bool recompute = false;               // re-admitted after a preemption
};

struct Batch {
  std::uint64_t iteration = 0;       // 1, 2, ... per replica; complete() checks it
  std::vector<BatchItem> items;      // decodes first (oldest first), then prefills
  std::vector<Admission> admitted;   // sequences admitted from the waiting queue for this batch
  std::vector<SeqId> preempted;      // sequences preempted while forming it (back to waiting)
  std::uint32_t prefill_tokens = 0;  // sum of new_tokens over prefill items
  std::uint32_t decode_tokens = 0;   // number of decode items
  bool empty() const { return items.empty(); }
};

struct FinishedSeq {
  SeqId seq = 0;
  std::uint32_t preemptions = 0;  // times it was preempted and recomputed
};

struct IterationResult {
  std::vector<SeqId> first_tokens;    // emitted their first output token this iteration (TTFT)
  std::vector<FinishedSeq> finished;  // emitted their last token; their blocks are released
  std::uint32_t tokens_emitted = 0;   // output tokens emitted by the iteration
};

class ReplicaScheduler {
 public:
  // Throws std::invalid_argument for a config that breaks the rules above. The cache must
  // outlive the scheduler and is used by it alone.
  ReplicaScheduler(const SchedulerConfig& config, KvCache& kv);

  // A request arrives. `block_hashes`: one hash per full KV block of the prompt, at most
  // prompt_tokens / block_tokens (copied; see KvCache). A rejected request leaves no trace.
  EnqueueStatus enqueue(SeqId seq, std::uint32_t prompt_tokens, std::uint32_t output_tokens,
                        std::span<const std::uint64_t> block_hashes);

  // A request whose prompt was prefilled on another replica (prefill/decode disaggregation):
  // its KV cache arrives with it and its first output token is already out. It waits like
  // any request, but admission only allocates its prompt's blocks (plus the next token's)
  // and it decodes in the same iteration. A preemption later recomputes it here as usual.
  // Same checks and statuses as enqueue(); output_tokens counts the first token too (>= 2).
  EnqueueStatus enqueue_prefilled(SeqId seq, std::uint32_t prompt_tokens,
                                  std::uint32_t output_tokens,
                                  std::span<const std::uint64_t> block_hashes);

  // The next iteration's batch; empty only when idle(). Call complete() before asking again.
  Batch next_batch();
  // The batch has run: every item advances, prefills that complete and decodes emit a token,
  // sequences reaching their output length finish and release their blocks. Throws
  // std::logic_error if `batch` is not the one in flight.
  IterationResult complete(const Batch& batch);

  std::size_t waiting() const { return waiting_.size(); }
  std::size_t running() const { return running_.size(); }
  bool idle() const { return waiting_.empty() && running_.empty(); }
  // Prefill tokens still to compute plus output tokens still to emit, over everything queued
  // or running. Output lengths come from the trace: routers that use this know the future
  // (an oracle); outstanding_prefill_tokens() is what a real router could know.
  std::uint64_t outstanding_tokens() const { return outstanding_prefill_ + outstanding_decode_; }
  std::uint64_t outstanding_prefill_tokens() const { return outstanding_prefill_; }
  double kv_utilization() const { return kv_->utilization(); }
  std::uint64_t preemptions() const { return preemptions_; }
  const SchedulerConfig& config() const { return config_; }
  const KvCache& kv_cache() const { return *kv_; }

 private:
  enum class Phase : std::uint8_t { waiting, prefill, decode, done };
  struct Sequence {
    SeqId id = 0;
    std::uint32_t prompt = 0;     // the request's prompt
    std::uint32_t output = 0;     // tokens to emit in all
    std::uint32_t generated = 0;  // tokens emitted so far
    std::uint32_t target = 0;     // tokens the current prefill covers (prompt + generated)
    std::uint32_t prefilled = 0;  // of them, in the KV cache (hits included)
    std::uint32_t preemptions = 0;
    std::uint32_t kv_room = 0;  // tokens its KV blocks hold: a decode asks for a block past it
    Phase phase = Phase::waiting;
    bool prefilled_elsewhere = false;  // enqueue_prefilled, until admitted
    std::vector<std::uint64_t> hashes;
  };

  std::uint32_t new_slot();
  // Appends the decode items of the running sequences, preempting the newest ones when the
  // cache runs out; returns the tokens taken.
  std::uint32_t schedule_decodes(Batch& batch);
  // continuous-chunked: the next chunks of partly prefilled running sequences.
  std::uint32_t schedule_partial_prefills(Batch& batch, std::uint32_t budget);
  // Admits from the head of the waiting queue while the rules allow.
  void admit(Batch& batch, std::uint32_t budget);
  void add_prefill(Batch& batch, std::uint32_t slot, std::uint32_t tokens);
  // Admits the head of the waiting queue that was prefilled elsewhere; false if it does not fit.
  bool admit_prefilled(Batch& batch, std::uint32_t slot, std::uint32_t reserve);
  void preempt(std::uint32_t slot, Batch& batch);
  void emit(std::uint32_t slot, IterationResult& result);

  SchedulerConfig config_;
  KvCache* kv_;
  std::uint32_t watermark_blocks_;
  std::vector<Sequence> slots_;  // sequences queued or running, reused
  std::vector<std::uint32_t> free_slots_;
  std::deque<std::uint32_t> waiting_;     // FCFS; preempted sequences go to the front
  std::vector<std::uint32_t> running_;    // admission order, oldest first
  std::vector<std::uint32_t> in_flight_;  // slot of each item of the batch in flight
  // The waiting head's last failed admission. Until something that could let it in changes
  // (the cache's admission epoch, a larger token budget, a smaller reserve, the iteration
  // having no other prefill) it is not tried again: a blocked head costs O(1) per iteration
  // instead of a prefix match over its prompt blocks.
  struct BlockedHead {
    bool valid = false;
    SeqId seq = 0;
    std::uint32_t target = 0;
    std::uint64_t epoch = 0;
    std::uint32_t budget = 0;
    std::uint32_t reserve = 0;
    bool alone = false;
  };
  BlockedHead blocked_;
  std::uint64_t iteration_ = 0;
  bool batch_in_flight_ = false;
  std::uint64_t outstanding_prefill_ = 0;
  std::uint64_t outstanding_decode_ = 0;
  std::uint64_t preemptions_ = 0;
};

}  // namespace suanli::serving
