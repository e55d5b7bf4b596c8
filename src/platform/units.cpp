#include "suanli/platform/units.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <span>
#include <stdexcept>
#include <string>
#include <system_error>

namespace suanli::platform {
namespace {

struct Unit {
  std::string_view name;
  double factor;  // multiplier to the SI base unit
};

// Case matters: "Gbps" is bits, "GBps" is bytes. Both spellings of kilo are common in
// vendor sheets, so both are accepted; every other prefix is upper-case only.
constexpr std::array kBandwidthUnits{
    Unit{"bps", 1.0 / 8},  Unit{"Kbps", 1e3 / 8},  Unit{"kbps", 1e3 / 8}, Unit{"Mbps", 1e6 / 8},
    Unit{"Gbps", 1e9 / 8}, Unit{"Tbps", 1e12 / 8}, Unit{"Bps", 1.0},      Unit{"KBps", 1e3},
    Unit{"kBps", 1e3},     Unit{"MBps", 1e6},      Unit{"GBps", 1e9},     Unit{"TBps", 1e12},
};
constexpr std::string_view kBandwidthExpected =
    "bps, Kbps, Mbps, Gbps, Tbps, Bps, KBps, MBps, GBps, TBps";

constexpr std::array kDurationUnits{
    Unit{"ns", 1e-9},
    Unit{"us", 1e-6},
    Unit{"ms", 1e-3},
    Unit{"s", 1.0},
};
constexpr std::string_view kDurationExpected = "ns, us, ms, s";

constexpr std::array kPowerUnits{
    Unit{"W", 1.0},
    Unit{"kW", 1e3},
    Unit{"MW", 1e6},
};
constexpr std::string_view kPowerExpected = "W, kW, MW";

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// "<number>[ ]<unit>" -> number x unit factor. `quantity` names what is parsed in messages.
double parse_quantity(std::string_view original, std::string_view quantity,
                      std::span<const Unit> units, std::string_view expected) {
  const std::string_view text = trim(original);
  const std::string shown(text);
  const std::string expect = " (expected " + std::string(expected) + ")";
  if (text.empty())
    throw std::invalid_argument("empty " + std::string(quantity) +
                                ": expected a number followed by a unit" + expect);

  double value = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  const auto [end, ec] = std::from_chars(first, last, value);
  if (ec == std::errc::result_out_of_range)
    throw std::invalid_argument(std::string(quantity) + " '" + shown + "' is out of range");
  if (ec != std::errc() || !std::isfinite(value))
    throw std::invalid_argument("'" + shown + "' is not a " + std::string(quantity) +
                                ": expected a number followed by a unit" + expect);
  if (value < 0)
    throw std::invalid_argument("negative " + std::string(quantity) + " '" + shown + "'");

  const std::string_view unit = trim(std::string_view(end, static_cast<size_t>(last - end)));
  if (unit.empty())
    throw std::invalid_argument("missing " + std::string(quantity) + " unit in '" + shown + "'" +
                                expect);
  for (const Unit& u : units)
    if (u.name == unit) return value * u.factor;
  throw std::invalid_argument("unknown " + std::string(quantity) + " unit '" + std::string(unit) +
                              "' in '" + shown + "'" + expect);
}

}  // namespace

double parse_bandwidth(std::string_view text) {
  return parse_quantity(text, "bandwidth", kBandwidthUnits, kBandwidthExpected);
}

double parse_duration(std::string_view text) {
  return parse_quantity(text, "duration", kDurationUnits, kDurationExpected);
}

double parse_power(std::string_view text) {
  return parse_quantity(text, "power", kPowerUnits, kPowerExpected);
}

}  // namespace suanli::platform
