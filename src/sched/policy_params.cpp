#include "suanli/sched/policy_params.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "suanli/common/csv_util.hpp"
#include "suanli/common/input_error.hpp"
#include "suanli/common/names.hpp"

namespace suanli::sched {

namespace {

// The numbers of `text` as `spec` allows them; InputError naming the key otherwise.
std::vector<double> parse_value(std::string_view policy, const ParamSpec& spec,
                                std::string_view text) {
  const auto fail = [&](const std::string& what) {
    throw InputError(fmt::format("--policy-param {}: {} (policy {})", spec.key, what, policy));
  };
  std::vector<double> numbers;
  std::size_t at = 0;
  while (true) {
    const std::size_t colon = spec.list ? text.find(':', at) : std::string_view::npos;
    const std::string_view part =
        text.substr(at, colon == std::string_view::npos ? colon : colon - at);
    double value = 0;
    if (!parse_double(part, value) || !std::isfinite(value))
      fail(fmt::format("'{}' is not a number", part));
    if (spec.integer && value != std::floor(value))
      fail(fmt::format("'{}' is not a whole number", part));
    if (value < spec.min || value > spec.max)
      fail(fmt::format("{} is out of range [{:g}, {:g}]", part, spec.min, spec.max));
    if (!numbers.empty() && value <= numbers.back())
      fail(fmt::format("'{}': the numbers must be ascending", text));
    numbers.push_back(value);
    if (colon == std::string_view::npos) break;
    at = colon + 1;
  }
  return numbers;
}

}  // namespace

std::pair<std::string, std::string> parse_param_assignment(std::string_view text) {
  const std::size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == text.size())
    throw InputError(fmt::format("--policy-param: '{}': expected KEY=VALUE", text));
  return {std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

std::string param_keys(std::span<const ParamSpec> specs) {
  if (specs.empty()) return "(none)";
  std::vector<std::string_view> keys;
  for (const ParamSpec& s : specs) keys.push_back(s.key);
  return join_names(keys);
}

PolicyParams::PolicyParams(std::string_view policy, std::span<const ParamSpec> specs,
                           const ParamValues& values) {
  std::vector<std::string_view> keys;
  for (const ParamSpec& s : specs) keys.push_back(s.key);
  for (const auto& [key, value] : values) {
    bool known = false;
    for (const ParamSpec& s : specs) known = known || s.key == key;
    if (!known)
      throw InputError(fmt::format("--policy-param {}: policy {} has no such key (its keys: {}){}",
                                   key, policy, param_keys(specs), did_you_mean(key, keys)));
  }
  for (const ParamSpec& s : specs) {
    std::string_view text = s.default_value;
    for (const auto& [key, value] : values)
      if (key == s.key) text = value;
    values_.emplace_back(s.key, parse_value(policy, s, text));
  }
}

const std::vector<double>& PolicyParams::find(std::string_view key) const {
  for (const auto& [k, v] : values_)
    if (k == key) return v;
  throw std::logic_error("policy parameter '" + std::string(key) + "' is not declared");
}

double PolicyParams::number(std::string_view key) const {
  return find(key).front();
}

std::vector<double> PolicyParams::numbers(std::string_view key) const {
  return find(key);
}

}  // namespace suanli::sched
