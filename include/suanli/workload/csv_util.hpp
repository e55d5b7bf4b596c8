#pragma once
// Small, allocation-free building blocks shared by the CSV-like trace readers: a line
// splitter that unquotes in place, strict number parsing, and a first-occurrence index
// for duplicate ids. Kept apart from any one format so every reader checks input the same
// way.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace suanli::workload {

// Why a line could not be split: which field (0-based) and what was wrong with it.
struct CsvSplitError {
  std::size_t field = 0;
  std::string_view what;
};

// Splits one line (no line terminator) at commas into `fields`, which is cleared first.
// RFC 4180 quoting: a field may be wrapped in double quotes, "" inside stands for one
// quote. Quoted fields are unescaped in place, which is why the line is mutable; the views
// point into it. Blanks (space, tab) around fields are trimmed; inside quotes they are
// kept. A quoted field must close on the same line. Returns false and fills `err` on an
// unterminated quote or on text between a closing quote and the next comma.
bool split_csv_line(std::span<char> line, std::vector<std::string_view>& fields,
                    CsvSplitError& err);

// Strict parsing: the whole text must be the number (no trailing "abc", no blanks), a
// leading '+' is allowed, NaN and infinities are rejected. Returns false on failure.
bool parse_double(std::string_view text, double& out);
bool parse_int(std::string_view text, int& out);

// Remembers the first line on which each id was seen. Open addressing over a table sized
// once for the expected number of ids, so inserting a million ids costs no allocation per
// id. The ids are views: the caller keeps the text they point into alive and unchanged.
class FirstSeen {
 public:
  explicit FirstSeen(std::size_t expected_ids);

  // Returns 0 when `id` is new (and records `line`), else the line it was first seen on.
  int insert(std::string_view id, int line);

 private:
  struct Slot {
    const char* data = nullptr;
    std::size_t size = 0;
    int line = 0;  // 0 marks an empty slot
  };
  void grow();

  std::vector<Slot> slots_;
  std::size_t used_ = 0;
};

// Shortens a field for an error message so one bad cell cannot flood the terminal.
std::string quote_for_message(std::string_view text);

}  // namespace suanli::workload
