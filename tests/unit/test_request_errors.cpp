// Bad input in every request trace format: one line naming the file, the line and the field.
#include <doctest/doctest.h>

#include <string>

#include "suanli/workload/request_format.hpp"
#include "test_support.hpp"

using namespace suanli::workload;
using suanli::testing::input_error_of;
using suanli::testing::TempFile;

namespace {

// The message `read` gives for a file holding `content`, without the file name before it.
std::string error_of(RequestWorkload (*read)(const std::string&), const std::string& content) {
  const TempFile f("suanli_req_errors", "bad.txt", content);
  const std::string e = input_error_of([&] { read(f.path()); }, content);
  CHECK_MESSAGE(e.starts_with(f.path()), e);
  return e.substr(std::min(e.size(), f.path().size()));
}

std::string native(const std::string& content) {
  return error_of(&read_native_requests, content);
}
std::string azure(const std::string& rows) {
  return error_of(&read_azure_llm_requests, "TIMESTAMP,ContextTokens,GeneratedTokens\n" + rows);
}
std::string burstgpt(const std::string& rows) {
  return error_of(&read_burstgpt_requests,
                  "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n" + rows);
}
std::string mooncake(const std::string& lines) {
  return error_of(&read_mooncake_requests, lines);
}

const std::string kRow = R"({"timestamp": 0, "input_length": 10, "output_length": 4)";

}  // namespace

TEST_CASE("request errors: native") {
  const std::string header = "arrival_time,prompt_tokens,output_tokens,request_id\n";
  CHECK(native("") ==
        ": no header line (the file is empty); expected a header like "
        "'arrival_time,prompt_tokens,output_tokens'");
  CHECK(native("# only a comment\n\n") ==
        ": no header line (the file is empty); expected a header like "
        "'arrival_time,prompt_tokens,output_tokens'");
  CHECK(native("arrival_time,output_tokens\n1,2\n") ==
        ":1: prompt_tokens: required column missing from the header (expected a header like "
        "'arrival_time,prompt_tokens,output_tokens')");
  CHECK(native(header + "0,1,1,a\nsoon,1,1,b\n") == ":3: arrival_time: 'soon' is not a number");
  CHECK(native(header + ",1,1,a\n") == ":2: arrival_time: missing value");
  CHECK(native(header + "-1,1,1,a\n") == ":2: arrival_time: must be >= 0 seconds, got '-1'");
  CHECK(native(header + "0,-5,1,a\n") == ":2: prompt_tokens: must be >= 0, got '-5'");
  CHECK(native(header + "0,5,0,a\n") == ":2: output_tokens: must be >= 1 token, got 0");
  CHECK(native(header + "0,0,3,a\n") == ":2: prompt_tokens: must be >= 1 token, got 0");
  CHECK(native(header + "0,1.5,3,a\n") == ":2: prompt_tokens: '1.5' is not a whole number");
  CHECK(native(header + "0,many,3,a\n") == ":2: prompt_tokens: 'many' is not a number");
  CHECK(native(header + "0,3e12,3,a\n") ==
        ":2: prompt_tokens: '3e12' is out of range (at most 2147483647 tokens)");
  CHECK(native(header + "0,1,1,a\n1,1,1,\n") ==
        ":3: request_id: missing value (every request needs an id when the column is there)");
  CHECK(native(header + "0,1,1,a\n1,1,1,b\n2,1,1,a\n") ==
        ":4: request_id: duplicate request id 'a' (first on line 2)");
  CHECK(native(header + "0,1,1\n") == ":2: expected 4 fields as in the header (line 1), found 3");
  CHECK(native(header + "0,1,1,\"a\n") ==
        ":2: request_id: unterminated quoted field (quotes must close on the same line)");
  CHECK(native("arrival_time,prompt_tokens,prompt_tokens\n") ==
        ":1: prompt_tokens: duplicate column in the header");
}

