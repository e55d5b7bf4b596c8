// The replica scheduler, with hand-derived iteration numbers: preemption by recomputation when
// decodes exhaust the KV cache, prefix hits, chunked prefill, static batches, the batch
// limits, rejections, the load queries; and a randomized run of every mode checking the
// invariants (every request finishes once, with all its tokens, and the cache ends empty).
#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "suanli/serving/replica_scheduler.hpp"

using namespace suanli::serving;
using Hashes = std::vector<std::uint64_t>;
// seq, new_tokens, context_tokens, is_prefill, is_last_prefill_chunk
using Item = std::tuple<SeqId, std::uint32_t, std::uint32_t, bool, bool>;
using Items = std::vector<Item>;
using Seqs = std::vector<SeqId>;

namespace {

Items items_of(const Batch& batch) {
  Items out;
  for (const BatchItem& i : batch.items)
    out.emplace_back(i.seq, i.new_tokens, i.context_tokens, i.is_prefill, i.is_last_prefill_chunk);
  return out;
}

Seqs finished_of(const IterationResult& r) {
  Seqs out;
  for (const FinishedSeq& f : r.finished) out.push_back(f.seq);
  return out;
}

// One iteration: the batch and what completing it reported (nothing for an empty batch).
struct Step {
  Batch batch;
  IterationResult result;
};

Step step(ReplicaScheduler& scheduler) {
  Step s{scheduler.next_batch(), {}};
  if (!s.batch.empty()) s.result = scheduler.complete(s.batch);
  return s;
}

}  // namespace

TEST_CASE("scheduler: decodes exhaust the KV cache, the newer is preempted and recomputed") {
  // 10 blocks of 16 tokens. A (0) and B (1): 64-token prompts (4 blocks, hashed), 40 output
  // tokens. Iteration 1 prefills both (8 blocks), each emits its first token. A decode at
  // iteration k writes the KV of token k-1: 64 + k - 1 tokens, so the 5th blocks come at k = 2
  // (the last 2 free ones) and the 6th are needed at k = 18. A goes first, finds nothing: B,
  // the newest, is preempted with 17 tokens generated and goes back to the queue with a
  // prompt of 64 + 17 = 81. Its released prompt blocks stay cached, its decode block is
  // freed and A takes it. B cannot come back while A runs (6 blocks, 4 of them its own cached
  // prefix, no room for 2 more). At k = 34 A needs a 7th block and evicts the least recently
  // released: B's last prompt block. A finishes at 40; at 41 B is re-admitted with a hit of 3
  // blocks (48 tokens), prefills 81 - 48 = 33 tokens and emits its 18th token; it emits the
  // other 22 at 42..63.
  KvCache kv(10, 16);
  ReplicaScheduler s(SchedulerConfig{.mode = BatchingMode::continuous}, kv);
  REQUIRE(s.enqueue(0, 64, 40, Hashes{1, 2, 3, 4}) == EnqueueStatus::accepted);
  REQUIRE(s.enqueue(1, 64, 40, Hashes{11, 12, 13, 14}) == EnqueueStatus::accepted);
  CHECK(s.outstanding_tokens() == 2 * (64 + 40));

  std::map<std::uint64_t, Step> steps;
  for (std::uint64_t it = 1; it <= 70; ++it) {
    Step st = step(s);
    if (st.batch.empty()) break;
    CHECK(st.batch.iteration == it);
    if (it == 18) CHECK(s.outstanding_tokens() == 22 + 23 + 81);
    if (it == 33) CHECK(kv.evictions() == 0);
    if (it == 34) CHECK(kv.evictions() == 1);
    steps.emplace(it, std::move(st));
  }
  REQUIRE(steps.size() == 63);
  CHECK(items_of(steps[1].batch) == Items{{0, 64, 0, true, true}, {1, 64, 0, true, true}});
  CHECK(steps[1].result.first_tokens == Seqs{0, 1});
  CHECK(items_of(steps[17].batch) == Items{{0, 1, 79, false, false}, {1, 1, 79, false, false}});
  CHECK(steps[17].batch.preempted.empty());

  CHECK(items_of(steps[18].batch) == Items{{0, 1, 80, false, false}});
  CHECK(steps[18].batch.preempted == Seqs{1});
  CHECK(steps[18].batch.admitted.empty());
  for (std::uint64_t it = 19; it <= 40; ++it) CHECK(steps[it].batch.admitted.empty());
  CHECK(finished_of(steps[40].result) == Seqs{0});
  CHECK(steps[40].result.finished[0].preemptions == 0);

  const Batch& back = steps[41].batch;
  REQUIRE(back.admitted.size() == 1);
  CHECK(back.admitted[0].seq == 1);
  CHECK(back.admitted[0].prefix_hit_tokens == 48);
  CHECK(back.admitted[0].recompute);
  CHECK(items_of(back) == Items{{1, 33, 48, true, true}});
  CHECK(steps[41].result.first_tokens.empty());  // B's first token was at iteration 1
  CHECK(steps[41].result.tokens_emitted == 1);
  CHECK(items_of(steps[42].batch) == Items{{1, 1, 81, false, false}});
  CHECK(finished_of(steps[63].result) == Seqs{1});
  CHECK(steps[63].result.finished[0].preemptions == 1);
  CHECK(s.preemptions() == 1);
  CHECK(s.idle());
  CHECK(s.outstanding_tokens() == 0);
  CHECK(kv.used_blocks() == 0);
}

