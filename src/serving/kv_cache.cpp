// The paged KV cache with prefix caching: reference-counted blocks, a free stack, a queue of
// cached blocks (least recently released first) and an index from chained key to block.
#include "suanli/serving/kv_cache.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

namespace suanli::serving {
namespace {

// The key of a prompt block: its hash chained with the key of the block before, so that a key
// names the whole prefix: murmur3's 64-bit finaliser (a bijection) over the previous key times
// an odd constant xor the hash. Never 0 (0 means no key).
std::uint64_t chain_key(std::uint64_t previous_key, std::uint64_t hash) {
  std::uint64_t x = previous_key * 0x9e3779b97f4a7c15ull ^ hash;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x == 0 ? 1 : x;
}

// How far ahead the per-block loops prefetch: blocks (whose fields the loop reads) and, half
// as far, index slots (the key to find them is in the block, which has arrived by then).
constexpr std::size_t kBlockAhead = 16, kSlotAhead = 8;

}  // namespace

namespace detail {

FlatIndex::FlatIndex(std::size_t expected_entries) {
  std::size_t capacity = 16;
  while (capacity < 2 * expected_entries) capacity *= 2;
  resize(capacity);
}

void FlatIndex::resize(std::size_t capacity) {
  std::vector<Slot> old(capacity);
  old.swap(slots_);
  mask_ = capacity - 1;
  shift_ = 64 - std::countr_zero(capacity);
  for (const Slot& slot : old)
    if (slot.value != kNoIndex) slots_[slot_of(slot.key)] = slot;
}

std::size_t FlatIndex::slot_of(std::uint64_t key) const {
  std::size_t i = home(key);
  while (slots_[i].value != kNoIndex && slots_[i].key != key) i = (i + 1) & mask_;
  return i;
}

std::uint32_t FlatIndex::find(std::uint64_t key) const {
  return slots_[slot_of(key)].value;
}

bool FlatIndex::insert(std::uint64_t key, std::uint32_t value) {
  const std::size_t i = slot_of(key);
  if (slots_[i].value != kNoIndex) return false;
  if (2 * (size_ + 1) > slots_.size()) {
    resize(2 * slots_.size());
    slots_[slot_of(key)] = Slot{key, value};
  } else {
    slots_[i] = Slot{key, value};
  }
  ++size_;
  return true;
}

bool FlatIndex::erase(std::uint64_t key) {
  std::size_t hole = slot_of(key);
  if (slots_[hole].value == kNoIndex) return false;
  // Backward shift: pull later entries of the probe run into the hole when their home
  // allows it, so that no probe run is ever cut.
  for (std::size_t j = (hole + 1) & mask_; slots_[j].value != kNoIndex; j = (j + 1) & mask_) {
    const std::size_t from_home = (j - home(slots_[j].key)) & mask_;
    if (from_home >= ((j - hole) & mask_)) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole].value = kNoIndex;
  --size_;
  return true;
}

}  // namespace detail

KvCache::KvCache(std::uint32_t total_blocks, std::uint32_t block_tokens, bool prefix_caching)
    : total_blocks_(total_blocks),
      block_tokens_(block_tokens),
      prefix_caching_(prefix_caching),
      blocks_(total_blocks) {
  if (total_blocks == 0 || block_tokens == 0)
    throw std::invalid_argument("KvCache: total_blocks and block_tokens must be positive");
  free_.reserve(total_blocks);
  // A stack popped from the back: block 0 is handed out first.
  for (std::uint32_t b = total_blocks; b-- > 0;) free_.push_back(b);
  std::size_t capacity = 16;
  while (capacity < (prefix_caching ? 2 * std::size_t{total_blocks} : 0)) capacity *= 2;
  index_.resize(capacity);
  index_mask_ = capacity - 1;
  index_shift_ = 32 - std::countr_zero(capacity);
}

void KvCache::extend_keys(std::span<const std::uint64_t> hashes, std::size_t n,
                          bool prefetch) const {
  std::uint64_t key = keys_.empty() ? 0 : keys_.back();
  for (std::size_t i = keys_.size(); i < n; ++i) {
    keys_.push_back(key = chain_key(key, hashes[i]));
    if (prefetch) index_prefetch(key);
  }
}

std::uint32_t KvCache::match_prefix(std::uint32_t prompt_tokens,
                                    std::span<const std::uint64_t> hashes) const {
  hits_.clear();
  keys_.clear();
  if (!prefix_caching_ || prompt_tokens == 0) return 0;
  const std::size_t limit =
      std::min<std::size_t>(hashes.size(), (prompt_tokens - 1) / block_tokens_);
  for (std::size_t i = 0; i < limit; ++i) {
    extend_keys(hashes, std::min(limit, i + kSlotAhead), true);
    const std::uint32_t block = index_find(keys_[i]);
    if (block == detail::kNoIndex) break;
    hits_.push_back(block);
  }
  return static_cast<std::uint32_t>(hits_.size());
}

std::uint32_t KvCache::cached_prefix_tokens(std::uint32_t prompt_tokens,
                                            std::span<const std::uint64_t> block_hashes) const {
  return match_prefix(prompt_tokens, block_hashes) * block_tokens_;
}

AdmitResult KvCache::try_admit(SeqId seq, std::uint32_t prompt_tokens,
                               std::span<const std::uint64_t> block_hashes,
                               std::uint32_t reserve_blocks) {
  if (block_hashes.size() > prompt_tokens / block_tokens_)
    throw std::invalid_argument("KvCache::try_admit: " + std::to_string(block_hashes.size()) +
                                " block hashes for a prompt of " + std::to_string(prompt_tokens) +
                                " tokens (" + std::to_string(prompt_tokens / block_tokens_) +
                                " full blocks)");
  if (holds(seq))
    throw std::logic_error("KvCache::try_admit: sequence " + std::to_string(seq) +
                           " already holds blocks");
  const std::uint32_t hits = match_prefix(prompt_tokens, block_hashes);
  std::uint32_t cached_hits = 0;  // hits in the LRU queue: admitting takes them out
  for (const std::uint32_t b : hits_) cached_hits += blocks_[b].refs == 0;
  const std::uint32_t needed = blocks_for(prompt_tokens) - hits;
  const std::uint64_t available = free_blocks() - cached_hits;
  if (std::uint64_t{needed} + reserve_blocks > available) return {};

  std::uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  seq_slot_.insert(seq, slot);
  SeqBlocks& s = slots_[slot];
  s.blocks.clear();
  s.computed_blocks = hits;
  s.blocks.reserve(hits + needed);
  // The hits first, so that the allocations below cannot evict them.
  for (const std::uint32_t b : hits_) {
    Block& block = blocks_[b];
    if (block.refs++ == 0) {  // cached: its queue entry goes stale
      block.state = kIndexed;
      --cached_count_;
    }
    s.blocks.push_back(b);
  }
  take_blocks(needed, s.blocks);
  if (prefix_caching_) extend_keys(block_hashes, block_hashes.size(), false);
  for (std::uint32_t i = hits; i < hits + needed; ++i) {
    Block& block = blocks_[s.blocks[i]];
    block.refs = 1;
    if (i < keys_.size()) block.key = keys_[i];  // keys_ is empty without prefix caching
  }
  return {true, hits, hits * block_tokens_};
}

void KvCache::mark_computed(SeqId seq, std::uint32_t tokens) {
  SeqBlocks& s = seq_blocks(seq);
  const std::uint32_t full =
      std::min<std::uint32_t>(tokens / block_tokens_, static_cast<std::uint32_t>(s.blocks.size()));
  for (; s.computed_blocks < full; ++s.computed_blocks) {
    const std::uint32_t i = s.computed_blocks;
    if (i + kBlockAhead < full) __builtin_prefetch(&blocks_[s.blocks[i + kBlockAhead]]);
    if (i + kSlotAhead < full) index_prefetch(blocks_[s.blocks[i + kSlotAhead]].key);
    Block& block = blocks_[s.blocks[i]];
    if (block.key == 0 || block.state != kPlain) continue;
    if (index_insert(block.key, s.blocks[i])) {
      block.state = kIndexed;
      ++epoch_;
    } else {
      block.key = 0;  // the same prefix is resident in another block already
    }
  }
}

bool KvCache::try_append(SeqId seq, std::uint32_t total_tokens) {
  SeqBlocks& s = seq_blocks(seq);
  const std::uint32_t target = blocks_for(total_tokens);
  const auto held = static_cast<std::uint32_t>(s.blocks.size());
  if (target <= held) return true;
  if (target - held > free_blocks()) return false;
  take_blocks(target - held, s.blocks);
  for (std::uint32_t i = held; i < target; ++i) blocks_[s.blocks[i]].refs = 1;
  return true;
}

void KvCache::release(SeqId seq) {
  const std::uint32_t slot = seq_slot_.find(seq);
  if (slot == detail::kNoIndex)
    throw std::logic_error("KvCache::release: sequence " + std::to_string(seq) +
                           " holds no blocks");
  SeqBlocks& s = slots_[slot];
  // Last block first: it lands nearest the LRU head, so it is evicted before the blocks
  // of the same prefix that come before it.
  for (auto b = s.blocks.rbegin(); b != s.blocks.rend(); ++b) {
    if (s.blocks.rend() - b > static_cast<std::ptrdiff_t>(kBlockAhead))
      __builtin_prefetch(&blocks_[b[kBlockAhead]]);
    Block& block = blocks_[*b];
    if (--block.refs > 0) continue;
    if (block.state == kIndexed) {
      cache_block(*b);
    } else {
      block.key = 0;
      free_.push_back(*b);
    }
  }
  s.blocks.clear();
  free_slots_.push_back(slot);
  seq_slot_.erase(seq);
  ++epoch_;
}

std::uint32_t KvCache::blocks_of(SeqId seq) const {
  const std::uint32_t slot = seq_slot_.find(seq);
  return slot == detail::kNoIndex ? 0 : static_cast<std::uint32_t>(slots_[slot].blocks.size());
}

void KvCache::take_blocks(std::uint32_t n, std::vector<std::uint32_t>& out) {
  for (; n > 0 && !free_.empty(); --n) {
    out.push_back(free_.back());
    free_.pop_back();
  }
  evictions_ += n;
  cached_count_ -= n;
  // Evict the n least recently cached blocks.
  std::size_t i = lru_head_;
  for (; n > 0; ++i) {
    if (i + kBlockAhead < lru_.size()) __builtin_prefetch(&blocks_[lru_[i + kBlockAhead]]);
    if (i + kSlotAhead < lru_.size()) index_prefetch(blocks_[lru_[i + kSlotAhead]].key);
    const std::uint32_t b = lru_[i];
    Block& block = blocks_[b];
    if (block.state != i) continue;  // stale: reused since
    index_erase(block.key, b);
    block.key = 0;
    block.state = kPlain;
    out.push_back(b);
    --n;
  }
  lru_head_ = i;
}

void KvCache::cache_block(std::uint32_t b) {
  if (lru_.size() >= 2 * std::size_t{cached_count_} + 1024) compact_lru();
  blocks_[b].state = static_cast<std::uint32_t>(lru_.size());
  lru_.push_back(b);
  ++cached_count_;
}

void KvCache::compact_lru() {
  // Keeps the live entries in order; at least half of the queue goes, so the cost is O(1)
  // amortised per cached block.
  std::size_t out = 0;
  for (std::size_t i = lru_head_; i < lru_.size(); ++i) {
    const std::uint32_t b = lru_[i];
    if (blocks_[b].state != i) continue;
    blocks_[b].state = static_cast<std::uint32_t>(out);
    lru_[out++] = b;
  }
  lru_.resize(out);
  lru_head_ = 0;
}

KvCache::SeqBlocks& KvCache::seq_blocks(SeqId seq) {
  const std::uint32_t slot = seq_slot_.find(seq);
  if (slot == detail::kNoIndex)
    throw std::logic_error("KvCache: sequence " + std::to_string(seq) + " holds no blocks");
  return slots_[slot];
}

std::uint32_t KvCache::index_find(std::uint64_t key) const {
  const std::uint32_t tag = key_tag(key);
  for (std::size_t i = tag_home(tag);; i = (i + 1) & index_mask_) {
    const IndexSlot& slot = index_[i];
    if (slot.block == detail::kNoIndex) return detail::kNoIndex;
    if (slot.tag == tag && blocks_[slot.block].key == key) return slot.block;
  }
}

bool KvCache::index_insert(std::uint64_t key, std::uint32_t block) {
  const std::uint32_t tag = key_tag(key);
  for (std::size_t i = tag_home(tag);; i = (i + 1) & index_mask_) {
    IndexSlot& slot = index_[i];
    if (slot.block == detail::kNoIndex) {
      slot = IndexSlot{tag, block};
      return true;
    }
    if (slot.tag == tag && blocks_[slot.block].key == key) return false;
  }
}

void KvCache::index_erase(std::uint64_t key, std::uint32_t block) {
  std::size_t hole = tag_home(key_tag(key));
  while (index_[hole].block != block) hole = (hole + 1) & index_mask_;
  // Backward shift: pull later entries of the probe run into the hole when their home allows
  // it, so that no probe run is ever cut.
  for (std::size_t j = (hole + 1) & index_mask_; index_[j].block != detail::kNoIndex;
       j = (j + 1) & index_mask_) {
    if (((j - tag_home(index_[j].tag)) & index_mask_) >= ((j - hole) & index_mask_)) {
      index_[hole] = index_[j];
      hole = j;
    }
  }
  index_[hole].block = detail::kNoIndex;
}

}  // namespace suanli::serving
