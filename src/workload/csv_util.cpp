#include "suanli/workload/csv_util.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <system_error>

#include "suanli/common/input_error.hpp"

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

std::string read_whole_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) {
    throw InputError(located(path, 0, "", std::string("cannot open: ") + std::strerror(errno)));
  }
  // Sized once from the file's size when it has one (a regular file), so a large trace is
  // neither copied nor zero-filled twice; pipes and growing files go on in chunks.
  std::error_code size_error;
  const std::uintmax_t known = std::filesystem::file_size(path, size_error);
  constexpr std::size_t kChunk = std::size_t{1} << 20;
  std::string data;
  std::size_t size = 0;
  std::size_t want = size_error ? kChunk : static_cast<std::size_t>(known) + 1;
  while (true) {
    if (data.size() < size + want) data.resize(size + want);
    const std::size_t got = std::fread(data.data() + size, 1, want, file.get());
    size += got;
    if (got < want) break;  // end of file or error; fread retries short reads itself
    want = std::max(kChunk, size);
  }
  if (std::ferror(file.get())) {
    throw InputError(located(path, 0, "", std::string("cannot read: ") + std::strerror(errno)));
  }
  data.resize(size);
  return data;
}

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

void read_csv_header(const std::string& path, int line, std::span<char> text,
                     std::span<const std::string_view> known, std::span<int> index,
                     std::vector<std::string_view>& fields, std::vector<std::string>& names,
                     std::vector<std::string>& ignored) {
  const auto fail = [&](std::string_view column, const std::string& what) {
    throw InputError(located(path, line, std::string(column), what));
  };
  CsvSplitError err;
  if (!split_csv_line(text, fields, err)) {
    fail("", "header column " + std::to_string(err.field + 1) + ": " + std::string(err.what));
  }
  std::fill(index.begin(), index.end(), -1);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string_view name = fields[i];
    if (name.empty()) fail("", "header column " + std::to_string(i + 1) + " has no name");
    if (std::find(fields.begin(), fields.begin() + static_cast<std::ptrdiff_t>(i), name) !=
        fields.begin() + static_cast<std::ptrdiff_t>(i)) {
      fail(name, "duplicate column in the header");
    }
    const auto at = std::find(known.begin(), known.end(), name);
    if (at == known.end()) {
      ignored.emplace_back(name);
    } else {
      index[static_cast<std::size_t>(at - known.begin())] = static_cast<int>(i);
    }
    names.emplace_back(name);
  }
}

void read_csv_row(const std::string& path, int line, std::span<char> text,
                  std::vector<std::string_view>& fields,
                  const std::vector<std::string>& header_names, int header_line) {
  CsvSplitError err;
  if (!split_csv_line(text, fields, err)) {
    const std::string column =
        err.field < header_names.size() ? header_names[err.field] : std::string();
    throw InputError(located(path, line, column, std::string(err.what)));
  }
  if (fields.size() != header_names.size()) {
    throw InputError(located(path, line, "",
                             "expected " + std::to_string(header_names.size()) +
                                 " fields as in the header (line " + std::to_string(header_line) +
                                 "), found " + std::to_string(fields.size())));
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

int read_gpu_count(const std::string& path, int line, std::string_view column,
                   std::string_view text) {
  const auto fail = [&](const std::string& what) {
    throw InputError(located(path, line, std::string(column), what));
  };
  if (text.empty()) fail("missing value");
  int count = 0;
  if (!parse_int(text, count)) {
    double value = 0;
    if (!parse_double(text, value)) fail(quote_for_message(text) + " is not a number");
    if (value != std::floor(value)) {
      fail(quote_for_message(text) + " is not a whole number of GPUs");
    }
    if (!(std::fabs(value) <= std::numeric_limits<int>::max())) {
      fail(quote_for_message(text) + " is out of range");
    }
    count = static_cast<int>(value);
  }
  if (count < 0) fail("must be >= 0, got " + quote_for_message(text));
  return count;
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

void append_number(std::string& out, double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

std::string format_number(double value) {
  std::string out;
  append_number(out, value);
  return out;
}

std::string job_name(const Job& job) {
  std::string name = "job " + quote_for_message(job.id);
  if (job.line > 0) name += " (line " + std::to_string(job.line) + ")";
  return name;
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
