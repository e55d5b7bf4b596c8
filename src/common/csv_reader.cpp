#include "suanli/common/csv_reader.hpp"

#include "suanli/common/input_error.hpp"

namespace suanli {

CsvReader::CsvReader(const std::string& path, std::span<const std::string_view> columns,
                     LineRules rules)
    : path_(path),
      columns_(columns),
      rules_(rules),
      expected_rows_(count_file_newlines(path) + 1),
      lines_(path),
      index_(columns.size(), -1) {}

bool CsvReader::next_line(std::span<char>& text) {
  while (lines_.next(text)) {
    if (is_skipped_line(text, rules_)) continue;
    line_ = lines_.line();
    return true;
  }
  return false;
}

bool CsvReader::read_header() {
  std::span<char> text;
  if (!next_line(text)) return false;
  header_line_ = line_;
  read_csv_header(path_, header_line_, text, columns_, index_, fields_, names_, ignored_);
  return true;
}

bool CsvReader::next() {
  std::span<char> text;
  if (!next_line(text)) return false;
  read_csv_row(path_, line_, text, fields_, names_, header_line_);
  return true;
}

void CsvReader::fail(int column, const std::string& what) const {
  fail(name(column), what);
}

void CsvReader::fail(std::string_view column, const std::string& what) const {
  throw InputError(located(path_, line_, std::string(column), what));
}

void CsvReader::fail_file(const std::string& what) const {
  throw InputError(located(path_, 0, "", what));
}

void CsvReader::require(std::initializer_list<int> columns, const std::string& what) const {
  for (const int c : columns) {
    if (!has(c)) fail(c, what);
  }
}

double CsvReader::number(int column) const {
  if (field(column).empty()) fail(column, "missing value");
  double value = 0;
  optional_number(column, value);
  return value;
}

bool CsvReader::optional_number(int column, double& out) const {
  const std::string_view text = field(column);
  if (text.empty()) return false;
  if (!parse_double(text, out)) fail(column, quote_for_message(text) + " is not a number");
  return true;
}

void CsvReader::check_unique(FirstSeen& ids, int column, std::string_view what) const {
  const std::string_view id = field(column);
  if (const int first = ids.insert(id, line_)) {
    fail(column, "duplicate " + std::string(what) + " " + quote_for_message(id) +
                     " (first on line " + std::to_string(first) + ")");
  }
}

}  // namespace suanli
