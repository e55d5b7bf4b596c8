// write_request_csv: every format read, written as native CSV and read back, is the same
// requests (all but hash ids, metadata and source lines).
#include <doctest/doctest.h>

#include <sstream>
#include <stdexcept>
#include <string>

#include "suanli/workload/request_format.hpp"
#include "suanli/workload/request_generator.hpp"
#include "suanli/workload/request_writer.hpp"
#include "test_support.hpp"

using namespace suanli::workload;
using suanli::testing::TempFile;

namespace {

const std::string kFixtures = std::string(SUANLI_FIXTURES) + "/requests/";

std::string written(const RequestWorkload& w) {
  std::ostringstream out;
  write_request_csv(w, out);
  return out.str();
}

// Writes `w`, reads it back as native, and checks that every request is the same.
RequestWorkload round_trip(const RequestWorkload& w) {
  const TempFile f("suanli_req_writer", "round.csv", written(w));
  const RequestWorkload back = read_requests(f.path(), "");
  CHECK(back.format == "native");
  REQUIRE(back.requests.size() == w.requests.size());
  CHECK(back.ids.empty() == w.ids.empty());
  for (std::size_t i = 0; i < w.requests.size(); ++i) {
    const Request& a = w.requests[i];
    const Request& b = back.requests[i];
    CHECK(a.arrival_s == b.arrival_s);  // bit for bit
    CHECK(a.prompt_tokens == b.prompt_tokens);
    CHECK(a.output_tokens == b.output_tokens);
    CHECK(w.models[a.model] == back.models[b.model]);
    CHECK(w.slo_classes[a.slo_class] == back.slo_classes[b.slo_class]);
    CHECK(w.request_id(i) == back.request_id(i));
  }
  return back;
}

}  // namespace

TEST_CASE("request writer: every fixture round-trips through native CSV") {
  for (const char* file : {"native.csv", "azure_2023.csv", "azure_2024.csv", "burstgpt.csv",
                           "burstgpt_sessions.csv", "mooncake.jsonl"}) {
    CAPTURE(file);
    round_trip(read_requests(kFixtures + file, ""));
  }
}

TEST_CASE("request writer: what it writes") {
  const RequestWorkload native = read_native_requests(kFixtures + "native.csv");
  CHECK(written(native) ==
        "arrival_time,prompt_tokens,output_tokens,model,slo_class,request_id\n"
        "0,512,128,llama-3-70b,interactive,r1\n"
        "0.25,2048,64,\"mixtral,8x7b\",batch,r2\n"
        "0.25,100,1,llama-3-70b,interactive,r3\n"
        "1.125,900,42,llama-3-70b,interactive,r4\n"
        "1.5,7,300,,,r5\n");
  // Nothing to say about models, classes or ids: no such columns.
  const RequestWorkload azure = read_azure_llm_requests(kFixtures + "azure_2024.csv");
  CHECK(written(azure) ==
        "arrival_time,prompt_tokens,output_tokens\n"
        "0,2162,5\n0.02595,4561,20\n0.63099,18,386\n0.99007,1201,1\n");
  // A written file reads back as it was written, so a second round changes nothing.
  const RequestWorkload again = round_trip(round_trip(native));
  CHECK(written(again) == written(native));
}

TEST_CASE("request writer: generated requests and awkward names") {
  RequestGenOptions o;
  o.count = 2000;
  o.seed = 7;
  o.rate = 3.3;
  o.arrival = "gamma";
  o.burstiness = 4;
  o.model = "#1 model, \"quoted\" ";
  const RequestWorkload w = generate_requests(o);
  const RequestWorkload back = round_trip(w);
  CHECK(back.models.at(1) == o.model);

  RequestWorkload bad = w;
  bad.models[1] = "two\nlines";
  CHECK_THROWS_AS(written(bad), std::invalid_argument);
}
