#include <doctest/doctest.h>
#include <fmt/format.h>

#include <sstream>
#include <string>
#include <vector>

#include "format_test_support.hpp"
#include "suanli/workload/csv_util.hpp"
#include "suanli/workload/native_csv.hpp"

using namespace suanli::workload;
using namespace suanli::testing;

namespace {

const std::string kFixtures = std::string(SUANLI_FIXTURES) + "/workloads/";

// Temporary files of this test file are suanli_<pid>_<name>.
const std::string kTempPrefix = "suanli";

// The message of the InputError that reading `path` throws, or "" (and a failed check).
std::string error_of(const std::string& path) {
  return input_error_of([&] { read_native_csv(path); }, path);
}

}  // namespace

TEST_CASE("native csv: a file using every feature of the format") {
  const Workload w = read_native_csv(kFixtures + "good.csv");
  CHECK(w.source == kFixtures + "good.csv");
  REQUIRE(w.jobs.size() == 4);
  CHECK(w.ignored_columns == std::vector<std::string>{"site"});

  // File order is kept.
  CHECK(w.jobs[0].id == "j1");
  CHECK(w.jobs[1].id == "j2");
  CHECK(w.jobs[2].id == "j,3");
  CHECK(w.jobs[3].id == "j4");

  const Job& j1 = w.jobs[0];
  check_job(j1, {"j1", 4, 0, 1, 3600});
  CHECK(j1.has_duration());
  CHECK(j1.mfu == 0.4);
  CHECK(j1.batch_tokens == 4194304);
  CHECK(j1.gpu_type.empty());
  CHECK(j1.walltime_s == 7200);
  CHECK(j1.user == "alice");
  CHECK(j1.priority == 0);

  const Job& j2 = w.jobs[1];  // blanks around every field, scientific notation, training run
  CHECK(j2.line == 5);
  CHECK(j2.submit_s == 150);
  CHECK(j2.num_gpus == 8);
  CHECK_FALSE(j2.has_duration());
  CHECK(j2.params == 7e9);
  CHECK(j2.tokens == 2.1e11);
  CHECK(j2.mfu == 0.45);
  CHECK(j2.batch_tokens == 2097152);
  CHECK(j2.gpu_type == "H100");
  CHECK(j2.walltime_s == 86400);
  CHECK(j2.user == "bob");
  CHECK(j2.priority == -3);

  const Job& j3 = w.jobs[2];  // quoted fields with a comma and "" escapes
  CHECK(j3.line == 6);
  CHECK(j3.duration_s == 1200);
  CHECK(j3.gpu_type == "A100");
  CHECK(j3.walltime_s == -1);
  CHECK(j3.user == "carol \"cc\" c");
  CHECK(j3.priority == 0);

  const Job& j4 = w.jobs[3];  // after a blank line and an indented comment
  CHECK(j4.line == 9);
  CHECK(j4.submit_s == 400.25);
  CHECK(j4.gpu_type == "Ascend910B");
  CHECK(j4.user.empty());
  CHECK(j4.priority == 5);
}

TEST_CASE("native csv: minimal files, column order, LF and CRLF, byte order mark") {
  const std::string body =
      "num_gpus,job_id,tokens,submit_time,params\n"
      "4,a,1e9,10,1e8\n"
      "2,b,2e9,5,3e8";  // no final newline
  for (const std::string& text : {body, std::string("\xEF\xBB\xBF") + body,
                                  std::string(body).insert(body.find('\n'), "\r")}) {
    TempFile f(kTempPrefix, "order.csv", text);
    const Workload w = read_native_csv(f.path());
    REQUIRE(w.jobs.size() == 2);
    CHECK(w.ignored_columns.empty());
    CHECK(w.jobs[0].id == "a");
    CHECK(w.jobs[0].num_gpus == 4);
    CHECK(w.jobs[0].submit_s == 10);
    CHECK(w.jobs[0].params == 1e8);
    CHECK(w.jobs[0].tokens == 1e9);
    CHECK(w.jobs[1].line == 3);
    CHECK(w.jobs[1].submit_s == 5);  // not sorted: the engine sorts by submit time
  }
}

TEST_CASE("native csv: a header with no rows is an empty workload") {
  TempFile f(kTempPrefix, "header_only.csv",
             "# nothing yet\njob_id,submit_time,num_gpus,duration\n\n");
  const Workload w = read_native_csv(f.path());
  CHECK(w.jobs.empty());
}

