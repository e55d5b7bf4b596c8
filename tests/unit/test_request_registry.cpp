// The request format registry: detection, --format, and the streamed line reading every CSV
// reader relies on (byte order mark, lines longer than a block, CRLF across blocks).
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "suanli/workload/request_format.hpp"
#include "test_support.hpp"

using namespace suanli::workload;
using suanli::testing::input_error_of;
using suanli::testing::TempFile;

namespace {

const std::string kFixtures = std::string(SUANLI_FIXTURES) + "/requests/";
const std::string kKnown = "(known: mooncake, azure-llm, burstgpt, native)";

}  // namespace

TEST_CASE("request formats: registry order and lookup") {
  std::vector<std::string_view> names;
  for (const auto& f : request_formats()) names.push_back(f.name);
  CHECK(names == std::vector<std::string_view>{"mooncake", "azure-llm", "burstgpt", "native"});
  REQUIRE(find_request_format("burstgpt") != nullptr);
  CHECK((find_request_format("burstgpt")->read == &read_burstgpt_requests));
  CHECK(find_request_format("BurstGPT") == nullptr);
}

TEST_CASE("request formats: every fixture is detected as its format, and only as it") {
  const std::pair<const char*, const char*> files[] = {{"native.csv", "native"},
                                                       {"azure_2023.csv", "azure-llm"},
                                                       {"azure_2024.csv", "azure-llm"},
                                                       {"burstgpt.csv", "burstgpt"},
                                                       {"burstgpt_sessions.csv", "burstgpt"},
                                                       {"mooncake.jsonl", "mooncake"}};
  for (const auto& [file, format] : files) {
    const std::string path = kFixtures + file;
    CHECK_MESSAGE(read_requests(path, "").format == format, file);
    const std::string head = suanli::workload::read_whole_file(path);
    int claims = 0;
    for (const auto& f : request_formats()) claims += f.sniff(head);
    CHECK_MESSAGE(claims == 1, file);
  }
}

TEST_CASE("request formats: --format overrides detection, unknown names are listed") {
  CHECK(read_requests(kFixtures + "native.csv", "native").requests.size() == 5);
  // Read as what it is not: the named reader reports what is missing.
  CHECK(input_error_of([] { read_requests(kFixtures + "native.csv", "burstgpt"); }, "burstgpt")
            .find("Timestamp: required column missing") != std::string::npos);
  CHECK(input_error_of([] { read_requests(kFixtures + "native.csv", "alpaca"); }, "alpaca") ==
        "--format: unknown request trace format 'alpaca' " + kKnown);
}

TEST_CASE("request formats: a file no format claims, and a missing file") {
  const TempFile jobs("suanli_req_registry", "jobs.csv", "job_id,submit_time,num_gpus,duration\n");
  CHECK(input_error_of([&] { read_requests(jobs.path(), ""); }, "jobs") ==
        jobs.path() +
            ": cannot tell the request trace format from its first lines; give --format " + kKnown);
  const std::string missing = kFixtures + "no_such_file.csv";
  CHECK(input_error_of([&] { read_requests(missing, ""); }, "missing") ==
        missing + ": cannot open the request trace");
  CHECK(input_error_of([&] { read_requests(missing, "native"); }, "missing native")
            .starts_with(missing + ": cannot open: "));
}

TEST_CASE("request formats: byte order mark, a 3 MB line, CRLF across the 1 MiB blocks") {
  // Rows of 64 bytes with CRLF; the header is padded so that one row's "\r" is the last byte
  // of the first 1 MiB block and its "\n" the first byte of the next.
  const std::string header =
      "\xEF\xBB\xBF"
      "arrival_time,prompt_tokens,output_tokens,request_id\r\n";
  std::string text = header;
  const std::size_t block = std::size_t{1} << 20;
  int rows = 0;
  while (text.size() + 128 <= block) {
    std::string row = std::to_string(rows) + ",1,1," + std::to_string(rows);
    row += std::string(62 - row.size(), 'x') + "\r\n";
    text += row;
    ++rows;
  }
  // The next row ends exactly at the block boundary with its '\r'.
  std::string row = std::to_string(rows) + ",1,1,";
  const std::string boundary_id(block - text.size() - row.size() - 1, 'y');
  text += row + boundary_id + "\r\n";
  ++rows;
  REQUIRE(text[block - 1] == '\r');
  REQUIRE(text[block] == '\n');
  const std::string long_id(3 << 20, 'z');
  text += std::to_string(rows) + ",1,1," + long_id + "\r\n";
  ++rows;
  text += std::to_string(rows) + ",2,3,last";  // no final newline
  ++rows;
  const TempFile f("suanli_req_registry", "blocks.csv", text);
  const RequestWorkload w = read_requests(f.path(), "");
  CHECK(w.format == "native");
  REQUIRE(w.requests.size() == static_cast<std::size_t>(rows));
  for (std::size_t i = 0; i < w.requests.size(); ++i) {
    CHECK(w.requests[i].arrival_s == static_cast<double>(i));
    CHECK(w.requests[i].line == static_cast<int>(i + 2));
  }
  CHECK(w.request_id(rows - 3) == boundary_id);  // no '\r' left on it
  CHECK(w.request_id(rows - 2) == long_id);
  CHECK(w.request_id(rows - 1) == "last");
  CHECK(w.requests.back().output_tokens == 3);
}
