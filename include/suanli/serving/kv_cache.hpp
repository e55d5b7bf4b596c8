#pragma once
// The paged KV cache of one inference replica, with prefix caching (vLLM's design,
// PagedAttention SOSP'23 and vLLM's automatic prefix caching). Pure bookkeeping: no SimGrid,
// no I/O, deterministic. See docs/serving-scheduling.md.
//
// The cache is `total_blocks` blocks of `block_tokens` tokens. A sequence (a request, named
// by its index) holds a list of blocks covering its KV-resident tokens. A block has a
// reference count: several sequences whose prompts start alike share their leading blocks.
//
// Prefix caching. The engine passes, per sequence, one 64-bit hash per *full* KV block of the
// prompt (block i covers tokens [i*block_tokens, (i+1)*block_tokens)); it need only identify
// the tokens of that block, because the cache chains the hashes (block i's key depends on the
// hashes of blocks 0..i), so the same hash after a different prefix is a different block.
// A block becomes reusable once `mark_computed` says its tokens are computed; a later
// sequence whose leading keys are resident reuses those blocks (a "prefix hit": the engine
// skips their prefill). A block whose last holder releases it stays resident while it has a
// key ("cached", evictable, least recently released first) and goes back to the free list at
// once when it has none. Allocation takes free blocks first and evicts cached ones only when
// there are no free blocks left.
//
// Cost: admission O(prompt blocks), append O(new blocks), release O(blocks held), each block
// O(1) (an open-addressing index from key to block sized at construction, a queue of cached
// blocks, a free stack), with the per-block loops prefetching a few blocks ahead: the work is
// memory-bound, one or two cache misses per block.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace suanli::serving {

using SeqId = std::uint32_t;  // the request's index in the replayed trace

namespace detail {

inline constexpr std::uint32_t kNoIndex = 0xffffffffu;

// A hash index from 64-bit keys to 32-bit values (< kNoIndex): open addressing with linear
// probing at most half full (it doubles beyond), Fibonacci hashing, deletion by backward shift
// (no tombstones). O(1) expected per operation. Used for the KV cache's sequences and the
// prefix-affinity router's memory.
class FlatIndex {
 public:
  explicit FlatIndex(std::size_t expected_entries = 0);
  std::uint32_t find(std::uint64_t key) const;  // kNoIndex when absent
  // Adds the key; false (and nothing changes) when it is present.
  bool insert(std::uint64_t key, std::uint32_t value);
  bool erase(std::uint64_t key);  // false when absent
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return slots_.size(); }
  // A hint: the key is about to be looked up, start loading its slot.
  void prefetch(std::uint64_t key) const { __builtin_prefetch(slots_.data() + home(key)); }

 private:
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t value = kNoIndex;  // kNoIndex: empty
  };
  std::size_t home(std::uint64_t key) const {
    return static_cast<std::size_t>((key * 0x9e3779b97f4a7c15ull) >> shift_);
  }
  std::size_t slot_of(std::uint64_t key) const;  // its slot, or the empty one ending its probe
  void resize(std::size_t capacity);             // a power of two

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  int shift_ = 0;
  std::size_t size_ = 0;
};

}  // namespace detail

struct AdmitResult {
  bool admitted = false;
  std::uint32_t hit_blocks = 0;  // leading prompt blocks reused from the cache
  std::uint32_t hit_tokens = 0;  // hit_blocks * block_tokens: prefill the engine skips
};

class KvCache {
 public:
  // Throws std::invalid_argument when total_blocks or block_tokens is 0.
  KvCache(std::uint32_t total_blocks, std::uint32_t block_tokens, bool prefix_caching = true);

  // Allocates blocks for the whole prompt, reusing its cached leading blocks, or changes
  // nothing and returns admitted == false. It succeeds only if at least `reserve_blocks`
  // blocks stay free or cached afterwards (the scheduler's watermark). At most
  // (prompt_tokens - 1) / block_tokens blocks are hits, so that the prefill computes at least
  // one token (the one whose logits give the first output token). `block_hashes` holds at most
  // prompt_tokens / block_tokens hashes (the full blocks; fewer is fine: the blocks past them
  // have no hash); more throws std::invalid_argument, as does a sequence already admitted.
  AdmitResult try_admit(SeqId seq, std::uint32_t prompt_tokens,
                        std::span<const std::uint64_t> block_hashes,
                        std::uint32_t reserve_blocks = 0);

  // The hit_tokens that try_admit would report now, without changing anything.
  std::uint32_t cached_prefix_tokens(std::uint32_t prompt_tokens,
                                     std::span<const std::uint64_t> block_hashes) const;

  // The sequence's first `tokens` prompt tokens are computed, or are being computed by the
  // iteration now scheduled (vLLM v1 registers blocks when it schedules them: a prefill
  // batched with another that writes the same prefix reads it within the same forward pass).
  // Its full blocks with a hash among them become reusable. A key already resident in another
  // block leaves this block unregistered (a duplicate, freed without caching). Idempotent.
  void mark_computed(SeqId seq, std::uint32_t tokens);

  // Grows the sequence's blocks to cover `total_tokens` tokens (prompt + generated tokens
  // whose KV is written), or changes nothing and returns false when the blocks are not there.
  // A smaller total than the blocks cover is a no-op returning true.
  bool try_append(SeqId seq, std::uint32_t total_tokens);

  // Gives back the sequence's blocks: each whose count drops to 0 is cached if it has a
  // registered key, else freed. The sequence's last block is the first to be evicted later
  // (a cached prefix is lost from its end, never from its middle). Unknown seq: logic_error.
  void release(SeqId seq);