TEST_CASE("request errors: azure-llm") {
  const std::string shape = " is not a date-time 'YYYY-MM-DD HH:MM:SS[.fffffff][+HH:MM]'";
  CHECK(azure("2023-11-16 18:15:46.6805900,374,x\n") == ":2: GeneratedTokens: 'x' is not a number");
  CHECK(azure("2023-11-16 18:15:46,-1,3\n") == ":2: ContextTokens: must be >= 0, got '-1'");
  for (const std::string bad :
       {"2023-11-16", "2023-11-16 18:15:46.", "2023-11-16 18:15:46.1234567890",
        "2023-02-30 18:15:46", "2023-11-16 18:15:46+25:00", "2023-11-16 18:15:46 UTC",
        "1700000000"})
    CHECK(azure(bad + ",1,3\n") == ":2: TIMESTAMP: '" + bad + "'" + shape);
  CHECK(azure("2023-11-16 18:15:46,1,3\n2300-11-16 18:15:46,1,3\n") ==
        ":3: TIMESTAMP: more than 200 years from the first request");
  CHECK(error_of(&read_azure_llm_requests, "TIMESTAMP,ContextTokens\n") ==
        ":1: GeneratedTokens: required column missing from the header (expected a header like "
        "'TIMESTAMP,ContextTokens,GeneratedTokens')");
}

TEST_CASE("request errors: burstgpt") {
  CHECK(burstgpt("5,ChatGPT,472,-18,454,Conversation log\n") ==
        ":2: Response tokens: must be >= 0, got '-18'");
  CHECK(burstgpt("5,ChatGPT,,18,18,Conversation log\n") == ":2: Request tokens: missing value");
  CHECK(burstgpt("-5,ChatGPT,1,18,19,Conversation log\n") ==
        ":2: Timestamp: must be >= 0 seconds, got '-5'");
  CHECK(burstgpt("later,ChatGPT,1,18,19,Conversation log\n") ==
        ":2: Timestamp: 'later' is not a number");
  CHECK(burstgpt("5,ChatGPT,1,18\n") == ":2: expected 6 fields as in the header (line 1), found 4");
  CHECK(error_of(&read_burstgpt_requests, "Timestamp,Model,Response tokens\n") ==
        ":1: Request tokens: required column missing from the header (expected a header like "
        "'Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type')");
}

TEST_CASE("request errors: mooncake") {
  CHECK(mooncake(kRow + "}\n{\"timestamp\": 1,\n") ==
        ":2: malformed JSON: parse error at line 1, column 17: syntax error while parsing object "
        "key - unexpected end of input; expected string literal");
  CHECK(mooncake(kRow + "}\n# comment\n") ==
        ":2: malformed JSON: parse error at line 1, column 1: syntax error while parsing value - "
        "invalid literal; last read: '#'");
  CHECK(mooncake("[1, 2]\n") == ":1: expected one JSON object per line, got '[1,2]'");
  CHECK(mooncake(R"({"input_length": 10, "output_length": 4})") ==
        ":1: timestamp: missing (a Mooncake line reads {\"timestamp\": ms, \"input_length\": n, "
        "\"output_length\": n, \"hash_ids\": [...]})");
  CHECK(mooncake(R"({"timestamp": "0", "input_length": 10, "output_length": 4})") ==
        ":1: timestamp: \"0\" is not a number of milliseconds");
  CHECK(mooncake(R"({"timestamp": -1, "input_length": 10, "output_length": 4})") ==
        ":1: timestamp: must be >= 0 ms, got -1");
  CHECK(mooncake(R"({"timestamp": 0, "input_length": -10, "output_length": 4})") ==
        ":1: input_length: must be >= 0, got -10");
  CHECK(mooncake(R"({"timestamp": 0, "input_length": 10.5, "output_length": 4})") ==
        ":1: input_length: 10.5 is not a whole number of tokens");
  CHECK(mooncake(R"({"timestamp": 0, "input_length": 10, "output_length": 3000000000})") ==
        ":1: output_length: 3000000000 is out of range (at most 2147483647 tokens)");
  CHECK(mooncake(kRow + R"(, "hash_ids": 5})") ==
        ":1: hash_ids: expected an array of non-negative integers, got '5'");
  CHECK(mooncake(kRow + R"(, "hash_ids": [1, -2]})") ==
        ":1: hash_ids: element 1 is -2, not a non-negative integer");
  CHECK(mooncake(kRow + R"(, "hash_ids": [1, 2.0]})") ==
        ":1: hash_ids: element 1 is 2.0, not a non-negative integer");
  CHECK(mooncake(kRow + R"(, "hash_ids": [1, 18446744073709551616]})") ==
        ":1: hash_ids: element 1 is 1.8446744073709552e+19, not a non-negative integer");
}
