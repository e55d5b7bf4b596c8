// The routers: the registry, round-robin, least-tokens, power-of-two (determinism, distinct
// uniform pairs) and prefix-affinity (stickiness, the load bound, the bounded memory).
#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "suanli/serving/router.hpp"

using namespace suanli::serving;
using Hashes = std::vector<std::uint64_t>;
using Loads = std::vector<ReplicaLoad>;

namespace {

std::unique_ptr<Router> make(std::string_view name, const RouterOptions& options = {}) {
  const RouterEntry* entry = find_router(name);
  REQUIRE(entry != nullptr);
  return entry->make(options);
}

// Replicas with these outstanding tokens, all accepting.
Loads loads(std::initializer_list<std::uint64_t> tokens) {
  Loads out;
  for (const std::uint64_t t : tokens) out.push_back(ReplicaLoad{t, 0, 0, 0.0, true});
  return out;
}

RouteRequest request(const Hashes& hashes) {
  return RouteRequest{0, 1000, hashes};
}

}  // namespace

TEST_CASE("router registry lists round-robin, least-tokens, power-of-two, prefix-affinity") {
  std::vector<std::string_view> names;
  for (const RouterEntry& e : routers()) {
    names.push_back(e.name);
    CHECK_FALSE(e.description.empty());
    CHECK(e.make(RouterOptions{}) != nullptr);
  }
  CHECK(names == std::vector<std::string_view>{"round-robin", "least-tokens", "power-of-two",
                                               "prefix-affinity"});
  CHECK(find_router("nope") == nullptr);
}

TEST_CASE("router: every router returns -1 when no replica accepts") {
  Loads none = loads({5, 0});
  for (ReplicaLoad& l : none) l.accepting = false;
  for (const RouterEntry& e : routers()) {
    CAPTURE(e.name);
    CHECK(e.make(RouterOptions{})->choose(request({1}), none) == -1);
    CHECK(e.make(RouterOptions{})->choose(request({1}), Loads{}) == -1);
  }
}

TEST_CASE("round-robin: cycles through the accepting replicas") {
  auto router = make("round-robin");
  Loads l = loads({0, 0, 0});
  std::vector<int> chosen;
  for (int i = 0; i < 4; ++i) chosen.push_back(router->choose(request({}), l));
  CHECK(chosen == std::vector<int>{0, 1, 2, 0});
  l[2].accepting = false;
  chosen.clear();
  for (int i = 0; i < 4; ++i) chosen.push_back(router->choose(request({}), l));
  CHECK(chosen == std::vector<int>{1, 0, 1, 0});
}

TEST_CASE("least-tokens: fewest outstanding tokens, ties lowest index, skips non-accepting") {
  auto router = make("least-tokens");
  Loads l = loads({30, 10, 10, 20});
  CHECK(router->choose(request({}), l) == 1);
  l[1].accepting = false;
  CHECK(router->choose(request({}), l) == 2);
  CHECK(least_tokens_replica(l) == 2);
}

TEST_CASE("power-of-two: the less loaded of two distinct uniform draws, deterministic") {
  // Loads ranked 0 < 1 < 2 < 3 (least first). Of the 6 pairs, replica r wins those with a
  // more loaded partner: 3/6, 2/6, 1/6, 0/6.
  const Loads l = loads({5, 10, 20, 40});
  RouterOptions options;
  options.seed = 7;
  auto router = make("power-of-two", options);
  auto same = make("power-of-two", options);
  std::vector<int> wins(4, 0);
  const int draws = 60000;
  for (int i = 0; i < draws; ++i) {
    const int r = router->choose(request({}), l);
    REQUIRE(r == same->choose(request({}), l));
    ++wins[r];
  }
  CHECK(wins[3] == 0);
  CHECK(wins[0] / double(draws) == doctest::Approx(3 / 6.0).epsilon(0.03));
  CHECK(wins[1] / double(draws) == doctest::Approx(2 / 6.0).epsilon(0.03));
  CHECK(wins[2] / double(draws) == doctest::Approx(1 / 6.0).epsilon(0.03));

  // Two replicas: always both drawn, so always the less loaded; ties go to the lower index.
  auto two = make("power-of-two");
  for (int i = 0; i < 10; ++i) CHECK(two->choose(request({}), loads({9, 3})) == 1);
  for (int i = 0; i < 10; ++i) CHECK(two->choose(request({}), loads({4, 4})) == 0);
  // One accepting replica: that one.
  Loads one = loads({0, 100});
  one[0].accepting = false;
  CHECK(two->choose(request({}), one) == 1);

  // Another seed, another sequence.
  options.seed = 8;
  auto other = make("power-of-two", options);
  auto again = make("power-of-two", RouterOptions{7});
  const Loads eight = loads({1, 2, 3, 4, 5, 6, 7, 8});
  int differ = 0;
  for (int i = 0; i < 100; ++i)
    differ += other->choose(request({}), eight) != again->choose(request({}), eight);
  CHECK(differ > 0);
}

TEST_CASE("prefix-affinity: sticks to the replica that last served the first block") {
  RouterOptions options;
  options.affinity_load_factor = 2.0;
  options.affinity_slack_tokens = 100;
  auto router = make("prefix-affinity", options);
  // Unknown prefix: least-tokens (replica 1), remembered.
  CHECK(router->choose(request({42, 1}), loads({50, 10, 30})) == 1);
  // Same first block, other blocks after it: replica 1 although 2 is now less loaded, as long
  // as 1 holds at most 2 * 0 + 100 tokens.
  CHECK(router->choose(request({42, 9}), loads({50, 100, 0})) == 1);
  // Beyond the bound: least-tokens, and the prefix now belongs to replica 2.
  CHECK(router->choose(request({42}), loads({50, 101, 0})) == 2);
  CHECK(router->choose(request({42}), loads({100, 100, 300})) == 2);  // 300 <= 2 * 100 + 100
  CHECK(router->choose(request({42}), loads({100, 100, 301})) == 0);
  // A remembered replica that does not accept: least-tokens.
  Loads draining = loads({0, 0, 0});
  draining[0].accepting = false;
  CHECK(router->choose(request({42}), draining) == 1);
  // No full block: least-tokens, nothing remembered.
  CHECK(router->choose(request({}), loads({7, 3, 5})) == 1);
  // Another first block is another prefix.
  CHECK(router->choose(request({43}), loads({0, 50, 50})) == 0);
  CHECK(router->choose(request({42}), loads({0, 50, 50})) == 1);
}

TEST_CASE("prefix-affinity: the memory is bounded and forgets the least recently used") {
  RouterOptions options;
  options.affinity_capacity = 2;
  auto router = make("prefix-affinity", options);
  CHECK(router->choose(request({1}), loads({5, 0})) == 1);  // a -> 1
  CHECK(router->choose(request({2}), loads({0, 5})) == 0);  // b -> 0
  CHECK(router->choose(request({3}), loads({0, 5})) == 0);  // c -> 0, a forgotten
  CHECK(router->choose(request({2}), loads({5, 0})) == 0);  // b remembered (5 <= slack)
  CHECK(router->choose(request({1}), loads({0, 5})) == 0);  // a: least-tokens again
}

TEST_CASE("prefix-affinity: bad options throw") {
  RouterOptions options;
  options.affinity_capacity = 0;
  CHECK_THROWS_AS(make("prefix-affinity", options), std::invalid_argument);
  options.affinity_capacity = 4;
  options.affinity_load_factor = 0.5;
  CHECK_THROWS_AS(make("prefix-affinity", options), std::invalid_argument);
}