  bool holds(SeqId seq) const { return seq_slot_.find(seq) != detail::kNoIndex; }
  std::uint32_t blocks_of(SeqId seq) const;  // 0 when the sequence holds none
  // Blocks needed for `tokens` tokens (rounded up).
  std::uint32_t blocks_for(std::uint64_t tokens) const {
    return static_cast<std::uint32_t>((tokens + block_tokens_ - 1) / block_tokens_);
  }

  std::uint32_t total_blocks() const { return total_blocks_; }
  std::uint32_t block_tokens() const { return block_tokens_; }
  bool prefix_caching() const { return prefix_caching_; }
  // Blocks a new allocation can take: free ones plus cached ones (which it would evict).
  std::uint32_t free_blocks() const { return free_count() + cached_blocks(); }
  // Blocks held by at least one sequence.
  std::uint32_t used_blocks() const { return total_blocks_ - free_blocks(); }
  // Blocks held by no sequence that keep a reusable prefix (evictable).
  std::uint32_t cached_blocks() const { return cached_count_; }
  double utilization() const { return static_cast<double>(used_blocks()) / total_blocks_; }
  std::uint64_t evictions() const { return evictions_; }  // cached blocks reclaimed so far
  // Grows whenever blocks are given back or prefix blocks registered. While it stands still,
  // an admission that failed fails again (allocations and evictions only make it harder),
  // so the scheduler need not retry a blocked queue head every iteration.
  std::uint64_t admission_epoch() const { return epoch_; }

 private:
  // Block::state: kPlain (not in the key index), kIndexed (in it, held by a sequence), or
  // for a cached block (in the index, refs == 0) the position of its entry in lru_.
  static constexpr std::uint32_t kPlain = 0xffffffffu;
  static constexpr std::uint32_t kIndexed = 0xfffffffeu;
  struct Block {             // 16 bytes: four to a cache line
    std::uint64_t key = 0;   // chained prefix key, 0 for a block without a hash
    std::uint32_t refs = 0;  // sequences holding it
    std::uint32_t state = kPlain;
  };
  struct SeqBlocks {
    std::vector<std::uint32_t> blocks;
    std::uint32_t computed_blocks = 0;  // leading blocks mark_computed has gone through
  };
  // A slot of the key index: 8 bytes, the upper half of the key's Fibonacci hash (its home
  // slot is the tag's top bits) and the block, whose full key confirms a match.
  struct IndexSlot {
    std::uint32_t tag = 0;
    std::uint32_t block = detail::kNoIndex;  // kNoIndex: empty
  };

  std::uint32_t free_count() const { return static_cast<std::uint32_t>(free_.size()); }
  // The resident blocks among the prompt's leading keys (at most the hit limit) into hits_;
  // returns their number. The chained keys are computed into keys_ as far as the lookups go
  // (plus a few ahead); the lookups are prefetched a few blocks ahead: they are independent,
  // and each is a cache miss.
  std::uint32_t match_prefix(std::uint32_t prompt_tokens,
                             std::span<const std::uint64_t> hashes) const;
  // Extends keys_ to the first n hashes, prefetching their slots if they are to be looked up.
  void extend_keys(std::span<const std::uint64_t> hashes, std::size_t n, bool prefetch) const;
  // Appends n blocks (plain, no key) to `out`: free ones first, then the least recently cached
  // (evicted). The caller has checked free_blocks() >= n.
  void take_blocks(std::uint32_t n, std::vector<std::uint32_t>& out);
  void cache_block(std::uint32_t b);  // refs dropped to 0, indexed: to the LRU back
  void compact_lru();
  SeqBlocks& seq_blocks(SeqId seq);

  // The key index: registered key -> block, open addressing with linear probing, sized at
  // construction for every block at most half full; deletion by backward shift.
  static std::uint32_t key_tag(std::uint64_t key) {
    return static_cast<std::uint32_t>((key * 0x9e3779b97f4a7c15ull) >> 32);
  }
  std::size_t tag_home(std::uint32_t tag) const { return tag >> index_shift_; }
  void index_prefetch(std::uint64_t key) const {
    __builtin_prefetch(index_.data() + tag_home(key_tag(key)));
  }
  std::uint32_t index_find(std::uint64_t key) const;          // the block, or kNoIndex
  bool index_insert(std::uint64_t key, std::uint32_t block);  // false if the key is there
  void index_erase(std::uint64_t key, std::uint32_t block);   // block must be indexed

  std::uint32_t total_blocks_;
  std::uint32_t block_tokens_;
  bool prefix_caching_;
  std::vector<Block> blocks_;
  std::vector<std::uint32_t> free_;  // blocks with no content, a stack
  // The cached blocks, least recently released first, as a queue of block ids read from
  // lru_head_. A block reused by a prefix hit is not taken out: its entry just goes stale
  // (its state no longer points at it) and is skipped when reached, and the queue is
  // compacted when stale entries outnumber live ones. Walking a contiguous queue lets
  // eviction prefetch the blocks it will look at, which a linked list cannot.
  std::vector<std::uint32_t> lru_;
  std::size_t lru_head_ = 0;
  std::uint32_t cached_count_ = 0;
  std::uint64_t evictions_ = 0;
  std::uint64_t epoch_ = 0;
  std::vector<IndexSlot> index_;
  std::size_t index_mask_ = 0;
  int index_shift_ = 0;
  // Sequences holding blocks -> slot; slots are reused so that block vectors keep capacity.
  // Grown as needed: it stays as small as the running batch, in the CPU's cache.
  detail::FlatIndex seq_slot_;
  std::vector<SeqBlocks> slots_;
  std::vector<std::uint32_t> free_slots_;
  // Scratch space, reused so that nothing is allocated per call.
  mutable std::vector<std::uint64_t> keys_;
  mutable std::vector<std::uint32_t> hits_;
};

}  // namespace suanli::serving
