#pragma once
// One CSV file read row by row, the skeleton every CSV-like trace reader shares: the header
// is the first line the LineRules do not pass over, and maps each column the reader knows (by
// its position in `columns`, the reader's ColumnNames) to its index in the file; unknown
// columns are listed by ignored(). Then one row per line, split in place and checked against
// the header. Every error is an InputError "file:line: field: what". Rows are read
// through a FileLines, so a file of any size takes memory bounded by its longest line.
//
// A reader names its columns once, in a ColumnNames, and asks for cells by name; the
// compiler turns each name into its index, so a name the reader does not list does not build:
//   constexpr ColumnNames col{"id", "time"};
//   CsvReader csv(path, col.names);
//   if (!csv.read_header()) csv.fail_file("no header line");
//   csv.require({col("id"), col("time")}, "required column missing from the header");
//   while (csv.next()) use(csv.field(col("id")), csv.number(col("time")));
#include <array>
#include <cstddef>
#include <initializer_list>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "suanli/common/csv_util.hpp"

namespace suanli {

// The columns a reader knows, in the order of `names`; col("name") is the index of "name".
template <std::size_t N>
struct ColumnNames {
  std::array<std::string_view, N> names;

  consteval int operator()(std::string_view name) const {
    for (std::size_t i = 0; i < N; ++i) {
      if (names[i] == name) return static_cast<int>(i);
    }
    throw "not a column of this reader";  // in a consteval function: a build error
  }
  static constexpr int size() { return static_cast<int>(N); }
};
template <class... Name>
ColumnNames(Name...) -> ColumnNames<sizeof...(Name)>;

class CsvReader {
 public:
  // Opens `path` (InputError "file: cannot open: ..." when it cannot be). `columns` must
  // outlive the reader.
  CsvReader(const std::string& path, std::span<const std::string_view> columns,
            LineRules rules = {});

  // Reads the header line; false when the file has none (it is empty or holds only lines
  // the rules pass over). InputError on a quoting error, a column without a name or a
  // repeated column.
  bool read_header();
  // Moves to the next data row and splits it; false after the last. InputError when the
  // row does not split or has not as many fields as the header.
  bool next();

  const std::string& path() const { return path_; }
  // The line of the header or of the current row, counting from 1.
  int line() const { return line_; }
  int header_line() const { return header_line_; }
  // The cells of the current row (after read_header, the column names of the header).
  const std::vector<std::string_view>& fields() const { return fields_; }
  // Columns of the header that are not among `columns`, in header order.
  std::vector<std::string>& ignored() { return ignored_; }
  // One more than the number of lines in the file (0 for a pipe): room to reserve for rows.
  std::size_t expected_rows() const { return expected_rows_; }

  bool has(int column) const { return index_[static_cast<std::size_t>(column)] >= 0; }
  // The cell of `column` in the current row; "" when the header has no such column.
  std::string_view field(int column) const {
    const int i = index_[static_cast<std::size_t>(column)];
    return i < 0 ? std::string_view() : fields_[static_cast<std::size_t>(i)];
  }
  std::string_view name(int column) const { return columns_[static_cast<std::size_t>(column)]; }

  // InputError "file:line: column: what" on the current line.
  [[noreturn]] void fail(int column, const std::string& what) const;
  [[noreturn]] void fail(std::string_view column, const std::string& what) const;
  // InputError "file: what", for the file as a whole.
  [[noreturn]] void fail_file(const std::string& what) const;
  // After read_header: fails naming the first of `columns` the header lacks.
  void require(std::initializer_list<int> columns, const std::string& what) const;

  // The cell as a finite number: "missing value" when empty, else "'x' is not a number".
  double number(int column) const;
  // False when the cell is empty; otherwise its number in `out` ("'x' is not a number").
  bool optional_number(int column, double& out) const;
  // Fails on the cell of `column` when `ids` has seen it before: "duplicate <what> 'x'
  // (first on line N)"; records it otherwise.
  void check_unique(FirstSeen& ids, int column, std::string_view what) const;

 private:
  bool next_line(std::span<char>& text);

  std::string path_;
  std::span<const std::string_view> columns_;
  LineRules rules_;
  std::size_t expected_rows_;
  FileLines lines_;
  std::vector<int> index_;
  std::vector<std::string_view> fields_;
  std::vector<std::string> names_, ignored_;
  int header_line_ = 0;
  int line_ = 0;
};

// The earliest of the times a reader sees and its text as the file wrote it: the origin
// that trace times are made relative to ("seconds from the trace's first submission").
struct EarliestTime {
  void see(double s, std::string_view text) {
    if (s < seconds) {
      seconds = s;
      written.assign(text);
    }
  }
  // True once a time was seen (its text is never empty).
  bool seen() const { return !written.empty(); }

  double seconds = std::numeric_limits<double>::infinity();
  std::string written;
};

}  // namespace suanli
