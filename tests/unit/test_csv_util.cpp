// The pieces the streaming trace readers stand on: the chunked line walker (for_each_file_line
// and FileLines), the duplicate-id index that owns its keys (FirstSeen), and interned short
// strings (Symbol).
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "suanli/workload/csv_util.hpp"
#include "suanli/workload/job.hpp"
#include "suanli/workload/symbol.hpp"
#include "test_support.hpp"

using namespace suanli::workload;
using suanli::testing::input_error_of;
using suanli::testing::TempFile;

namespace {

const std::string kTempPrefix = "suanli_csvutil";

using Lines = std::vector<std::pair<int, std::string>>;

// What for_each_line gives for `content`: the reference the file walker must match.
Lines lines_of_string(std::string content, LineRules rules = {}) {
  Lines out;
  for_each_line(
      content,
      [&](std::span<char> text, int line) {
        out.emplace_back(line, std::string(text.data(), text.size()));
      },
      rules);
  return out;
}

// What for_each_file_line gives for a file holding `content`, read in `chunk`-byte chunks.
Lines lines_of_file(const std::string& content, std::size_t chunk, LineRules rules = {}) {
  const TempFile file(kTempPrefix, "walk.csv", content);
  Lines out;
  for_each_file_line(
      file.path(),
      [&](std::span<char> text, int line) {
        out.emplace_back(line, std::string(text.data(), text.size()));
      },
      rules, chunk);
  return out;
}

}  // namespace

// ---- the chunked line walker ----

TEST_CASE("file lines: lines spanning 7-byte chunks come out whole and numbered") {
  const std::string content = "job_id,gpus\nalpha,1\nbeta,22\n\ngamma,333\n";
  const Lines expected = {{1, "job_id,gpus"}, {2, "alpha,1"}, {3, "beta,22"}, {5, "gamma,333"}};
  CHECK(lines_of_file(content, 7) == expected);
  CHECK(lines_of_file(content, 1) == expected);
  CHECK(lines_of_file(content, kLineChunkBytes) == expected);
}

TEST_CASE("file lines: a line longer than the chunk grows the buffer") {
  const std::string long_line(100, 'x');
  const std::string content = "a\n" + long_line + "\nb\n" + long_line + long_line;
  const Lines expected = {{1, "a"}, {2, long_line}, {3, "b"}, {4, long_line + long_line}};
  CHECK(lines_of_file(content, 7) == expected);
  CHECK(lines_of_file(content, 3) == expected);
}

TEST_CASE("file lines: CRLF split across two chunks loses only the CR") {
  // With 7-byte chunks the '\r' is the 7th byte and its '\n' the 8th.
  const std::string content = "abcdef\r\nghijk\r\nlast\r";
  REQUIRE(content[6] == '\r');
  REQUIRE(content[7] == '\n');
  const Lines expected = {{1, "abcdef"}, {2, "ghijk"}, {3, "last"}};
  CHECK(lines_of_file(content, 7) == expected);
  CHECK(lines_of_file(content, 7) == lines_of_string(content));
}

TEST_CASE("file lines: a byte order mark is skipped, even split across chunks") {
  const std::string content = "\xEF\xBB\xBFname,x\n\xEF\xBB\xBFsecond\n";
  const Lines expected = {{1, "name,x"}, {2, "\xEF\xBB\xBFsecond"}};  // only at the start
  for (std::size_t chunk : {1, 2, 3, 4, 7, 64}) {
    CAPTURE(chunk);
    CHECK(lines_of_file(content, chunk) == expected);
  }
  CHECK(lines_of_file("\xEF\xBB\xBF", 2).empty());
}

TEST_CASE("file lines: no final newline, an empty file, blank and comment lines") {
  CHECK(lines_of_file("a,b\nc,d", 7) == Lines{{1, "a,b"}, {2, "c,d"}});
  CHECK(lines_of_file("", 7).empty());
  CHECK(lines_of_file("\n\n", 7).empty());
  CHECK(lines_of_file("# note\n  # indented\nx\n", 7) == Lines{{3, "x"}});
  CHECK(lines_of_file("# note\nx\n", 7, {.skip_comments = false}) ==
        Lines{{1, "# note"}, {2, "x"}});
  CHECK(lines_of_file("x\n\r\n \r\ny", 7, {.cr_is_blank = true}) == Lines{{1, "x"}, {4, "y"}});
}