TEST_CASE("scheduler: a prefix hit of N full blocks removes N x 16 prefill tokens") {
  for (const bool caching : {true, false}) {
    CAPTURE(caching);
    KvCache kv(100, 16, caching);
    ReplicaScheduler s(SchedulerConfig{.mode = BatchingMode::continuous}, kv);
    REQUIRE(s.enqueue(0, 100, 1, Hashes{1, 2, 3, 4, 5, 6}) == EnqueueStatus::accepted);
    CHECK(finished_of(step(s).result) == Seqs{0});
    // The same first 4 blocks, then other ones.
    REQUIRE(s.enqueue(1, 100, 2, Hashes{1, 2, 3, 4, 50, 60}) == EnqueueStatus::accepted);
    CHECK(s.outstanding_tokens() == 102);
    const Step st = step(s);
    const std::uint32_t hit = caching ? 4 * 16 : 0;
    CHECK(items_of(st.batch) == Items{{1, 100 - hit, hit, true, true}});
    REQUIRE(st.batch.admitted.size() == 1);
    CHECK(st.batch.admitted[0].prefix_hit_tokens == hit);
    CHECK_FALSE(st.batch.admitted[0].recompute);
    CHECK(st.batch.prefill_tokens == 100 - hit);
    CHECK(s.outstanding_tokens() == 1);
  }
}

TEST_CASE("scheduler: chunked prefill of 1000 tokens with chunk 256 takes 4 iterations") {
  // Then a 600-token prompt shares the budget with A's decodes: 255 + 255 + 90.
  KvCache kv(200, 16);
  ReplicaScheduler s(
      SchedulerConfig{.mode = BatchingMode::chunked, .max_batch = 8, .chunk_tokens = 256}, kv);
  REQUIRE(s.enqueue(0, 1000, 5, {}) == EnqueueStatus::accepted);
  const Items expected[] = {{{0, 256, 0, true, false}},
                            {{0, 256, 256, true, false}},
                            {{0, 256, 512, true, false}},
                            {{0, 232, 768, true, true}}};
  for (int it = 0; it < 4; ++it) {
    CAPTURE(it);
    const Step st = step(s);
    CHECK(items_of(st.batch) == expected[it]);
    CHECK(st.result.first_tokens == (it == 3 ? Seqs{0} : Seqs{}));
    CHECK(st.result.tokens_emitted == (it == 3 ? 1u : 0u));
  }
  CHECK(s.outstanding_prefill_tokens() == 0);

  REQUIRE(s.enqueue(1, 600, 1, {}) == EnqueueStatus::accepted);
  Step st = step(s);
  CHECK(items_of(st.batch) == Items{{0, 1, 1000, false, false}, {1, 255, 0, true, false}});
  st = step(s);
  CHECK(items_of(st.batch) == Items{{0, 1, 1001, false, false}, {1, 255, 255, true, false}});
  st = step(s);
  CHECK(items_of(st.batch) == Items{{0, 1, 1002, false, false}, {1, 90, 510, true, true}});
  CHECK(st.result.first_tokens == Seqs{1});
  CHECK(finished_of(st.result) == Seqs{1});
  st = step(s);
  CHECK(items_of(st.batch) == Items{{0, 1, 1003, false, false}});
  CHECK(finished_of(st.result) == Seqs{0});
  CHECK(s.idle());
}

