// The paged KV cache: block counts, all-or-nothing admission, growth, release, prefix hits,
// chained keys, LRU eviction from the end of a prefix, the watermark, misuse, and the flat
// index the cache is built on.
#include <doctest/doctest.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <vector>

#include "suanli/serving/kv_cache.hpp"

using namespace suanli::serving;
using Hashes = std::vector<std::uint64_t>;

TEST_CASE("kv cache: admission takes ceil(prompt / block) blocks, all or nothing") {
  KvCache kv(10, 16);
  CHECK(kv.free_blocks() == 10);
  CHECK(kv.used_blocks() == 0);
  CHECK(kv.blocks_for(0) == 0);
  CHECK(kv.blocks_for(16) == 1);
  CHECK(kv.blocks_for(17) == 2);

  AdmitResult a = kv.try_admit(1, 100, {});  // 7 blocks
  CHECK(a.admitted);
  CHECK(a.hit_tokens == 0);
  CHECK(kv.blocks_of(1) == 7);
  CHECK(kv.used_blocks() == 7);
  CHECK(kv.utilization() == doctest::Approx(0.7));

  CHECK_FALSE(kv.try_admit(2, 49, {}).admitted);  // 4 blocks, 3 free: nothing taken
  CHECK(kv.free_blocks() == 3);
  CHECK_FALSE(kv.holds(2));
  CHECK(kv.try_admit(2, 48, {}).admitted);  // exactly 3
  CHECK(kv.free_blocks() == 0);
}

TEST_CASE("kv cache: try_append grows by whole blocks and fails without side effects") {
  KvCache kv(3, 16);
  REQUIRE(kv.try_admit(1, 16, {}).admitted);
  CHECK(kv.try_append(1, 16));  // covered already
  CHECK(kv.blocks_of(1) == 1);
  CHECK(kv.try_append(1, 17));
  CHECK(kv.blocks_of(1) == 2);
  CHECK(kv.try_append(1, 32));
  CHECK(kv.blocks_of(1) == 2);
  CHECK(kv.try_append(1, 10));        // smaller: nothing to do
  CHECK_FALSE(kv.try_append(1, 49));  // needs 4 blocks, the cache has 3
  CHECK(kv.blocks_of(1) == 2);
  CHECK(kv.free_blocks() == 1);
  CHECK(kv.try_append(1, 48));
  CHECK(kv.free_blocks() == 0);
}

TEST_CASE("kv cache: release frees blocks without a hash and caches computed hashed ones") {
  KvCache kv(10, 16);
  REQUIRE(kv.try_admit(1, 40, Hashes{11, 12}).admitted);  // 3 blocks, 2 hashed
  kv.mark_computed(1, 40);
  REQUIRE(kv.try_append(1, 50));  // a 4th block for generated tokens
  kv.release(1);
  CHECK_FALSE(kv.holds(1));
  CHECK(kv.used_blocks() == 0);
  CHECK(kv.cached_blocks() == 2);
  CHECK(kv.free_blocks() == 10);  // cached blocks can be taken
}

TEST_CASE("kv cache: a prefix hit reuses the leading computed blocks and shares them") {
  KvCache kv(10, 16);
  REQUIRE(kv.try_admit(1, 50, Hashes{1, 2, 3}).admitted);  // 4 blocks
  // Not computed yet: nothing to reuse.
  CHECK(kv.cached_prefix_tokens(50, Hashes{1, 2, 3}) == 0);
  kv.mark_computed(1, 40);  // blocks 0 and 1 are full and computed, block 2 is not
  CHECK(kv.cached_prefix_tokens(50, Hashes{1, 2, 3}) == 32);
  kv.mark_computed(1, 50);
  CHECK(kv.cached_prefix_tokens(50, Hashes{1, 2, 3}) == 48);

  const AdmitResult b = kv.try_admit(2, 50, Hashes{1, 2, 9});
  CHECK(b.admitted);
  CHECK(b.hit_blocks == 2);
  CHECK(b.hit_tokens == 32);
  CHECK(kv.blocks_of(2) == 4);
  CHECK(kv.used_blocks() == 6);  // 4 + 2 new: the two shared blocks count once

  kv.release(1);  // the shared blocks stay with 2; 1's blocks 2 (hashed) and 3 go
  CHECK(kv.used_blocks() == 4);
  CHECK(kv.cached_blocks() == 1);
  kv.release(2);
  CHECK(kv.used_blocks() == 0);
  CHECK(kv.cached_blocks() == 3);  // 1, 2 and 3 of the first; 9 was never computed
}