TEST_CASE("file lines: every chunk size gives what for_each_line gives on the whole text") {
  const std::vector<std::string> contents = {
      "h1,h2\r\n1,2\r\n\r\n# c\r\n3,4",
      "\xEF\xBB\xBF"
      "a\n\nbb\r\r\nccc\n \t\n#x\n",
      std::string(30, 'z') + "\n\n" + std::string(9, 'y') + "\r",
      "\r",
      "\n",
      "one"};
  for (const std::string& content : contents) {
    for (LineRules rules : {LineRules{}, LineRules{.skip_comments = false, .cr_is_blank = true}}) {
      const Lines expected = lines_of_string(content, rules);
      for (std::size_t chunk = 1; chunk <= 12; ++chunk) {
        CAPTURE(content);
        CAPTURE(chunk);
        CHECK(lines_of_file(content, chunk, rules) == expected);
      }
    }
  }
}

TEST_CASE("file lines: the visitor may change the line in place") {
  const TempFile file(kTempPrefix, "inplace.csv", "\"a\"\"b\",c\nd,e\n");
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string_view> fields;
  for_each_file_line(
      file.path(),
      [&](std::span<char> text, int) {
        CsvSplitError err;
        REQUIRE(split_csv_line(text, fields, err));
        rows.emplace_back(fields.begin(), fields.end());
      },
      {}, 4);
  CHECK(rows == std::vector<std::vector<std::string>>{{"a\"b", "c"}, {"d", "e"}});
}

TEST_CASE("file lines: a missing file and a line over the limit are input errors") {
  const std::string missing = "/nonexistent/suanli/trace.csv";
  CHECK(input_error_of([&] { for_each_file_line(missing, [](std::span<char>, int) {}); }, missing)
            .find("cannot open") != std::string::npos);

  const TempFile file(kTempPrefix, "long.swf", "ok\n" + std::string(20, 'x') + "\n");
  const std::string error = input_error_of(
      [&] {
        FileLines lines(file.path(), 4, 16, ": not this format");
        std::span<char> text;
        while (lines.next(text)) {
        }
      },
      file.path());
  CHECK(error.find(":2:") != std::string::npos);
  CHECK(error.find("line longer than 16 bytes: not this format") != std::string::npos);
}

TEST_CASE("file lines: counting newlines for the reserve") {
  const TempFile file(kTempPrefix, "count.csv", "a\nb\n\nc");
  CHECK(count_file_newlines(file.path()) == 3);
  CHECK(count_file_newlines("/nonexistent/suanli/trace.csv") == 0);
}

// ---- FirstSeen ----

TEST_CASE("first seen: keys are owned, so the buffer they came from may be overwritten") {
  // Ids in order (the run) and out of order (the hash table), read from one buffer that is
  // overwritten after each insert, as a chunk is by the next read.
  for (const bool in_order : {true, false}) {
    CAPTURE(in_order);
    FirstSeen seen(4);
    std::string buffer;
    const auto insert = [&](const std::string& id, int line) {
      buffer = id;
      const int first = seen.insert(buffer, line);
      buffer.assign(buffer.size(), '#');
      return first;
    };
    const std::vector<std::string> ids =
        in_order ? std::vector<std::string>{"job-8", "job-9", "job-10", "job-11", "job-100"}
                 : std::vector<std::string>{"job-9", "job-8", "job-11", "job-100", "job-10"};
    for (std::size_t i = 0; i < ids.size(); ++i) {
      CHECK(insert(ids[i], static_cast<int>(i) + 1) == 0);
    }
    for (std::size_t i = 0; i < ids.size(); ++i) {
      CHECK(insert(ids[i], 100) == static_cast<int>(i) + 1);
    }
    CHECK(insert("job-1000", 101) == 0);
    CHECK(insert("#####", 102) == 0);  // what the buffer was overwritten with is no id
  }
}

TEST_CASE("first seen: ids in order, then anything") {
  FirstSeen ids(4);
  CHECK(ids.insert("1", 1) == 0);
  CHECK(ids.insert("2", 2) == 0);
  CHECK(ids.insert("10", 3) == 0);
  CHECK(ids.insert("007", 4) == 0);  // longer, so still in order
  CHECK(ids.insert("10", 5) == 3);   // out of order: the table takes over
  CHECK(ids.insert("x", 6) == 0);
  CHECK(ids.insert("2", 7) == 2);
  CHECK(ids.insert("y", 8) == 0);
  CHECK(ids.insert("x", 9) == 6);
  CHECK(ids.insert("7", 10) == 0);  // not "007"
}