TEST_CASE("scheduler: a static batch runs until all its sequences finish, nothing joins") {
  // max_batch 2: A (2 tokens) and B (5 tokens) form the batch; C waits until B is done
  // although A's seat is free from iteration 3. In continuous mode C takes it at once.
  for (const BatchingMode mode : {BatchingMode::static_batch, BatchingMode::continuous}) {
    CAPTURE(batching_mode_name(mode));
    KvCache kv(100, 16);
    ReplicaScheduler s(SchedulerConfig{.mode = mode, .max_batch = 2}, kv);
    REQUIRE(s.enqueue(0, 20, 2, {}) == EnqueueStatus::accepted);
    REQUIRE(s.enqueue(1, 30, 5, {}) == EnqueueStatus::accepted);
    REQUIRE(s.enqueue(2, 10, 1, {}) == EnqueueStatus::accepted);
    Step st = step(s);
    CHECK(items_of(st.batch) == Items{{0, 20, 0, true, true}, {1, 30, 0, true, true}});
    st = step(s);
    CHECK(items_of(st.batch) == Items{{0, 1, 20, false, false}, {1, 1, 30, false, false}});
    CHECK(finished_of(st.result) == Seqs{0});
    st = step(s);
    if (mode == BatchingMode::static_batch) {
      CHECK(items_of(st.batch) == Items{{1, 1, 31, false, false}});
      CHECK(s.waiting() == 1);
      CHECK(items_of(step(s).batch) == Items{{1, 1, 32, false, false}});
      st = step(s);
      CHECK(items_of(st.batch) == Items{{1, 1, 33, false, false}});
      CHECK(finished_of(st.result) == Seqs{1});
      st = step(s);
      CHECK(items_of(st.batch) == Items{{2, 10, 0, true, true}});
    } else {
      CHECK(items_of(st.batch) == Items{{1, 1, 31, false, false}, {2, 10, 0, true, true}});
    }
    CHECK(finished_of(st.result) == Seqs{2});
  }
}

TEST_CASE("scheduler: max_batch_tokens counts decodes and prefills, admission is FCFS") {
  // Budget 100. Iteration 1: A (60) fits, B (50) does not fit the 40 left and C (30), which
  // would, waits behind it. Iteration 2: A's decode (1) + B (50) + C (30) = 81.
  KvCache kv(100, 16);
  ReplicaScheduler s(
      SchedulerConfig{.mode = BatchingMode::continuous, .max_batch = 4, .max_batch_tokens = 100},
      kv);
  REQUIRE(s.enqueue(0, 60, 3, {}) == EnqueueStatus::accepted);
  REQUIRE(s.enqueue(1, 50, 3, {}) == EnqueueStatus::accepted);
  REQUIRE(s.enqueue(2, 30, 3, {}) == EnqueueStatus::accepted);
  Step st = step(s);
  CHECK(items_of(st.batch) == Items{{0, 60, 0, true, true}});
  CHECK(s.waiting() == 2);
  st = step(s);
  CHECK(items_of(st.batch) ==
        Items{{0, 1, 60, false, false}, {1, 50, 0, true, true}, {2, 30, 0, true, true}});
  CHECK(st.batch.prefill_tokens == 80);
  CHECK(st.batch.decode_tokens == 1);
  CHECK(s.running() == 3);
}

