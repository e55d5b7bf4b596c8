#pragma once
// Unit strings in platform files ("200Gbps", "600GBps", "1us", "1kW"). Values come back in SI:
// bytes per second, seconds, watts. A missing or unknown unit throws std::invalid_argument
// whose message says what was expected; the YAML loader adds file/line/field.
#include <string_view>

namespace suanli::platform {

// bps/Kbps/Mbps/Gbps/Tbps (bits) and Bps/KBps/MBps/GBps/TBps (bytes); decimal prefixes.
double parse_bandwidth(std::string_view text);
// ns, us, ms, s
double parse_duration(std::string_view text);
// W, kW, MW
double parse_power(std::string_view text);

}  // namespace suanli::platform