TEST_CASE("first seen: an empty id is an id like any other") {
  FirstSeen ids(2);
  CHECK(ids.insert("", 1) == 0);
  CHECK(ids.insert("", 2) == 1);
  CHECK(ids.insert("a", 3) == 0);
  CHECK(ids.insert("", 4) == 1);
}

TEST_CASE("first seen: a repeat of the last id ends the run and is found") {
  FirstSeen ids(2);
  CHECK(ids.insert("a", 1) == 0);
  CHECK(ids.insert("a", 2) == 1);
  CHECK(ids.insert("b", 3) == 0);
  CHECK(ids.insert("a", 4) == 1);
}

TEST_CASE("first seen: many ids out of order grow the table past its expected size") {
  FirstSeen seen(2);
  const auto id = [](int i) { return "id" + std::to_string((i * 7919) % 5000); };
  for (int i = 0; i < 5000; ++i) CHECK(seen.insert(id(i), i + 1) == 0);
  for (int i = 0; i < 5000; i += 97) CHECK(seen.insert(id(i), 9999) == i + 1);
  CHECK(seen.insert("id5000", 10000) == 0);
}

// ---- Symbol ----

TEST_CASE("symbol: four bytes, empty by default, equal texts share one index") {
  static_assert(sizeof(Symbol) == 4);
  const Symbol none;
  CHECK(none.empty());
  CHECK(none.index() == 0);
  CHECK(none.str().empty());
  CHECK(none == "");
  CHECK(Symbol("") == none);

  const std::string text = "A100";
  const Symbol a = text;
  const Symbol b(std::string_view("A100xyz").substr(0, 4));
  const Symbol c = "A100";
  CHECK(a.index() != 0);
  CHECK(a.index() == b.index());
  CHECK(a == c);
  CHECK(a != Symbol("H100"));
  CHECK(a.size() == 4);
  CHECK(!a.empty());
  CHECK(&a.str() == &c.str());  // one copy of the text
}

TEST_CASE("symbol: assignment, comparison and conversion read as for a string") {
  Symbol s;
  s = "Running";
  CHECK(s == "Running");
  CHECK(s == std::string("Running"));
  CHECK(s == std::string_view("Running"));
  CHECK("Running" == s);
  CHECK(s != "Failed");
  s = std::string("Failed");
  CHECK(s.view() == "Failed");
  s.assign(std::string_view("Pending"));
  CHECK(s.str() == "Pending");
  s.clear();
  CHECK(s.empty());

  const Symbol gpu = "H100|A100";
  CHECK(gpu.find('|') == 4);
  CHECK(gpu.find("A1") == 5);
  const std::string& ref = gpu;
  const std::string_view view = gpu;
  CHECK(ref == "H100|A100");
  CHECK(view == "H100|A100");
  CHECK(std::string(gpu) == "H100|A100");
  CHECK("gpu " + gpu == "gpu H100|A100");
  CHECK(gpu + "!" == "H100|A100!");
  std::string out = "on ";
  out += gpu;
  CHECK(out == "on H100|A100");
  std::ostringstream stream;
  stream << gpu;
  CHECK(stream.str() == "H100|A100");
  CHECK(fmt::format("[{}] [{:>6}]", Symbol("V100"), Symbol("u1")) == "[V100] [    u1]");
}

TEST_CASE("symbol: ordered by text, not by when it was interned") {
  const Symbol later = "zz-symbol-test";
  const Symbol earlier = "aa-symbol-test";
  CHECK(earlier < later);
  CHECK(later > earlier);
  CHECK(earlier < std::string_view("ab"));
  CHECK(Symbol() < earlier);
  std::map<Symbol, int> by_text{{later, 1}, {earlier, 2}};
  CHECK(by_text.begin()->first == "aa-symbol-test");
  std::unordered_set<Symbol> set{later, earlier, Symbol("zz-symbol-test")};
  CHECK(set.size() == 2);
}

TEST_CASE("symbol: the job record is fixed-size, its short strings interned") {
  Job job;
  job.gpu_type = "A100";
  job.user = "u1";
  job.trace_state = "Pass";
  job.job_type = "resnet50";
  job.reference_gpu = "V100";
  CHECK(job.gpu_type == "A100");
  CHECK(job.user.str() == "u1");
  CHECK(sizeof(Job) <= 136);  // 128 before pods asked for CPUs and memory
  const std::size_t size = Symbol::table_size();
  for (int i = 0; i < 1000; ++i) job.user = "u1";
  CHECK(Symbol::table_size() == size);  // interning a known text adds nothing
}