TEST_CASE("scheduler: max_batch caps the running sequences") {
  KvCache kv(100, 16);
  ReplicaScheduler s(
      SchedulerConfig{.mode = BatchingMode::continuous, .max_batch = 2, .max_batch_tokens = 1000},
      kv);
  for (SeqId q = 0; q < 3; ++q) REQUIRE(s.enqueue(q, 10, 3, {}) == EnqueueStatus::accepted);
  CHECK(items_of(step(s).batch) == Items{{0, 10, 0, true, true}, {1, 10, 0, true, true}});
  CHECK(s.running() == 2);
  CHECK(s.waiting() == 1);
  step(s);
  CHECK(finished_of(step(s).result) == Seqs{0, 1});
  CHECK(items_of(step(s).batch) == Items{{2, 10, 0, true, true}});
}

TEST_CASE("scheduler: a recomputed prefill longer than max_batch_tokens runs alone") {
  // 8 blocks, budget 60. A (48, 40 out) runs from iteration 1, B (48 > 60 - 48 left) from 2.
  // At 18 A needs its 5th block: B is preempted with 16 tokens and must recompute 64 > 60
  // tokens. It fits the cache again only when A is done (40), and at 41 it runs as the
  // iteration's only prefill.
  KvCache kv(8, 16);
  ReplicaScheduler s(
      SchedulerConfig{.mode = BatchingMode::continuous, .max_batch = 2, .max_batch_tokens = 60},
      kv);
  REQUIRE(s.enqueue(0, 48, 40, {}) == EnqueueStatus::accepted);
  REQUIRE(s.enqueue(1, 48, 40, {}) == EnqueueStatus::accepted);
  std::map<std::uint64_t, Step> steps;
  for (std::uint64_t it = 1; !s.idle(); ++it) steps.emplace(it, step(s));
  CHECK(items_of(steps[1].batch) == Items{{0, 48, 0, true, true}});
  CHECK(items_of(steps[2].batch) == Items{{0, 1, 48, false, false}, {1, 48, 0, true, true}});
  CHECK(steps[18].batch.preempted == Seqs{1});
  CHECK(items_of(steps[18].batch) == Items{{0, 1, 64, false, false}});
  CHECK(finished_of(steps[40].result) == Seqs{0});
  CHECK(items_of(steps[41].batch) == Items{{1, 64, 0, true, true}});
  CHECK(steps[41].batch.prefill_tokens == 64);
  CHECK(finished_of(steps[64].result) == Seqs{1});
  CHECK(steps.size() == 64);
}

TEST_CASE("scheduler: requests that can never run are rejected at enqueue") {
  KvCache kv(10, 16);  // 160 tokens
  ReplicaScheduler s(
      SchedulerConfig{.mode = BatchingMode::continuous, .max_batch = 8, .max_batch_tokens = 64},
      kv);
  CHECK(s.enqueue(0, 50, 111, {}) == EnqueueStatus::accepted);  // 160 KV tokens at most
  CHECK(s.enqueue(1, 50, 112, {}) == EnqueueStatus::rejected_kv_capacity);
  CHECK(s.enqueue(2, 0, 5, {}) == EnqueueStatus::rejected_empty);
  CHECK(s.enqueue(3, 5, 0, {}) == EnqueueStatus::rejected_empty);
  CHECK(s.enqueue(4, 65, 1, {}) == EnqueueStatus::rejected_batch_tokens);
  CHECK(s.waiting() == 1);
  CHECK(s.outstanding_tokens() == 161);
  CHECK_THROWS_AS(s.enqueue(5, 31, 1, Hashes{1, 2}), std::invalid_argument);
  CHECK(enqueue_status_name(EnqueueStatus::rejected_kv_capacity) != "?");

  // Chunked prefill has no prompt limit but the cache.
  KvCache kv2(10, 16);
  ReplicaScheduler chunked(
      SchedulerConfig{.mode = BatchingMode::chunked, .max_batch = 8, .chunk_tokens = 64}, kv2);
  CHECK(chunked.enqueue(4, 65, 1, {}) == EnqueueStatus::accepted);
}

