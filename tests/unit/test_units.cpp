#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include "suanli/platform/units.hpp"

using namespace suanli::platform;

namespace {

// The message of the std::invalid_argument thrown by `f`, or "" if none was thrown.
template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("parse_bandwidth: bit units divide by 8, decimal prefixes") {
  CHECK(parse_bandwidth("8bps") == doctest::Approx(1.0));
  CHECK(parse_bandwidth("8Kbps") == doctest::Approx(1e3));
  CHECK(parse_bandwidth("8kbps") == doctest::Approx(1e3));
  CHECK(parse_bandwidth("8Mbps") == doctest::Approx(1e6));
  CHECK(parse_bandwidth("200Gbps") == doctest::Approx(25e9));
  CHECK(parse_bandwidth("1.6Tbps") == doctest::Approx(200e9));
}

TEST_CASE("parse_bandwidth: byte units, decimal prefixes") {
  CHECK(parse_bandwidth("1Bps") == doctest::Approx(1.0));
  CHECK(parse_bandwidth("1KBps") == doctest::Approx(1e3));
  CHECK(parse_bandwidth("1kBps") == doctest::Approx(1e3));
  CHECK(parse_bandwidth("1MBps") == doctest::Approx(1e6));
  CHECK(parse_bandwidth("600GBps") == doctest::Approx(600e9));
  CHECK(parse_bandwidth("2TBps") == doctest::Approx(2e12));
}

TEST_CASE("parse_bandwidth: bits and bytes differ by exactly 8") {
  CHECK(parse_bandwidth("8Gbps") == doctest::Approx(parse_bandwidth("1GBps")));
}

TEST_CASE("parse_bandwidth: optional space, surrounding blanks, exponent, zero") {
  CHECK(parse_bandwidth("400 Gbps") == doctest::Approx(50e9));
  CHECK(parse_bandwidth("  400Gbps ") == doctest::Approx(50e9));
  CHECK(parse_bandwidth("1e3Mbps") == doctest::Approx(125e6));
  CHECK(parse_bandwidth("0Gbps") == 0.0);
}

TEST_CASE("parse_bandwidth: unknown unit names the unit, the text and the accepted units") {
  CHECK(error_of([] { parse_bandwidth("200Gbit"); }) ==
        "unknown bandwidth unit 'Gbit' in '200Gbit' (expected bps, Kbps, Mbps, Gbps, Tbps, Bps, "
        "KBps, MBps, GBps, TBps)");
  // Prefixes are case-sensitive except kilo: "gbps" is a typo, not Gbps.
  CHECK(error_of([] { parse_bandwidth("200gbps"); }).find("unknown bandwidth unit 'gbps'") == 0);
}

TEST_CASE("parse_bandwidth: missing unit, negative, non-numeric, empty") {
  CHECK(error_of([] { parse_bandwidth("200"); }).find("missing bandwidth unit in '200'") == 0);
  CHECK(error_of([] { parse_bandwidth("-5Gbps"); }) == "negative bandwidth '-5Gbps'");
  CHECK(error_of([] { parse_bandwidth("fastGbps"); }).find("'fastGbps' is not a bandwidth") == 0);
  CHECK(error_of([] { parse_bandwidth("infGbps"); }).find("is not a bandwidth") !=
        std::string::npos);
  CHECK(error_of([] { parse_bandwidth(""); }).find("empty bandwidth") == 0);
  CHECK(error_of([] { parse_bandwidth("+5Gbps"); }).find("is not a bandwidth") !=
        std::string::npos);
}

TEST_CASE("parse_duration: ns, us, ms, s") {
  CHECK(parse_duration("5ns") == doctest::Approx(5e-9));
  CHECK(parse_duration("2us") == doctest::Approx(2e-6));
  CHECK(parse_duration("1.5 ms") == doctest::Approx(1.5e-3));
  CHECK(parse_duration("3s") == doctest::Approx(3.0));
  CHECK(parse_duration("0s") == 0.0);
}

TEST_CASE("parse_duration: errors") {
  CHECK(error_of([] { parse_duration("2"); }) ==
        "missing duration unit in '2' (expected ns, us, ms, s)");
  CHECK(error_of([] { parse_duration("2min"); }) ==
        "unknown duration unit 'min' in '2min' (expected ns, us, ms, s)");
  CHECK(error_of([] { parse_duration("-1ms"); }) == "negative duration '-1ms'");
  CHECK(error_of([] { parse_duration("soon"); }).find("'soon' is not a duration") == 0);
}

TEST_CASE("parse_power: W, kW, MW") {
  CHECK(parse_power("400W") == doctest::Approx(400.0));
  CHECK(parse_power("1.5kW") == doctest::Approx(1500.0));
  CHECK(parse_power("2 MW") == doctest::Approx(2e6));
}

TEST_CASE("parse_power: errors") {
  CHECK(error_of([] { parse_power("400"); }) == "missing power unit in '400' (expected W, kW, MW)");
  CHECK(error_of([] { parse_power("1KW"); }) ==
        "unknown power unit 'KW' in '1KW' (expected W, kW, MW)");
  CHECK(error_of([] { parse_power("-3W"); }) == "negative power '-3W'");
  CHECK(error_of([] { parse_power("lotsW"); }).find("'lotsW' is not a power") == 0);
}
