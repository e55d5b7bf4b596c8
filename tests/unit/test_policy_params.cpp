// --policy-param KEY=VALUE: a policy's declared keys, their defaults, and the one-line errors
// for an unknown key or a bad value.
#include <doctest/doctest.h>

#include <array>
#include <string>

#include "suanli/common/input_error.hpp"
#include "suanli/sched/policy.hpp"
#include "suanli/sched/policy_params.hpp"
#include "test_support.hpp"

using namespace suanli;
using namespace suanli::sched;

namespace {

constexpr std::array<ParamSpec, 3> kSpecs{{
    {.key = "thresholds", .default_value = "3600", .help = "queue limits", .min = 0, .list = true},
    {.key = "queues",
     .default_value = "2",
     .help = "how many",
     .min = 1,
     .max = 16,
     .integer = true},
    {.key = "weight", .default_value = "0.5", .help = "a share", .min = 0, .max = 1},
}};

std::string error_of(const ParamValues& values) {
  return suanli::testing::input_error_of([&] { PolicyParams("toy", kSpecs, values); }, "params");
}

}  // namespace

TEST_CASE("policy params: defaults, overrides, lists") {
  const PolicyParams defaults("toy", kSpecs, {});
  CHECK(defaults.number("queues") == 2);
  CHECK(defaults.numbers("thresholds") == std::vector<double>{3600});
  const PolicyParams set("toy", kSpecs,
                         {{"thresholds", "100:2000:30000"}, {"weight", "1"}, {"weight", "0.25"}});
  CHECK(set.numbers("thresholds") == std::vector<double>{100, 2000, 30000});
  CHECK(set.number("weight") == 0.25);  // the last one given
  CHECK_THROWS_AS(set.number("nope"), std::logic_error);
}

TEST_CASE("policy params: an unknown key or a bad value is one line naming the key") {
  CHECK(error_of({{"wieght", "1"}}) ==
        "--policy-param wieght: policy toy has no such key (its keys: thresholds, queues, "
        "weight); did you mean 'weight'?");
  CHECK(error_of({{"queues", "x"}}) == "--policy-param queues: 'x' is not a number (policy toy)");
  CHECK(error_of({{"queues", "2.5"}}) ==
        "--policy-param queues: '2.5' is not a whole number (policy toy)");
  CHECK(error_of({{"queues", "17"}}) ==
        "--policy-param queues: 17 is out of range [1, 16] (policy toy)");
  CHECK(error_of({{"weight", "nan"}}) ==
        "--policy-param weight: 'nan' is not a number (policy toy)");
  CHECK(error_of({{"thresholds", "500:100"}}) ==
        "--policy-param thresholds: '500:100': the numbers must be ascending (policy toy)");
  CHECK(error_of({{"thresholds", "500:"}}) ==
        "--policy-param thresholds: '' is not a number (policy toy)");
  CHECK(suanli::testing::input_error_of([] { parse_param_assignment("queues"); }, "kv") ==
        "--policy-param: 'queues': expected KEY=VALUE");
  CHECK(suanli::testing::input_error_of([] { parse_param_assignment("=3"); }, "kv") ==
        "--policy-param: '=3': expected KEY=VALUE");
}

TEST_CASE("policy params: the bundled policies check theirs when made") {
  CHECK(make_policy("fifo") != nullptr);
  CHECK(suanli::testing::input_error_of(
            [] {
              make_policy("fifo", {{"x", "1"}});
            },
            "fifo") == "--policy-param x: policy fifo has no such key (its keys: (none))");
  CHECK(suanli::testing::input_error_of([] { make_policy("fifi"); }, "fifi") ==
        "unknown policy 'fifi' (known: " + policy_registry().known() + "); did you mean 'fifo'?");
}