TEST_CASE("scheduler: outstanding tokens, idle and the empty batch") {
  KvCache kv(100, 16);
  ReplicaScheduler s(SchedulerConfig{.mode = BatchingMode::continuous}, kv);
  CHECK(s.idle());
  CHECK(s.next_batch().empty());
  REQUIRE(s.enqueue(7, 100, 10, {}) == EnqueueStatus::accepted);
  CHECK_FALSE(s.idle());
  CHECK(s.outstanding_tokens() == 110);
  CHECK(s.outstanding_prefill_tokens() == 100);
  CHECK(s.kv_utilization() == 0);
  step(s);
  CHECK(s.outstanding_tokens() == 9);
  CHECK(s.outstanding_prefill_tokens() == 0);
  CHECK(s.kv_utilization() == doctest::Approx(7 / 100.0));
  for (int i = 0; i < 9; ++i) step(s);
  CHECK(s.idle());
  CHECK(s.outstanding_tokens() == 0);
  CHECK(s.running() == 0);
  CHECK(s.kv_utilization() == 0);
}

TEST_CASE("scheduler: misuse and bad configs throw") {
  KvCache kv(100, 16);
  CHECK_THROWS_AS(
      ReplicaScheduler(SchedulerConfig{.mode = BatchingMode::continuous, .max_batch = 0}, kv),
      std::invalid_argument);
  CHECK_THROWS_AS(
      ReplicaScheduler(
          SchedulerConfig{.mode = BatchingMode::continuous, .max_batch = 16, .max_batch_tokens = 8},
          kv),
      std::invalid_argument);
  CHECK_THROWS_AS(
      ReplicaScheduler(
          SchedulerConfig{.mode = BatchingMode::chunked, .max_batch = 16, .chunk_tokens = 8}, kv),
      std::invalid_argument);
  CHECK_THROWS_AS(ReplicaScheduler(SchedulerConfig{.kv_watermark = 1}, kv), std::invalid_argument);

  ReplicaScheduler s(SchedulerConfig{.mode = BatchingMode::continuous}, kv);
  REQUIRE(s.enqueue(0, 10, 5, {}) == EnqueueStatus::accepted);
  const Batch b = s.next_batch();
  CHECK_THROWS_AS(s.next_batch(), std::logic_error);
  Batch other = b;
  other.iteration = 99;
  CHECK_THROWS_AS(s.complete(other), std::logic_error);
  s.complete(b);
  CHECK_THROWS_AS(s.complete(b), std::logic_error);
}

TEST_CASE("scheduler: batching mode names") {
  for (const BatchingMode mode :
       {BatchingMode::continuous, BatchingMode::chunked, BatchingMode::static_batch})
    CHECK(parse_batching_mode(batching_mode_name(mode)) == mode);
  CHECK(batching_mode_name(BatchingMode::chunked) == "continuous-chunked");
  CHECK_FALSE(parse_batching_mode("dynamic").has_value());
}

