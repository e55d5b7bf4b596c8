// The Azure LLM inference traces (2023 and 2024 layouts) and the real 2023 files (bad input:
// test_request_errors.cpp).
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "suanli/workload/request_format.hpp"
#include "test_support.hpp"

using namespace suanli::workload;
using suanli::testing::TempFile;
using Metadata = std::vector<std::pair<std::string, std::string>>;

namespace {

const std::string kFixtures = std::string(SUANLI_FIXTURES) + "/requests/";

// The arrival of the row at `timestamp` after a first row at `first`.
double arrival_after(const std::string& first, const std::string& timestamp) {
  const TempFile f(
      "suanli_req_azure", "two.csv",
      "TIMESTAMP,ContextTokens,GeneratedTokens\n" + first + ",1,1\n" + timestamp + ",1,1\n");
  return read_azure_llm_requests(f.path()).requests.at(1).arrival_s;
}

}  // namespace

TEST_CASE("azure-llm: 2023 layout with CRLF, 7 or fewer fractional digits, no final newline") {
  const RequestWorkload w = read_azure_llm_requests(kFixtures + "azure_2023.csv");
  CHECK(w.format == "azure-llm");
  REQUIRE(w.requests.size() == 6);  // the row that generated 0 tokens is dropped
  const double arrivals[] = {0, 4.314579, 4.541877, 4.70941, 5.81941, 3501.721937};
  const int prompts[] = {374, 396, 879, 91, 2048, 197};
  const int outputs[] = {44, 109, 55, 16, 7, 183};
  const int lines[] = {2, 3, 4, 5, 7, 8};
  for (std::size_t i = 0; i < 6; ++i) {
    CHECK(w.requests[i].arrival_s == doctest::Approx(arrivals[i]).epsilon(1e-12));
    CHECK(w.requests[i].prompt_tokens == prompts[i]);
    CHECK(w.requests[i].output_tokens == outputs[i]);
    CHECK(w.requests[i].line == lines[i]);
    CHECK(w.requests[i].model == 0);
  }
  CHECK(w.metadata == Metadata{{"epoch_first_arrival", "2023-11-16 18:15:46.6805900"},
                               {"dropped_zero_output_tokens", "1"}});
  CHECK(w.ids.empty());
  CHECK(w.models.size() == 1);
}

TEST_CASE("azure-llm: 2024 layout with a UTC offset, sorted when out of order") {
  const RequestWorkload w = read_azure_llm_requests(kFixtures + "azure_2024.csv");
  REQUIRE(w.requests.size() == 4);
  CHECK(w.requests[0].arrival_s == 0);
  CHECK(w.requests[1].arrival_s == doctest::Approx(0.02595).epsilon(1e-12));
  CHECK(w.requests[2].arrival_s == doctest::Approx(0.63099).epsilon(1e-12));
  CHECK(w.requests[2].line == 5);
  CHECK(w.requests[3].arrival_s == doctest::Approx(0.99007).epsilon(1e-12));
  CHECK(w.metadata == Metadata{{"epoch_first_arrival", "2024-05-10 00:00:00.009930+00:00"},
                               {"rows_out_of_order", "1 (sorted by arrival)"}});
}

TEST_CASE("azure-llm: sub-microsecond ticks survive and offsets are applied") {
  // 100 ns apart, a day after the first request: a double of Unix seconds could not tell.
  CHECK(arrival_after("2023-11-16 18:15:46.6805900", "2023-11-17 18:15:46.6806901") ==
        86400.0001001);
  CHECK(arrival_after("2024-05-10 00:00:00+00:00", "2024-05-10 02:30:00.5+02:00") == 1800.5);
  CHECK(arrival_after("2024-05-10 00:00:00Z", "2024-05-09 23:00:00-0130") == 1800);
  CHECK(arrival_after("2024-05-10T00:00:00", "2024-05-10T00:00:00.123456789") == 0.123456789);
}

TEST_CASE("azure-llm: the first request sets time 0 even when it is not the first row") {
  const TempFile f("suanli_req_azure", "first.csv",
                   "TIMESTAMP,ContextTokens,GeneratedTokens\n"
                   "2023-11-16 18:00:10,5,0\n"  // dropped: not the origin
                   "2023-11-16 18:00:20,5,5\n"
                   "2023-11-16 18:00:15.25,5,5\n");  // the earliest kept request
  const RequestWorkload w = read_azure_llm_requests(f.path());
  REQUIRE(w.requests.size() == 2);
  CHECK(w.requests[0].arrival_s == 0);
  CHECK(w.requests[0].line == 4);
  CHECK(w.requests[1].arrival_s == 4.75);
  CHECK(w.metadata == Metadata{{"epoch_first_arrival", "2023-11-16 18:00:15.25"},
                               {"dropped_zero_output_tokens", "1"},
                               {"rows_out_of_order", "1 (sorted by arrival)"}});
}

TEST_CASE("azure-llm: sniffing") {
  CHECK(sniff_azure_llm_requests(
      "TIMESTAMP,ContextTokens,GeneratedTokens\r\n2023-11-16 18:15:46,1,1"));
  CHECK(sniff_azure_llm_requests(
      "\xEF\xBB\xBF\"TIMESTAMP\",\"ContextTokens\",\"GeneratedTokens\"\n"));
  CHECK_FALSE(sniff_azure_llm_requests("TIMESTAMP,ContextTokens\n"));
  CHECK_FALSE(sniff_azure_llm_requests("Timestamp,Model,Request tokens,Response tokens\n"));
}

TEST_CASE("azure-llm: the real 2023 traces (when /work/shared/traces is present)") {
  const std::filesystem::path root = "/work/shared/traces/azure_llm_2023";
  if (!std::filesystem::exists(root)) {
    MESSAGE("skipped: " << root.string() << " is not present");
    return;
  }
  // Counted with python's csv module: rows, sums of ContextTokens and GeneratedTokens, last
  // TIMESTAMP minus first.
  struct Expected {
    const char* file;
    std::size_t rows;
    std::int64_t prompt, output;
    double span_s;
    const char* epoch;
  };
  const Expected files[] = {
      {"AzureLLMInferenceTrace_conv.csv", 19366, 22361870, 4088665, 3501.721937,
       "2023-11-16 18:15:46.6805900"},
      {"AzureLLMInferenceTrace_code.csv", 8819, 18059974, 245896, 3435.948056,
       "2023-11-16 18:17:03.9799600"},
  };
  for (const Expected& e : files) {
    const std::string path = (root / e.file).string();
    const RequestWorkload w = read_requests(path, "");  // detected
    CHECK(w.format == "azure-llm");
    CHECK(w.requests.size() == e.rows);
    std::int64_t prompt = 0, output = 0;
    for (const Request& r : w.requests) {
      prompt += r.prompt_tokens;
      output += r.output_tokens;
    }
    CHECK(prompt == e.prompt);
    CHECK(output == e.output);
    CHECK(w.requests.back().arrival_s == doctest::Approx(e.span_s).epsilon(1e-12));
    // Nothing dropped, nothing out of order.
    CHECK(w.metadata == Metadata{{"epoch_first_arrival", e.epoch}});
  }
}