TEST_CASE("kv cache: the prefill always computes one token, at most (prompt - 1) / block hit") {
  KvCache kv(10, 16);
  REQUIRE(kv.try_admit(1, 64, Hashes{1, 2, 3, 4}).admitted);
  kv.mark_computed(1, 64);
  kv.release(1);
  CHECK(kv.cached_blocks() == 4);
  CHECK(kv.cached_prefix_tokens(64, Hashes{1, 2, 3, 4}) == 48);  // 3 of the 4 blocks
  CHECK(kv.cached_prefix_tokens(65, Hashes{1, 2, 3, 4}) == 64);
  CHECK(kv.cached_prefix_tokens(16, Hashes{1}) == 0);
}

TEST_CASE("kv cache: keys are chained, so a block hash matches only after the same prefix") {
  KvCache kv(10, 16);
  REQUIRE(kv.try_admit(1, 48, Hashes{1, 2, 3}).admitted);
  kv.mark_computed(1, 48);
  CHECK(kv.cached_prefix_tokens(64, Hashes{1, 2}) == 32);
  CHECK(kv.cached_prefix_tokens(64, Hashes{2, 3}) == 0);  // 2 is resident, but after 1
  CHECK(kv.cached_prefix_tokens(64, Hashes{1, 3}) == 16);
  // The same hash repeated is a different block at each position.
  REQUIRE(kv.try_admit(2, 48, Hashes{7, 7, 7}).admitted);
  kv.mark_computed(2, 48);
  CHECK(kv.cached_prefix_tokens(64, Hashes{7, 7, 7}) == 48);
  CHECK(kv.used_blocks() == 6);
}

TEST_CASE("kv cache: small sequential hashes chain into distinct keys") {
  // Trace hash ids are often small integers: 0, 1, 2, ... Every block must get its own key.
  KvCache kv(100, 16);
  Hashes hashes;
  for (std::uint64_t h = 0; h < 64; ++h) hashes.push_back(h);
  REQUIRE(kv.try_admit(1, 64 * 16, hashes).admitted);
  kv.mark_computed(1, 64 * 16);
  kv.release(1);
  CHECK(kv.cached_blocks() == 64);
  CHECK(kv.cached_prefix_tokens(65 * 16, hashes) == 64 * 16);
  const AdmitResult again = kv.try_admit(2, 65 * 16, hashes);
  CHECK(again.hit_blocks == 64);
  CHECK(kv.used_blocks() == 65);
  CHECK(kv.cached_prefix_tokens(16 * 16, Hashes{1, 1, 2, 3}) == 0);
}

TEST_CASE("kv cache: free blocks go first, then the LRU evicts a prefix from its end") {
  KvCache kv(4, 16);
  REQUIRE(kv.try_admit(1, 32, Hashes{1, 2}).admitted);
  kv.mark_computed(1, 32);
  kv.release(1);
  CHECK(kv.cached_blocks() == 2);
  REQUIRE(kv.try_admit(2, 32, {}).admitted);  // the 2 free blocks: no eviction
  CHECK(kv.evictions() == 0);
  CHECK(kv.cached_blocks() == 2);
  REQUIRE(kv.try_admit(3, 16, {}).admitted);  // evicts the least recent: 1's last block
  CHECK(kv.evictions() == 1);
  CHECK(kv.cached_blocks() == 1);
  kv.release(2);
  kv.release(3);
  CHECK(kv.cached_prefix_tokens(48, Hashes{1, 2}) == 16);  // block 1 survived, block 2 did not
}