namespace {

std::uint64_t next_random(std::uint64_t& state) {  // splitmix64
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

struct Expected {
  std::uint32_t prompt = 0, output = 0;
  std::uint32_t emitted = 0, first_tokens = 0, finished = 0;
  std::uint32_t prefilled_to = 0;  // end of the last prefill chunk, while prefilling
};

}  // namespace

TEST_CASE("scheduler: randomized runs keep every invariant in every mode") {
  for (const BatchingMode mode :
       {BatchingMode::continuous, BatchingMode::chunked, BatchingMode::static_batch}) {
    for (const bool caching : {true, false}) {
      CAPTURE(batching_mode_name(mode));
      CAPTURE(caching);
      KvCache kv(40, 16, caching);  // 640 tokens: preemptions are frequent
      const SchedulerConfig cfg{
          .mode = mode, .max_batch = 8, .max_batch_tokens = 256, .chunk_tokens = 64};
      ReplicaScheduler s(cfg, kv);
      std::uint64_t rng = 42;
      std::map<SeqId, Expected> seqs;
      SeqId next = 0;
      std::uint64_t accepted_tokens = 0;
      for (int it = 0; it < 20000 && (next < 300 || !s.idle()); ++it) {
        for (std::uint64_t n = next_random(rng) % 3; n > 0 && next < 300; --n, ++next) {
          const auto prompt = static_cast<std::uint32_t>(1 + next_random(rng) % 300);
          const auto output = static_cast<std::uint32_t>(1 + next_random(rng) % 200);
          Hashes hashes;  // 4 shared documents, then a private tail
          const std::uint64_t doc = next_random(rng) % 4;
          for (std::uint32_t b = 0; b < prompt / 16; ++b)
            hashes.push_back(b < 6 ? doc * 100 + b : 1000000 + next * 100 + b);
          const EnqueueStatus status = s.enqueue(next, prompt, output, hashes);
          CHECK((status == EnqueueStatus::accepted ||
                 status == EnqueueStatus::rejected_kv_capacity ||
                 status == EnqueueStatus::rejected_batch_tokens));
          if (status != EnqueueStatus::accepted) continue;
          seqs[next] = Expected{prompt, output};
          accepted_tokens += prompt + output;
        }
        const std::size_t running_before = s.running();
        const Batch batch = s.next_batch();
        CHECK(batch.empty() == s.idle());
        if (batch.empty()) continue;
        CHECK(batch.items.size() <= cfg.max_batch);
        CHECK(s.running() <= cfg.max_batch);
        const std::uint32_t tokens = batch.prefill_tokens + batch.decode_tokens;
        if (mode == BatchingMode::chunked) {
          CHECK(tokens <= cfg.chunk_tokens);
        } else if (tokens > cfg.max_batch_tokens) {  // only a lone oversized recompute
          CHECK(batch.admitted.size() == 1);
          CHECK(batch.admitted[0].recompute);
        }
        if (mode == BatchingMode::static_batch && !batch.admitted.empty()) {
          CHECK(running_before == 0);
          CHECK(batch.decode_tokens == 0);
        }
        for (const SeqId q : batch.preempted) seqs[q].prefilled_to = 0;
        for (const BatchItem& item : batch.items) {
          Expected& e = seqs[item.seq];
          if (item.is_prefill) {
            CHECK(item.context_tokens + item.new_tokens <= e.prompt + e.emitted);
            CHECK(item.is_last_prefill_chunk ==
                  (item.context_tokens + item.new_tokens == e.prompt + e.emitted));
            if (e.prefilled_to > 0) CHECK(item.context_tokens == e.prefilled_to);
            e.prefilled_to = item.is_last_prefill_chunk ? 0 : item.context_tokens + item.new_tokens;
          } else {
            CHECK(item.new_tokens == 1);
            CHECK(item.context_tokens == e.prompt + e.emitted - 1);
          }
          if (!item.is_prefill || item.is_last_prefill_chunk) ++e.emitted;
        }
        const IterationResult r = s.complete(batch);
        for (const SeqId q : r.first_tokens) ++seqs[q].first_tokens;
        for (const FinishedSeq& f : r.finished) {
          ++seqs[f.seq].finished;
          CHECK(seqs[f.seq].emitted == seqs[f.seq].output);
        }
        CHECK(s.outstanding_tokens() <= accepted_tokens);
      }
      CHECK(next == 300);
      CHECK(s.idle());
      CHECK(s.outstanding_tokens() == 0);
      CHECK(kv.used_blocks() == 0);
      CHECK(seqs.size() > 200);  // prompts over 256 tokens are rejected but in chunked mode
      for (const auto& [q, e] : seqs) {
        CAPTURE(q);
        CHECK(e.finished == 1);
        CHECK(e.first_tokens == 1);
        CHECK(e.emitted == e.output);
      }
      if (mode != BatchingMode::static_batch) CHECK(s.preemptions() > 0);
    }
  }
}
