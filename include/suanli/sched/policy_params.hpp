#pragma once
// A policy's knobs, set without recompiling (--policy-param KEY=VALUE): each policy declares
// its keys (name, default, range, help) in its registry entry, and reads them, checked, when
// it is made. Values are numbers, or lists of numbers separated by ':' (Tiresias's queue
// thresholds). Unknown keys and bad values are InputErrors that name the key and list the
// policy's keys, so a typo never runs silently with the default.
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace suanli::sched {

struct ParamSpec {
  std::string_view key;
  std::string_view default_value;  // as it would be written after KEY=
  std::string_view help;           // one line, for --help and docs/policies.md
  double min = 0;                  // every number of the value must lie in [min, max]
  double max = 1e300;
  bool integer = false;  // whole numbers only
  bool list = false;     // ':'-separated numbers, ascending
};

// KEY=VALUE pairs as given on the command line, in order; a later pair overrides an earlier
// one for the same key.
using ParamValues = std::vector<std::pair<std::string, std::string>>;

// Splits "KEY=VALUE"; InputError "--policy-param: 'x': expected KEY=VALUE" otherwise.
std::pair<std::string, std::string> parse_param_assignment(std::string_view text);

class PolicyParams {
 public:
  PolicyParams() = default;
  // Checks `values` against `specs`: an unknown key or a bad value throws InputError
  // "--policy-param KEY: ... (policy <name> has: k1, k2)". Keys not given take their default.
  PolicyParams(std::string_view policy, std::span<const ParamSpec> specs,
               const ParamValues& values);

  // The value of a declared key (the policy's own keys only: std::logic_error otherwise).
  double number(std::string_view key) const;
  std::vector<double> numbers(std::string_view key) const;

 private:
  const std::vector<double>& find(std::string_view key) const;

  std::vector<std::pair<std::string_view, std::vector<double>>> values_;
};

// "k1, k2" or "(none)": the keys of a policy, for messages.
std::string param_keys(std::span<const ParamSpec> specs);

}  // namespace suanli::sched
