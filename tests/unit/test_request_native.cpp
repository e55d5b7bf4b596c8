// suanli's request CSV: mapping, ordering, ids, sniffing (bad input: test_request_errors.cpp).
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "suanli/workload/request_format.hpp"
#include "test_support.hpp"

using namespace suanli::workload;
using suanli::testing::TempFile;
using Metadata = std::vector<std::pair<std::string, std::string>>;

TEST_CASE("native requests: the fixture, mapped column by column") {
  const std::string path = std::string(SUANLI_FIXTURES) + "/requests/native.csv";
  const RequestWorkload w = read_native_requests(path);
  CHECK(w.format == "native");
  CHECK(w.source == path);
  REQUIRE(w.requests.size() == 5);
  // Sorted by arrival, ties in file order: r1, r2, r3 (both at 0.25), r4 (1.125), r5 (1.5).
  const char* ids[] = {"r1", "r2", "r3", "r4", "r5"};
  const double arrivals[] = {0, 0.25, 0.25, 1.125, 1.5};
  const int lines[] = {4, 5, 6, 8, 7};
  for (std::size_t i = 0; i < 5; ++i) {
    CHECK(w.request_id(i) == ids[i]);
    CHECK(w.requests[i].arrival_s == arrivals[i]);
    CHECK(w.requests[i].line == lines[i]);
    CHECK(w.requests[i].hash_count == 0);
  }
  CHECK(w.requests[1].prompt_tokens == 2048);
  CHECK(w.requests[1].output_tokens == 64);
  CHECK(w.models == std::vector<std::string>{"", "llama-3-70b", "mixtral,8x7b"});
  CHECK(w.slo_classes == std::vector<std::string>{"", "interactive", "batch"});
  CHECK(w.models[w.requests[1].model] == "mixtral,8x7b");
  CHECK(w.slo_classes[w.requests[1].slo_class] == "batch");
  CHECK(w.requests[4].model == 0);  // r5: no model, no class
  CHECK(w.requests[4].slo_class == 0);
  CHECK(w.metadata ==
        Metadata{{"ignored_columns", "note"}, {"rows_out_of_order", "1 (sorted by arrival)"}});
  CHECK(w.hash_ids.empty());
}

TEST_CASE("native requests: only the required columns, ids are indices, times as written") {
  const TempFile f("suanli_req_native", "min.csv",
                   "output_tokens,arrival_time,prompt_tokens\n3,10,4\n5,12.5,6\n");
  const RequestWorkload w = read_native_requests(f.path());
  REQUIRE(w.requests.size() == 2);
  CHECK(w.ids.empty());
  CHECK(w.request_id(1) == "1");
  CHECK(w.requests[0].arrival_s == 10);  // not shifted: native times are the replay's
  CHECK(w.requests[1].prompt_tokens == 6);
  CHECK(w.requests[1].output_tokens == 5);
  CHECK(w.models.size() == 1);
  CHECK(w.metadata.empty());
}

TEST_CASE("native requests: a header only is an empty trace") {
  const TempFile f("suanli_req_native", "empty.csv", "arrival_time,prompt_tokens,output_tokens\n");
  CHECK(read_native_requests(f.path()).requests.empty());
}

TEST_CASE("native requests: pandas-style whole floats are token counts") {
  const TempFile f("suanli_req_native", "floats.csv",
                   "arrival_time,prompt_tokens,output_tokens\n0,12.0,3.0\n");
  const RequestWorkload w = read_native_requests(f.path());
  CHECK(w.requests.at(0).prompt_tokens == 12);
  CHECK(w.requests.at(0).output_tokens == 3);
}

TEST_CASE("native requests: ids follow their requests when sorted") {
  const TempFile f("suanli_req_native", "ids.csv",
                   "arrival_time,prompt_tokens,output_tokens,request_id\n"
                   "3,1,1,c\n1,1,1,a\n2,1,1,b\n1,1,1,a2\n");
  const RequestWorkload w = read_native_requests(f.path());
  REQUIRE(w.ids.size() == 4);
  CHECK(w.request_id(0) == "a");
  CHECK(w.request_id(1) == "a2");
  CHECK(w.request_id(2) == "b");
  CHECK(w.request_id(3) == "c");
  CHECK(w.requests[3].line == 2);
  CHECK(w.metadata == Metadata{{"rows_out_of_order", "2 (sorted by arrival)"}});
}

TEST_CASE("native requests: sniffing looks at the header only") {
  CHECK(sniff_native_requests("arrival_time,prompt_tokens,output_tokens\n0,1,1\n"));
  CHECK(sniff_native_requests("# comment\n\n\"prompt_tokens\",x\n"));  // reader names the rest
  CHECK_FALSE(sniff_native_requests("job_id,submit_time,num_gpus,duration\n"));
  CHECK_FALSE(sniff_native_requests("TIMESTAMP,ContextTokens,GeneratedTokens\n"));
  CHECK_FALSE(sniff_native_requests("x,y\narrival_time,prompt_tokens,output_tokens\n"));
}
