// The CSV trace-reader base (suanli/common/csv_reader.hpp): a tiny format read through it,
// and its errors as "file:line: field: what".
#include <doctest/doctest.h>

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "suanli/common/csv_reader.hpp"
#include "test_support.hpp"

using suanli::CsvReader;
using suanli::EarliestTime;
using suanli::FirstSeen;
using suanli::testing::input_error_of;
using suanli::testing::TempFile;

namespace {

const std::string kTempPrefix = "suanli_csvreader";

enum Column : int { kId, kTime, kNote, kColumnCount };
constexpr std::array<std::string_view, kColumnCount> kNames = {"id", "time", "note"};

struct Row {
  std::string id;
  double time = 0;
};

// A tiny format: id,time[,note]; times become seconds from the first one.
std::vector<Row> read_tiny(const std::string& path, std::vector<std::string>* ignored = nullptr) {
  CsvReader csv(path, kNames);
  FirstSeen ids(csv.expected_rows());
  if (!csv.read_header()) csv.fail_file("no header line");
  csv.require({kId, kTime}, "required column missing from the header");
  if (ignored) *ignored = csv.ignored();
  EarliestTime first;
  std::vector<Row> rows;
  while (csv.next()) {
    csv.check_unique(ids, kId, "id");
    const double t = csv.number(kTime);
    first.see(t, csv.field(kTime));
    rows.push_back({std::string(csv.field(kId)), t});
  }
  for (Row& r : rows) r.time -= first.seconds;
  return rows;
}

}  // namespace

TEST_CASE("csv reader: a tiny format reads through the base") {
  TempFile f(kTempPrefix, "tiny.csv", "# comment\nextra,time,id\nx,20,a\n\ny,5,b\n");
  std::vector<std::string> ignored;
  const std::vector<Row> rows = read_tiny(f.path(), &ignored);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].id == "a");
  CHECK(rows[0].time == 15);
  CHECK(rows[1].id == "b");
  CHECK(rows[1].time == 0);
  CHECK(ignored == std::vector<std::string>{"extra"});
}

TEST_CASE("csv reader: errors name file, line and field") {
  const auto error_of = [](const std::string& name, const std::string& content) {
    TempFile f(kTempPrefix, name, content);
    return input_error_of([&] { read_tiny(f.path()); }, name);
  };
  const std::string bad = error_of("bad.csv", "id,time\na,1\nb,soon\n");
  CHECK(bad.ends_with("bad.csv:3: time: 'soon' is not a number"));
  const std::string missing = error_of("missing.csv", "id,time\na,\n");
  CHECK(missing.ends_with("missing.csv:2: time: missing value"));
  const std::string dup = error_of("dup.csv", "id,time\na,1\n\na,2\n");
  CHECK(dup.ends_with("dup.csv:4: id: duplicate id 'a' (first on line 2)"));
  const std::string column = error_of("column.csv", "\nid,note\na,1\n");
  CHECK(column.ends_with("column.csv:2: time: required column missing from the header"));
  const std::string empty = error_of("empty.csv", "# only a comment\n");
  CHECK(empty.ends_with("empty.csv: no header line"));
  const std::string width = error_of("width.csv", "id,time\na,1,2\n");
  CHECK(width.ends_with("width.csv:2: expected 2 fields as in the header (line 1), found 3"));
}
