// ReplicaScheduler::enqueue_prefilled: a request whose prompt was prefilled on another
// replica (prefill/decode disaggregation) decodes from its first iteration here.
#include <doctest/doctest.h>

#include <stdexcept>

#include "suanli/serving/kv_cache.hpp"
#include "suanli/serving/replica_scheduler.hpp"

using namespace suanli::serving;

// 10 blocks of 16 tokens. Request 7: prompt 40 (3 blocks), 4 output tokens, the first already
// emitted elsewhere. Admission takes the blocks for 41 tokens (3 blocks) and the first
// iteration is its first decode (context 40); three decodes emit tokens 2, 3, 4.
TEST_CASE("prefilled enqueue: admitted straight into decoding, three decodes for four tokens") {
  KvCache kv(10, 16);
  SchedulerConfig config;
  config.max_batch = 4;
  config.max_batch_tokens = 64;
  ReplicaScheduler s(config, kv);
  CHECK(s.enqueue_prefilled(7, 40, 4, {}) == EnqueueStatus::accepted);
  CHECK(s.outstanding_prefill_tokens() == 0);
  CHECK(s.outstanding_tokens() == 3);
  for (std::uint32_t step = 0; step < 3; ++step) {
    CAPTURE(step);
    const Batch b = s.next_batch();
    REQUIRE(b.items.size() == 1);
    CHECK(b.items[0].seq == 7);
    CHECK_FALSE(b.items[0].is_prefill);
    CHECK(b.items[0].new_tokens == 1);
    CHECK(b.items[0].context_tokens == 40 + step);
    CHECK(b.prefill_tokens == 0);
    if (step == 0) CHECK(kv.used_blocks() == 3);
    const IterationResult r = s.complete(b);
    CHECK(r.first_tokens.empty());  // the first token came out of the prefill replica
    CHECK(r.finished.size() == (step == 2 ? 1u : 0u));
  }
  CHECK(s.idle());
  CHECK(kv.used_blocks() == 0);
}

TEST_CASE("prefilled enqueue: the same capacity checks, and at least two output tokens") {
  KvCache kv(4, 16);
  SchedulerConfig config;
  config.max_batch = 4;
  config.max_batch_tokens = 64;
  ReplicaScheduler s(config, kv);
  // 60 + 10 - 1 tokens need 5 blocks of 16: more than the cache.
  CHECK(s.enqueue_prefilled(1, 60, 10, {}) == EnqueueStatus::rejected_kv_capacity);
  CHECK_THROWS_AS(s.enqueue_prefilled(2, 10, 1, {}), std::invalid_argument);
  CHECK(s.idle());
}
