// Mooncake JSON lines: milliseconds, hash_ids as prefix-block ranges (bad input:
// test_request_errors.cpp).
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "suanli/workload/request_format.hpp"
#include "test_support.hpp"

using namespace suanli::workload;
using suanli::testing::TempFile;
using Metadata = std::vector<std::pair<std::string, std::string>>;

namespace {

const std::string kMooncake = std::string(SUANLI_FIXTURES) + "/requests/mooncake.jsonl";

RequestWorkload read_text(const std::string& lines) {
  const TempFile f("suanli_req_mooncake", "ok.jsonl", lines);
  return read_mooncake_requests(f.path());
}

std::vector<std::uint64_t> hashes(const RequestWorkload& w, std::size_t i) {
  const Request& r = w.requests.at(i);
  return {w.hash_ids.begin() + r.hash_begin, w.hash_ids.begin() + r.hash_begin + r.hash_count};
}

const std::string kRow = R"({"timestamp": 0, "input_length": 10, "output_length": 4)";

}  // namespace

TEST_CASE("mooncake: the fixture, hash ids by request, trailing blank line") {
  const RequestWorkload w = read_mooncake_requests(kMooncake);
  CHECK(w.format == "mooncake");
  CHECK(w.prefix_block_tokens == 512);
  REQUIRE(w.requests.size() == 5);  // line 4 generated nothing
  const double arrivals[] = {0, 0, 3.052, 6.104, 9};
  const int prompts[] = {1100, 1300, 600, 512, 2000};
  const int outputs[] = {500, 490, 794, 1, 31};
  const int lines[] = {1, 2, 3, 5, 6};
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(w.requests[i].arrival_s == arrivals[i]);
    CHECK(w.requests[i].prompt_tokens == prompts[i]);
    CHECK(w.requests[i].output_tokens == outputs[i]);
    CHECK(w.requests[i].line == lines[i]);
  }
  CHECK(hashes(w, 0) == std::vector<std::uint64_t>{0, 1, 2});
  CHECK(hashes(w, 1) == std::vector<std::uint64_t>{0, 1, 3});  // shares two blocks with the first
  CHECK(hashes(w, 2) == std::vector<std::uint64_t>{4, 5});
  CHECK(hashes(w, 3) == std::vector<std::uint64_t>{0});
  CHECK(hashes(w, 4) == std::vector<std::uint64_t>{0, 1, 7, 8});
  CHECK(w.hash_ids.size() == 13);  // the dropped request's id is not kept
  CHECK(w.metadata ==
        Metadata{{"epoch_first_arrival", "timestamp 0 ms"}, {"dropped_zero_output_length", "1"}});
}

TEST_CASE("mooncake: optional hash_ids, other keys, block count, order, CRLF") {
  const RequestWorkload w = read_text(
      R"({"timestamp": 2500.5, "input_length": 1025, "output_length": 3, "hash_ids": [9, 8]})"
      "\r\n\r\n" +
      kRow + R"(, "session_id": "s1", "delay": 0})" + "\n" + kRow + ", \"hash_ids\": []}\n");
  REQUIRE(w.requests.size() == 3);
  // Sorted: the two at 0 ms in file order, then the one at 2500.5 ms.
  CHECK(w.requests[0].line == 3);
  CHECK(w.requests[0].hash_count == 0);
  CHECK(w.requests[1].line == 4);
  CHECK(w.requests[2].arrival_s == 2.5005);
  CHECK(hashes(w, 2) == std::vector<std::uint64_t>{9, 8});
  // A line's other keys in alphabetical order; 1025 tokens are 3 blocks of 512, not 2.
  CHECK(w.metadata == Metadata{{"epoch_first_arrival", "timestamp 0 ms"},
                               {"ignored_fields", "delay, session_id"},
                               {"rows_out_of_order", "1 (sorted by arrival)"},
                               {"hash_ids_not_one_per_512_tokens", "1"}});
}

TEST_CASE("mooncake: large hash ids are kept whole") {
  const RequestWorkload w = read_text(kRow + R"(, "hash_ids": [18446744073709551615]})" + "\n");
  CHECK(hashes(w, 0) == std::vector<std::uint64_t>{18446744073709551615ULL});
}

TEST_CASE("mooncake: sniffing") {
  CHECK(sniff_mooncake_requests(kRow + ", \"hash_ids\": [1]}\n"));
  CHECK(sniff_mooncake_requests("\n  " + kRow + "}"));
  CHECK_FALSE(sniff_mooncake_requests(R"({"jobs": [], "profiles": {}})"));
  CHECK_FALSE(
      sniff_mooncake_requests(R"([{"timestamp": 0, "input_length": 1, "output_length": 1}])"));
  CHECK_FALSE(sniff_mooncake_requests("timestamp,input_length,output_length\n"));
}
