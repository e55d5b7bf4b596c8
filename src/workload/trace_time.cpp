#include "suanli/workload/trace_time.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>

namespace suanli::workload {

namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Reads exactly `count` digits at `at` as a number.
bool digits(std::string_view text, std::size_t at, std::size_t count, int& out) {
  if (at + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (!is_digit(text[i])) return false;
    value = value * 10 + (text[i] - '0');
  }
  out = value;
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '"')) {
    text.remove_prefix(1);
  }
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\t' || text.back() == '"' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

bool parse_datetime(std::string_view text, double& seconds) {
  // 0123456789012345678
  // YYYY-MM-DD HH:MM:SS
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (text.size() < 19 || !digits(text, 0, 4, year) || text[4] != '-' ||
      !digits(text, 5, 2, month) || text[7] != '-' || !digits(text, 8, 2, day) ||
      (text[10] != ' ' && text[10] != 'T') || !digits(text, 11, 2, hour) || text[13] != ':' ||
      !digits(text, 14, 2, minute) || text[16] != ':' || !digits(text, 17, 2, second)) {
    return false;
  }
  if (year < 1000 || hour > 23 || minute > 59 || second > 59) return false;
  double fraction = 0;
  if (text.size() > 19) {
    if (text[19] != '.' || text.size() == 20) return false;
    double scale = 0.1;
    for (std::size_t i = 20; i < text.size(); ++i) {
      if (!is_digit(text[i])) return false;
      fraction += (text[i] - '0') * scale;
      scale /= 10;
    }
  }
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (!date.ok()) return false;
  const auto days = std::chrono::sys_days{date}.time_since_epoch().count();
  seconds = static_cast<double>(static_cast<long long>(days) * 86400LL + hour * 3600LL +
                                minute * 60LL + second) +
            fraction;
  return true;
}

bool is_missing_time(std::string_view text) {
  return text.empty() || text == "None" || text == "null" || text == "NULL" || text == "NaN" ||
         text == "nan" || text == "NaT";
}

bool csv_header_has_columns(std::string_view head, std::initializer_list<std::string_view> names) {
  std::size_t at = head.starts_with("\xEF\xBB\xBF") ? 3 : 0;
  while (at < head.size()) {
    const std::size_t end = std::min(head.find('\n', at), head.size());
    const std::string_view line = head.substr(at, end - at);
    at = end + 1;
    const std::size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] == '#') continue;
    // The header: every wanted name must be one of its comma-separated cells.
    return std::all_of(names.begin(), names.end(), [&](std::string_view name) {
      std::size_t from = 0;
      while (from <= line.size()) {
        const std::size_t comma = std::min(line.find(',', from), line.size());
        if (trim(line.substr(from, comma - from)) == name) return true;
        from = comma + 1;
      }
      return false;
    });
  }
  return false;
}

}  // namespace suanli::workload
