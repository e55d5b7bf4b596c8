#pragma once
// Small, allocation-free building blocks shared by the CSV-like trace readers: the
// whole-file read, a line walker, a line splitter that unquotes in place, the header and
// row checks of CSV traces, strict number parsing, and a first-occurrence index for
// duplicate ids. Kept apart from any one format so every reader checks input the same way.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "suanli/workload/job.hpp"

namespace suanli::workload {

// The whole file in one read; InputError("file: cannot open: ...") when it cannot be opened,
// InputError("file: cannot read: ...") when reading fails.
std::string read_whole_file(const std::string& path);

// Which lines for_each_line passes over.
struct LineRules {
  bool skip_comments = true;  // lines whose first non-blank character is '#'
  bool cr_is_blank = false;   // '\r' counts as blank (besides space and tab)
};

// True for a line for_each_line passes over: blank, or a comment if the rules say so.
inline bool is_skipped_line(std::span<const char> line, LineRules rules) {
  for (char c : line) {
    if (c == ' ' || c == '\t' || (c == '\r' && rules.cr_is_blank)) continue;
    return rules.skip_comments && c == '#';
  }
  return true;
}

// Calls visit(std::span<char> text, int line) for every line of `data` that `rules` do not
// pass over, in order; `line` counts from 1 and includes skipped lines. A UTF-8 byte order
// mark at the start is skipped, and one '\r' before each '\n' (or at the end) is cut off.
// The spans point into `data`, which the visitor may change in place (split_csv_line does).
template <class F>
void for_each_line(std::string& data, F&& visit, LineRules rules = {}) {
  char* p = data.data();
  char* const end = p + data.size();
  if (data.starts_with("\xEF\xBB\xBF")) p += 3;  // UTF-8 byte order mark from spreadsheets
  int line = 0;
  while (p < end) {
    ++line;
    auto* newline = static_cast<char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    char* stop = newline ? newline : end;
    char* const next = newline ? newline + 1 : end;
    if (stop > p && stop[-1] == '\r') --stop;
    const std::span<char> text(p, static_cast<std::size_t>(stop - p));
    p = next;
    if (is_skipped_line(text, rules)) continue;
    visit(text, line);
  }
}

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

// Reads the header line `text` (line `line` of `path`) of a CSV trace: splits it into
// `fields`, sets index[k] to the position of the column named known[k] (-1 when absent),
// appends every column name to `names` and those not in `known` to `ignored`. Throws
// InputError on a quoting error, a column without a name or a repeated column.
void read_csv_header(const std::string& path, int line, std::span<char> text,
                     std::span<const std::string_view> known, std::span<int> index,
                     std::vector<std::string_view>& fields, std::vector<std::string>& names,
                     std::vector<std::string>& ignored);

// Splits data row `text` (line `line` of `path`) into `fields` and checks that it has as
// many as the header (`header_names`, read on line `header_line`). Throws InputError
// otherwise, naming the column of a quoting error.
void read_csv_row(const std::string& path, int line, std::span<char> text,
                  std::vector<std::string_view>& fields,
                  const std::vector<std::string>& header_names, int header_line);

// Strict parsing: the whole text must be the number (no trailing "abc", no blanks), a
// leading '+' is allowed, NaN and infinities are rejected. Returns false on failure.
bool parse_double(std::string_view text, double& out);
bool parse_int(std::string_view text, int& out);

// The GPU count `text` of column `column` on line `line` of `path`: a whole number >= 0,
// written as an integer or as a float without a fraction ("4.0": pandas writes an integer
// column that has a gap in it as floats). Throws InputError otherwise.
int read_gpu_count(const std::string& path, int line, std::string_view column,
                   std::string_view text);

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

// The shortest text that reads back as the same double ("30", "0.1", "1e+20"): what the
// writers put in files, so a written trace reads back unchanged.
void append_number(std::string& out, double value);
std::string format_number(double value);

// "job 'id' (line N)", naming one job in a message (the line only when known).
std::string job_name(const Job& job);

// Shortens a field for an error message so one bad cell cannot flood the terminal.
std::string quote_for_message(std::string_view text);

}  // namespace suanli::workload