TEST_CASE("native csv: a file may mix duration rows and params/tokens rows") {
  TempFile f(kTempPrefix, "mixed.csv",
             "job_id,submit_time,num_gpus,duration,params,tokens\n"
             "a,0,1,100,,\n"
             "b,1,64,,70e9,1.4e12\n");
  const Workload w = read_native_csv(f.path());
  REQUIRE(w.jobs.size() == 2);
  CHECK(w.jobs[0].duration_s == 100);
  CHECK(w.jobs[0].params == 0);
  CHECK(w.jobs[1].duration_s == -1);
  CHECK(w.jobs[1].params == 70e9);
  CHECK(w.jobs[1].tokens == 1.4e12);
}

TEST_CASE("native csv: file-level errors name the file") {
  const std::string missing = kFixtures + "no_such_file.csv";
  const std::string m1 = error_of(missing);
  check_contains(m1, missing + ": cannot open");

  TempFile empty(kTempPrefix, "empty.csv", "");
  check_contains(error_of(empty.path()), empty.path() + ": no header line");

  TempFile comments(kTempPrefix, "only_comments.csv", "# a\n\n   \r\n# b\n");
  check_contains(error_of(comments.path()), comments.path() + ": no header line");
}

TEST_CASE("native csv: header errors give file, line and column") {
  struct Case {
    const char* text;
    const char* expected;  // after "file:"
  };
  const Case cases[] = {
      {"job_id,num_gpus,duration\na,1,1\n", "1: submit_time: required column missing"},
      {"# comment\njob_id,submit_time,duration\n", "2: num_gpus: required column missing"},
      {"a,0,1,10\nb,1,1,10\n",
       "1: job_id: required column missing from the header (no known column "
       "at all: is the header line missing?)"},
      {"job_id,submit_time,num_gpus\n", "1: duration: column missing"},
      {"job_id,submit_time,num_gpus,params\n", "1: tokens: column missing"},
      {"job_id,submit_time,num_gpus,tokens\n", "1: params: column missing"},
      {"job_id,submit_time,user,num_gpus,duration,user\n", "1: user: duplicate column"},
      {"job_id,submit_time,extra,num_gpus,duration,extra\n", "1: extra: duplicate column"},
      {"job_id,submit_time,,num_gpus,duration\n", "1: header column 3 has no name"},
      {"job_id,\"submit_time,num_gpus,duration\n", "1: header column 2: unterminated quoted"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    TempFile f(kTempPrefix, "header_error.csv", c.text);
    check_contains(error_of(f.path()), f.path() + ":" + c.expected);
  }
}

TEST_CASE("native csv: row errors give file, line and column") {
  const std::string header =
      "job_id,submit_time,num_gpus,duration,params,tokens,mfu,batch_tokens,walltime,priority\n";
  const std::string good_row = "ok,0,1,10,,,,,,\n";
  struct Case {
    const char* row;  // becomes line 3
    const char* expected;
  };
  const Case cases[] = {
      {"b,0,1,10,,,,,\n", "3: expected 10 fields as in the header (line 1), found 9"},
      {"b,0,1,10,,,,,,,\n", "3: expected 10 fields as in the header (line 1), found 11"},
      {",0,1,10,,,,,,\n", "3: job_id: missing value"},
      {"\"b,0,1,10,,,,,,\n", "3: job_id: unterminated quoted field"},
      {"\"b\"x,0,1,10,,,,,,\n", "3: job_id: unexpected text after the closing quote"},
      {"b,,1,10,,,,,,\n", "3: submit_time: missing value"},
      {"b,-1,1,10,,,,,,\n", "3: submit_time: must be >= 0, got '-1'"},
      {"b,12abc,1,10,,,,,,\n", "3: submit_time: '12abc' is not a number"},
      {"b,nan,1,10,,,,,,\n", "3: submit_time: 'nan' is not a number"},
      {"b,inf,1,10,,,,,,\n", "3: submit_time: 'inf' is not a number"},
      {"b,1e999,1,10,,,,,,\n", "3: submit_time: '1e999' is not a number"},
      {"b,0,,10,,,,,,\n", "3: num_gpus: missing value"},
      {"b,0,abc,10,,,,,,\n", "3: num_gpus: 'abc' is not a number"},
      {"b,0,12abc,10,,,,,,\n", "3: num_gpus: '12abc' is not a number"},
      {"b,0,2.5,10,,,,,,\n", "3: num_gpus: '2.5' is not an integer"},
      {"b,0,1e3,10,,,,,,\n", "3: num_gpus: '1e3' is not an integer"},
      {"b,0,0,10,,,,,,\n", "3: num_gpus: must be >= 1, got '0'"},
      {"b,0,-4,10,,,,,,\n", "3: num_gpus: must be >= 1, got '-4'"},
      {"b,0,99999999999,10,,,,,,\n", "3: num_gpus: '99999999999' is out of range"},
      {"b,0,1,10,7e9,1e9,,,,\n", "3: duration: given together with params/tokens"},
      {"b,0,1,10,,1e9,,,,\n", "3: duration: given together with params/tokens"},
      {"b,0,1,,,,,,,\n", "3: duration: missing: give duration, or params and tokens"},
      {"b,0,1,,7e9,,,,,\n", "3: tokens: missing"},
      {"b,0,1,,,1e9,,,,\n", "3: params: missing"},
      {"b,0,1,0,,,,,,\n", "3: duration: must be > 0, got '0'"},
      {"b,0,1,-5,,,,,,\n", "3: duration: must be > 0, got '-5'"},
      {"b,0,1,5s,,,,,,\n", "3: duration: '5s' is not a number"},
      {"b,0,1,,0,1e9,,,,\n", "3: params: must be > 0, got '0'"},
      {"b,0,1,,1e9,-1,,,,\n", "3: tokens: must be > 0, got '-1'"},
      {"b,0,1,10,,,0,,,\n", "3: mfu: must be in (0, 1], got '0'"},
      {"b,0,1,10,,,1.5,,,\n", "3: mfu: must be in (0, 1], got '1.5'"},
      {"b,0,1,10,,,40%,,,\n", "3: mfu: '40%' is not a number"},
      {"b,0,1,10,,,,0,,\n", "3: batch_tokens: must be > 0, got '0'"},
      {"b,0,1,10,,,,,-1,\n", "3: walltime: must be > 0, got '-1'"},
      {"b,0,1,10,,,,,,1.5\n", "3: priority: '1.5' is not an integer"},
      {"ok,5,1,10,,,,,,\n", "3: job_id: duplicate job id 'ok' (first on line 2)"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.row);
    TempFile f(kTempPrefix, "row_error.csv", header + good_row + c.row);
    check_contains(error_of(f.path()), f.path() + ":" + c.expected);
  }
}

TEST_CASE("native csv: error fixtures kept for command-line tests") {
  const std::string dup = kFixtures + "bad_duplicate_id.csv";
  check_contains(error_of(dup), dup + ":4: job_id: duplicate job id 'a' (first on line 2)");
  const std::string gpus = kFixtures + "bad_num_gpus.csv";
  check_contains(error_of(gpus), gpus + ":3: num_gpus: '2.5' is not an integer");
}

TEST_CASE("native csv: the shipped default workload reads and fits a 128-GPU pod") {
  const Workload w = read_native_csv(std::string(SUANLI_FIXTURES) + "/../../workloads/default.csv");
  CHECK(w.jobs.size() == 3000);
  CHECK(w.ignored_columns.empty());
  int training_runs = 0;
  for (const Job& j : w.jobs) {
    CHECK(j.num_gpus <= 128);
    CHECK(j.walltime_s > 0);
    if (!j.has_duration()) ++training_runs;
  }
  CHECK(training_runs > 0);
  CHECK(training_runs < 600);
}

TEST_CASE("native csv: write then read gives the same jobs") {
  Workload w;
  Job a;
  a.id = "a,\"quoted\"";
  a.submit_s = 0.1;
  a.num_gpus = 3;
  a.duration_s = 1.0 / 3.0;
  a.walltime_s = 7200;
  a.user = " padded ";
  a.gpu_type = "H100";
  a.priority = -2;
  Job b;
  b.id = "#not-a-comment";
  b.submit_s = 12345.678;
  b.num_gpus = 64;
  b.params = 70e9;
  b.tokens = 1.4e12;
  b.mfu = 0.37;
  b.batch_tokens = 1 << 21;
  w.jobs = {a, b};

  std::ostringstream out;
  write_native_csv(w, out);
  TempFile f(kTempPrefix, "roundtrip.csv", out.str());
  const Workload back = read_native_csv(f.path());
  REQUIRE(back.jobs.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    const Job& x = w.jobs[i];
    const Job& y = back.jobs[i];
    CAPTURE(i);
    CHECK(y.id == x.id);
    CHECK(y.submit_s == x.submit_s);
    CHECK(y.num_gpus == x.num_gpus);
    CHECK(y.duration_s == x.duration_s);
    CHECK(y.params == x.params);
    CHECK(y.tokens == x.tokens);
    CHECK(y.mfu == x.mfu);
    CHECK(y.batch_tokens == x.batch_tokens);
    CHECK(y.gpu_type == x.gpu_type);
    CHECK(y.walltime_s == x.walltime_s);
    CHECK(y.user == x.user);
    CHECK(y.priority == x.priority);
  }

  Workload bad;
  bad.jobs.resize(1);
  bad.jobs[0].id = "two\nlines";
  bad.jobs[0].duration_s = 1;
  std::ostringstream sink;
  CHECK_THROWS_AS(write_native_csv(bad, sink), std::invalid_argument);
}

TEST_CASE("native csv: 200k rows read back correctly") {
  constexpr int kRows = 200000;
  std::string text = "job_id,submit_time,num_gpus,duration,params,tokens,walltime,user\n";
  text.reserve(std::size_t{kRows} * 48);
  for (int i = 0; i < kRows; ++i) {
    const std::string n = std::to_string(i);
    // fmt, not operator+ chains: GCC 12 warns falsely (-Wrestrict) on "literal" + string.
    text += fmt::format("job{0},{0}.5,{1},", n, 1 << (i % 8));
    text += i % 10 == 0 ? fmt::format(",7e9,{}e6", i + 1) : n + ",,";
    text += fmt::format(",{},u{}\n", 2 * i + 1, i % 97);
  }
  TempFile f(kTempPrefix, "large.csv", text);
  const Workload w = read_native_csv(f.path());
  REQUIRE(w.jobs.size() == kRows);
  for (int i : {0, 1, 7, 10, 12345, kRows - 1}) {
    const Job& j = w.jobs[static_cast<std::size_t>(i)];
    CAPTURE(i);
    CHECK(j.id == "job" + std::to_string(i));
    CHECK(j.line == i + 2);
    CHECK(j.submit_s == i + 0.5);
    CHECK(j.num_gpus == 1 << (i % 8));
    if (i % 10 == 0) {
      CHECK(j.params == 7e9);
      CHECK(j.tokens == (i + 1) * 1e6);
    } else {
      CHECK(j.duration_s == i);
    }
    CHECK(j.walltime_s == 2 * i + 1);
    CHECK(j.user == fmt::format("u{}", i % 97));
  }
  CHECK(job_by_id(w, "job199998").num_gpus == 1 << (199998 % 8));

  // A duplicate at the very end is still found and points back to the first row.
  TempFile dup(kTempPrefix, "large_dup.csv", text + "job3,1,1,1,,,,\n");
  check_contains(error_of(dup.path()), dup.path() + ":" + std::to_string(kRows + 2) +
                                           ": job_id: duplicate job id 'job3' (first on line 5)");
}

TEST_CASE("csv util: splitting lines") {
  std::vector<std::string_view> fields;
  CsvSplitError err;
  auto split = [&](std::string text) {
    std::vector<std::string> out;
    REQUIRE(split_csv_line(std::span<char>(text.data(), text.size()), fields, err));
    for (auto f : fields) out.emplace_back(f);
    return out;
  };
  using V = std::vector<std::string>;
  CHECK(split("") == V{""});
  CHECK(split("a") == V{"a"});
  CHECK(split("a,,b,") == V{"a", "", "b", ""});
  CHECK(split(" a , b\t,\tc ") == V{"a", "b", "c"});
  CHECK(split("\"\",\"x\"\"y\",\" sp \"") == V{"", "x\"y", " sp "});
  CHECK(split("  \"a,b\"  ,c") == V{"a,b", "c"});
  CHECK(split("a\"b,c") == V{"a\"b", "c"});  // a quote inside an unquoted field is literal

  std::string open_quote = "a,\"bc";
  CHECK_FALSE(split_csv_line(std::span<char>(open_quote.data(), open_quote.size()), fields, err));
  CHECK(err.field == 1);
  std::string trailing = "\"a\" b,c";
  CHECK_FALSE(split_csv_line(std::span<char>(trailing.data(), trailing.size()), fields, err));
  CHECK(err.field == 0);
}

TEST_CASE("csv util: strict numbers") {
  double d = 0;
  CHECK((parse_double("7e9", d) && d == 7e9));
  CHECK((parse_double("+1.5", d) && d == 1.5));
  CHECK((parse_double("-0.25", d) && d == -0.25));
  CHECK((parse_double(".5", d) && d == 0.5));
  for (const char* bad : {"", "+", "-", "+-1", "++1", "12abc", " 1", "1 ", "nan", "inf", "-inf",
                          "1e999", "0x10", "1,5"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_double(bad, d));
  }
  int i = 0;
  CHECK((parse_int("42", i) && i == 42));
  CHECK((parse_int("+3", i) && i == 3));
  CHECK((parse_int("-3", i) && i == -3));
  for (const char* bad : {"", "+", "3.0", "1e3", "12abc", "99999999999", "+-3"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_int(bad, i));
  }
}

TEST_CASE("csv util: first-seen index grows past its expected size") {
  FirstSeen seen(2);
  std::vector<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.push_back("id" + std::to_string(i));
  for (int i = 0; i < 1000; ++i) CHECK(seen.insert(ids[static_cast<std::size_t>(i)], i + 1) == 0);
  CHECK(seen.insert("id0", 5000) == 1);
  CHECK(seen.insert("id999", 5000) == 1000);
  CHECK(seen.insert("id1000", 5000) == 0);
}