TEST_CASE("kv cache: reused cached blocks are not counted as room for the rest") {
  // 4 blocks, all cached by a finished 64-token prompt. The same prompt hits 3 blocks (one
  // token must be computed) and needs one more: it evicts exactly the 4th cached block.
  KvCache kv(4, 16);
  REQUIRE(kv.try_admit(1, 64, Hashes{1, 2, 3, 4}).admitted);
  kv.mark_computed(1, 64);
  kv.release(1);
  const AdmitResult again = kv.try_admit(2, 64, Hashes{1, 2, 3, 4});
  CHECK(again.admitted);
  CHECK(again.hit_blocks == 3);
  CHECK(kv.evictions() == 1);
  CHECK(kv.used_blocks() == 4);
  kv.release(2);
  // 2 never computed its 4th block, so 3 blocks are cached. 65 tokens: 3 hits, 2 more blocks
  // needed, 1 free and no other cached block: no room.
  CHECK(kv.cached_blocks() == 3);
  CHECK_FALSE(kv.try_admit(3, 65, Hashes{1, 2, 3, 4}).admitted);
  CHECK(kv.cached_blocks() == 3);  // unchanged by the failed attempt
  CHECK(kv.free_blocks() == 4);
}

TEST_CASE("kv cache: reserve_blocks keeps a watermark free") {
  KvCache kv(10, 16);
  CHECK_FALSE(kv.try_admit(1, 128, {}, 3).admitted);  // 8 blocks + 3 kept > 10
  CHECK(kv.try_admit(1, 128, {}, 2).admitted);
  CHECK(kv.free_blocks() == 2);
}

TEST_CASE("kv cache: a duplicate prefix computed twice is cached once") {
  KvCache kv(10, 16);
  REQUIRE(kv.try_admit(1, 20, Hashes{5}).admitted);
  REQUIRE(kv.try_admit(2, 20, Hashes{5}).admitted);  // before 1 computed it: no hit
  CHECK(kv.used_blocks() == 4);
  kv.mark_computed(1, 20);
  kv.mark_computed(2, 20);  // the key is taken: 2's copy stays unregistered
  kv.release(1);
  kv.release(2);
  CHECK(kv.cached_blocks() == 1);
  CHECK(kv.cached_prefix_tokens(20, Hashes{5}) == 16);
}

TEST_CASE("kv cache: with prefix caching off nothing is reused or cached") {
  KvCache kv(10, 16, /*prefix_caching*/ false);
  CHECK_FALSE(kv.prefix_caching());
  REQUIRE(kv.try_admit(1, 48, Hashes{1, 2, 3}).admitted);
  kv.mark_computed(1, 48);
  CHECK(kv.cached_prefix_tokens(64, Hashes{1, 2, 3}) == 0);
  kv.release(1);
  CHECK(kv.cached_blocks() == 0);
  const AdmitResult again = kv.try_admit(2, 64, Hashes{1, 2, 3});
  CHECK(again.hit_tokens == 0);
  CHECK(kv.blocks_of(2) == 4);
}

TEST_CASE("kv cache: misuse throws") {
  CHECK_THROWS_AS(KvCache(0, 16), std::invalid_argument);
  CHECK_THROWS_AS(KvCache(10, 0), std::invalid_argument);
  KvCache kv(10, 16);
  CHECK_THROWS_AS(kv.try_admit(1, 31, Hashes{1, 2}), std::invalid_argument);  // 1 full block
  REQUIRE(kv.try_admit(1, 32, Hashes{1, 2}).admitted);
  CHECK_THROWS_AS(kv.try_admit(1, 32, {}), std::logic_error);
  CHECK_THROWS_AS(kv.release(2), std::logic_error);
  CHECK_THROWS_AS(kv.try_append(2, 10), std::logic_error);
  CHECK_THROWS_AS(kv.mark_computed(2, 10), std::logic_error);
  CHECK(kv.blocks_of(2) == 0);
}

