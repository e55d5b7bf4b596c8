#include "suanli/workload/csv_util.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

namespace suanli::workload {

namespace {

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

// Unescapes a quoted field in place. `p` points at the opening quote; on success it is
// left just after the closing quote and the unescaped text is returned. The text is
// written over the field from its opening quote on, which never overtakes the reader.
bool unquote(char*& p, char* end, std::string_view& value) {
  char* out = p;
  char* const start = p;
  ++p;
  while (p < end) {
    if (*p == '"') {
      if (p + 1 < end && p[1] == '"') {
        *out++ = '"';
        p += 2;
        continue;
      }
      ++p;
      value = std::string_view(start, static_cast<std::size_t>(out - start));
      return true;
    }
    *out++ = *p++;
  }
  return false;
}

// from_chars takes no leading '+', but people write "+1e9". Strips one '+' and refuses a
// second sign after it ("+-5"), which from_chars would otherwise read as -5.
bool strip_plus(std::string_view& text) {
  if (text.empty() || text.front() != '+') return true;
  text.remove_prefix(1);
  return !text.empty() && text.front() != '+' && text.front() != '-';
}

}  // namespace

bool split_csv_line(std::span<char> line, std::vector<std::string_view>& fields,
                    CsvSplitError& err) {
  fields.clear();
  char* p = line.data();
  char* const end = p + line.size();
  while (true) {
    while (p < end && is_blank(*p)) ++p;
    if (p < end && *p == '"') {
      std::string_view value;
      if (!unquote(p, end, value)) {
        err = {fields.size(), "unterminated quoted field (quotes must close on the same line)"};
        return false;
      }
      while (p < end && is_blank(*p)) ++p;
      fields.push_back(value);
      if (p == end) return true;
      if (*p != ',') {
        err = {fields.size() - 1, "unexpected text after the closing quote"};
        return false;
      }
      ++p;
      continue;
    }
    char* const start = p;
    // p == end after a trailing comma (the last field is empty); testing it also tells GCC
    // that the length passed to memchr is never negative.
    auto* comma = p < end
                      ? static_cast<char*>(std::memchr(p, ',', static_cast<std::size_t>(end - p)))
                      : nullptr;
    char* stop = comma ? comma : end;
    while (stop > start && is_blank(stop[-1])) --stop;
    fields.emplace_back(start, static_cast<std::size_t>(stop - start));
    if (!comma) return true;
    p = comma + 1;
  }
}

bool parse_double(std::string_view text, double& out) {
  if (!strip_plus(text)) return false;
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value)) {
    return false;
  }
  out = value;
  return true;
}

bool parse_int(std::string_view text, int& out) {
  if (!strip_plus(text)) return false;
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return false;
  out = value;
  return true;
}

FirstSeen::FirstSeen(std::size_t expected_ids) {
  // Load factor at most one half keeps linear probing short.
  slots_.resize(std::bit_ceil(std::max<std::size_t>(16, expected_ids * 2)));
}

int FirstSeen::insert(std::string_view id, int line) {
  if ((used_ + 1) * 2 > slots_.size()) grow();
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = std::hash<std::string_view>{}(id)&mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.line == 0) {
      s = {id.data(), id.size(), line};
      ++used_;
      return 0;
    }
    if (std::string_view(s.data, s.size) == id) return s.line;
  }
}

void FirstSeen::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  used_ = 0;
  for (const Slot& s : old) {
    if (s.line != 0) insert(std::string_view(s.data, s.size), s.line);
  }
}

std::string quote_for_message(std::string_view text) {
  constexpr std::size_t kMax = 40;
  std::string out = "'";
  if (text.size() <= kMax) {
    out += text;
  } else {
    out += text.substr(0, kMax);
    out += "...";
  }
  out += "'";
  return out;
}

}  // namespace suanli::workload
