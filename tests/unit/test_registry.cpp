// The registry template every registry is made of, and its unknown-name message.
#include <doctest/doctest.h>

#include <string_view>

#include "suanli/common/registry.hpp"
#include "suanli/sched/policy.hpp"

namespace {

struct Thing {
  std::string_view name;
  int value;
};

const suanli::Registry<Thing> kThings = {{"fifo", 1}, {"sjf", 2}, {"easy", 3}};

}  // namespace

TEST_CASE("a registry finds its entries by name, in registration order") {
  REQUIRE(kThings.find("sjf") != nullptr);
  CHECK(kThings.find("sjf")->value == 2);
  CHECK(kThings.find("SJF") == nullptr);
  CHECK(kThings.find("") == nullptr);
  CHECK(kThings.names() == std::vector<std::string_view>{"fifo", "sjf", "easy"});
  CHECK(kThings.known() == "fifo, sjf, easy");
  CHECK(kThings.entries().size() == 3);
}

TEST_CASE("an unknown name lists the known ones and suggests a close one") {
  CHECK(kThings.unknown_message("policy", "lifo") ==
        "unknown policy 'lifo' (known: fifo, sjf, easy); did you mean 'fifo'?");
  CHECK(kThings.unknown_message("policy", "esay") ==
        "unknown policy 'esay' (known: fifo, sjf, easy); did you mean 'easy'?");
  // Nothing close: no suggestion.
  CHECK(kThings.unknown_message("policy", "round-robin") ==
        "unknown policy 'round-robin' (known: fifo, sjf, easy)");
  // A one-letter name is never "one typo away" from everything.
  CHECK(kThings.unknown_message("policy", "x") == "unknown policy 'x' (known: fifo, sjf, easy)");
}

TEST_CASE("the policy registry is one of them") {
  const auto& r = suanli::sched::policy_registry();
  CHECK(&r.entries() == &suanli::sched::policies());
  CHECK(suanli::sched::find_policy("fifo") == r.find("fifo"));
  CHECK(r.unknown_message("policy", "fifi") ==
        "unknown policy 'fifi' (known: fifo, sjf, easy, greedy, conservative, srtf, las, tiresias, "
        "themis, "
        "qssf, gavel, gavel-max-throughput, carbon-aware); did you mean 'fifo'?");
}
