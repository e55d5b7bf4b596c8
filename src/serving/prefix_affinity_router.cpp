// prefix-affinity: requests whose prompts start with the same block go to the replica that
// last served that block, where its KV is likely still cached (the idea of SGLang's
// cache-aware router and Llumnix's locality, reduced to the first block). The memory is a
// bounded map from first-block hash to replica, least recently used entry forgotten first.
// A request without a full block, a hash not remembered, a remembered replica that is not
// accepting, or one loaded beyond load_factor * least + slack goes to least-tokens instead;
// either way the map then remembers the replica chosen.
#include <stdexcept>
#include <vector>

#include "suanli/serving/router.hpp"

namespace suanli::serving {
namespace {

// A map of at most `capacity` entries; O(1) find and put, least recently used forgotten first
// (a doubly linked list threaded through the node array).
class BoundedLruMap {
 public:
  explicit BoundedLruMap(std::size_t capacity) : capacity_(capacity), index_(capacity) {
    if (capacity == 0) throw std::invalid_argument("prefix-affinity: capacity must be positive");
  }

  // The value for `key` (marked as just used), or -1.
  int find(std::uint64_t key) {
    const std::uint32_t n = index_.find(key);
    if (n == detail::kNoIndex) return -1;
    unlink(n);
    push_back(n);
    return nodes_[n].value;
  }

  // Sets the value (the key must have just been looked up by find, so it is the most recent
  // if present).
  void put(std::uint64_t key, int value) {
    std::uint32_t n = index_.find(key);
    if (n == detail::kNoIndex) {
      if (nodes_.size() < capacity_) {
        n = static_cast<std::uint32_t>(nodes_.size());
        nodes_.push_back(Node{});
      } else {  // reuse the least recently used node
        n = head_;
        unlink(n);
        index_.erase(nodes_[n].key);
      }
      nodes_[n].key = key;
      index_.insert(key, n);
      push_back(n);
    }
    nodes_[n].value = value;
  }

 private:
  struct Node {
    std::uint64_t key = 0;
    int value = 0;
    std::uint32_t prev = detail::kNoIndex, next = detail::kNoIndex;
  };

  void unlink(std::uint32_t n) {
    const Node& node = nodes_[n];
    (node.prev == detail::kNoIndex ? head_ : nodes_[node.prev].next) = node.next;
    (node.next == detail::kNoIndex ? tail_ : nodes_[node.next].prev) = node.prev;
  }
  void push_back(std::uint32_t n) {
    nodes_[n].prev = tail_;
    nodes_[n].next = detail::kNoIndex;
    (tail_ == detail::kNoIndex ? head_ : nodes_[tail_].next) = n;
    tail_ = n;
  }

  std::size_t capacity_;
  detail::FlatIndex index_;  // key -> node
  std::vector<Node> nodes_;
  std::uint32_t head_ = detail::kNoIndex, tail_ = detail::kNoIndex;  // least / most recent
};

class PrefixAffinityRouter final : public Router {
 public:
  explicit PrefixAffinityRouter(const RouterOptions& options)
      : last_(options.affinity_capacity),
        factor_(options.affinity_load_factor),
        slack_(options.affinity_slack_tokens) {
    if (!(factor_ >= 1))
      throw std::invalid_argument("prefix-affinity: affinity_load_factor must be >= 1");
  }

  int choose(const RouteRequest& request, std::span<const ReplicaLoad> replicas) override {
    const int least = least_tokens_replica(replicas);
    if (least < 0 || request.block_hashes.empty()) return least;
    const std::uint64_t first = request.block_hashes.front();
    int chosen = last_.find(first);
    if (chosen < 0 || static_cast<std::size_t>(chosen) >= replicas.size() ||
        !replicas[chosen].accepting ||
        static_cast<double>(replicas[chosen].outstanding_tokens) >
            factor_ * static_cast<double>(replicas[least].outstanding_tokens) +
                static_cast<double>(slack_))
      chosen = least;
    last_.put(first, chosen);
    return chosen;
  }

 private:
  BoundedLruMap last_;  // first-block hash -> replica that last served it
  double factor_;
  std::uint64_t slack_;
};

}  // namespace

std::unique_ptr<Router> make_prefix_affinity_router(const RouterOptions& options) {
  return std::make_unique<PrefixAffinityRouter>(options);
}

}  // namespace suanli::serving