TEST_CASE("kv cache: eviction stays least recently released first across queue compactions") {
  // One-token blocks. 1500 sequences of 2 tokens (a hashed block and a plain one) leave 1500
  // cached blocks, released in order 0..1499. Reusing key 0 3000 times leaves 3000 stale
  // queue entries, which forces compactions; key 0 is then the most recent.
  KvCache kv(2000, 1);
  for (std::uint64_t i = 0; i < 1500; ++i) {
    REQUIRE(kv.try_admit(1, 2, Hashes{i}).admitted);
    kv.mark_computed(1, 2);
    kv.release(1);
  }
  CHECK(kv.cached_blocks() == 1500);
  for (int i = 0; i < 3000; ++i) {
    REQUIRE(kv.try_admit(1, 2, Hashes{0}).hit_blocks == 1);
    kv.release(1);
  }
  CHECK(kv.cached_blocks() == 1500);
  REQUIRE(kv.try_admit(2, 500, {}).admitted);  // the 500 free blocks
  CHECK(kv.evictions() == 0);
  REQUIRE(kv.try_admit(3, 1, {}).admitted);  // evicts key 1, the least recent
  CHECK(kv.evictions() == 1);
  CHECK(kv.cached_prefix_tokens(2, Hashes{1}) == 0);
  CHECK(kv.cached_prefix_tokens(2, Hashes{2}) == 1);
  CHECK(kv.cached_prefix_tokens(2, Hashes{0}) == 1);
  REQUIRE(kv.try_admit(4, 1498, {}).admitted);  // evicts keys 2..1499
  CHECK(kv.cached_blocks() == 1);
  CHECK(kv.cached_prefix_tokens(2, Hashes{0}) == 1);
  CHECK(kv.cached_prefix_tokens(2, Hashes{1499}) == 0);
}

TEST_CASE("flat index: inserts, finds and erases agree with std::map under churn") {
  detail::FlatIndex index(1000);  // no growth: the churn runs at up to half full
  std::map<std::uint64_t, std::uint32_t> reference;
  std::uint64_t state = 3;
  auto next = [&state] {  // splitmix64
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  };
  std::vector<std::uint64_t> pool;
  for (int i = 0; i < 1500; ++i) pool.push_back(next());
  for (int op = 0; op < 200000; ++op) {
    const std::uint64_t key = pool[next() % pool.size()];
    const auto value = static_cast<std::uint32_t>(op);
    if (next() % 2 == 0 && reference.size() < 1000) {
      const bool inserted = reference.emplace(key, value).second;
      REQUIRE(index.insert(key, value) == inserted);
    } else {
      REQUIRE(index.erase(key) == (reference.erase(key) == 1));
    }
    REQUIRE(index.size() == reference.size());
    const std::uint64_t probe = pool[next() % pool.size()];
    const auto it = reference.find(probe);
    REQUIRE(index.find(probe) == (it == reference.end() ? detail::kNoIndex : it->second));
  }
  for (const auto& [key, value] : reference) CHECK(index.find(key) == value);
  // It grows past half full, keeping what it holds.
  detail::FlatIndex small;
  const std::size_t capacity = small.capacity();
  for (std::uint32_t i = 0; i < capacity; ++i) REQUIRE(small.insert(i * 7919ull, i));
  CHECK(small.capacity() >= 2 * capacity);
  CHECK_FALSE(small.insert(7919, 5));
  for (std::uint32_t i = 0; i < capacity; ++i) CHECK(small.find(i * 7919ull) == i);
}
