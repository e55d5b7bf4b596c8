// BurstGPT: failed requests dropped, models and log types kept, the later 8-column layout
// (bad input: test_request_errors.cpp).
#include <doctest/doctest.h>

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
const std::string kHeader =
    "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n";

}  // namespace

TEST_CASE("burstgpt: the fixture, failed requests dropped and counted") {
  const RequestWorkload w = read_burstgpt_requests(kFixtures + "burstgpt.csv");
  CHECK(w.format == "burstgpt");
  REQUIRE(w.requests.size() == 4);
  const double arrivals[] = {0, 40, 113, 195};
  const int prompts[] = {472, 1087, 417, 1500};
  const int outputs[] = {18, 230, 276, 321};
  const char* models[] = {"ChatGPT", "ChatGPT", "GPT-4", "GPT-4"};
  const char* classes[] = {"Conversation log", "Conversation log", "API log", "Conversation log"};
  const int lines[] = {2, 3, 5, 8};
  for (std::size_t i = 0; i < 4; ++i) {
    const Request& r = w.requests[i];
    CHECK(r.arrival_s == arrivals[i]);
    CHECK(r.prompt_tokens == prompts[i]);
    CHECK(r.output_tokens == outputs[i]);
    CHECK(w.models[r.model] == models[i]);
    CHECK(w.slo_classes[r.slo_class] == classes[i]);
    CHECK(r.line == lines[i]);
  }
  // Only kept rows name models and classes: the failed GPT-4 row on line 4 comes first.
  CHECK(w.models == std::vector<std::string>{"", "ChatGPT", "GPT-4"});
  CHECK(w.slo_classes == std::vector<std::string>{"", "Conversation log", "API log"});
  CHECK(w.metadata == Metadata{{"epoch_first_arrival", "5 s after 0:00 of the trace's first day"},
                               {"dropped_failed_response_tokens_0", "2"},
                               {"dropped_zero_request_tokens", "1"},
                               {"ignored_columns", "Total tokens"}});
}

TEST_CASE("burstgpt: the layout with Session ID and Elapsed time") {
  const RequestWorkload w = read_burstgpt_requests(kFixtures + "burstgpt_sessions.csv");
  REQUIRE(w.requests.size() == 2);
  CHECK(w.requests[1].arrival_s == 2);
  CHECK(w.requests[1].prompt_tokens == 260);
  CHECK(w.metadata ==
        Metadata{{"epoch_first_arrival", "3600 s after 0:00 of the trace's first day"},
                 {"dropped_failed_response_tokens_0", "1"},
                 {"ignored_columns", "Session ID, Elapsed time, Total tokens"}});
}

TEST_CASE("burstgpt: without Model and Log Type, requests name none") {
  const TempFile f("suanli_req_burst", "min.csv",
                   "Timestamp,Request tokens,Response tokens\n10.5,3,4\n9,5,6\n");
  const RequestWorkload w = read_burstgpt_requests(f.path());
  REQUIRE(w.requests.size() == 2);
  CHECK(w.requests[0].arrival_s == 0);  // 9 s: sorted first
  CHECK(w.requests[1].arrival_s == 1.5);
  CHECK(w.models.size() == 1);
  CHECK(w.slo_classes.size() == 1);
  CHECK(w.metadata == Metadata{{"epoch_first_arrival", "9 s after 0:00 of the trace's first day"},
                               {"rows_out_of_order", "1 (sorted by arrival)"}});
}

TEST_CASE("burstgpt: every row failed") {
  const TempFile f("suanli_req_burst", "failed.csv", kHeader + "1,ChatGPT,5,0,5,API log\n");
  const RequestWorkload w = read_burstgpt_requests(f.path());
  CHECK(w.requests.empty());
  CHECK(w.metadata ==
        Metadata{{"dropped_failed_response_tokens_0", "1"}, {"ignored_columns", "Total tokens"}});
}

TEST_CASE("burstgpt: sniffing") {
  CHECK(sniff_burstgpt_requests(kHeader + "5,ChatGPT,472,18,490,Conversation log\n"));
  CHECK(sniff_burstgpt_requests(
      "Timestamp,Session ID,Elapsed time,Model,Request tokens,Response tokens,Total tokens,Log "
      "Type\n"));
  CHECK_FALSE(sniff_burstgpt_requests("Timestamp,Model,Request tokens\n"));
  CHECK_FALSE(sniff_burstgpt_requests("TIMESTAMP,ContextTokens,GeneratedTokens\n"));
}
