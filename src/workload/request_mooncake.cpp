// Mooncake traces (kvcache-ai/Mooncake, FAST'25 release: conversation_trace.jsonl,
// synthetic_trace.jsonl, toolagent_trace.jsonl, and the earlier mooncake_trace.jsonl;
// docs/requests.md): one JSON object per line,
//   {"timestamp": 27482, "input_length": 6955, "output_length": 52, "hash_ids": [46, 47, ...]}
// timestamp is milliseconds from the first request; hash_ids are the remapped hashes of the
// prompt's 512-token blocks (equal ids, equal prefix blocks). Each line is parsed on its own
// (nlohmann::json), the file is streamed. Other keys are ignored and named in metadata; rows
// with no input or no output token are dropped and counted.
#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "suanli/common/input_error.hpp"
#include "suanli/workload/request_format.hpp"

namespace suanli::workload {

namespace {

constexpr int kBlockTokens = 512;
enum Drop : std::size_t { kZeroInput, kZeroOutput, kDropCount };

class MooncakeReader {
 public:
  explicit MooncakeReader(const std::string& path) : path_(path) {}
  RequestWorkload read();

 private:
  [[noreturn]] void fail(std::string_view field, const std::string& what) const {
    throw InputError(located(path_, line_, std::string(field), what));
  }
  const nlohmann::json& member(const nlohmann::json& row, std::string_view key) const;
  std::int32_t length(const nlohmann::json& row, std::string_view key) const;
  void read_row(std::span<char> text);

  std::string path_;
  int line_ = 0;
  RequestWorkload w_;
  std::array<Dropped, kDropCount> dropped_{{{"zero_input_length"}, {"zero_output_length"}}};
  std::size_t blocks_mismatch_ = 0;
  std::vector<std::string> ignored_;
  FirstArrival first_{"timestamp ", " ms"};
};

const nlohmann::json& MooncakeReader::member(const nlohmann::json& row,
                                             std::string_view key) const {
  const auto at = row.find(key);
  if (at == row.end())
    fail(key,
         "missing (a Mooncake line reads {\"timestamp\": ms, "
         "\"input_length\": n, \"output_length\": n, \"hash_ids\": [...]})");
  return *at;
}

std::int32_t MooncakeReader::length(const nlohmann::json& row, std::string_view key) const {
  const nlohmann::json& v = member(row, key);
  if (!v.is_number_integer()) fail(key, v.dump() + " is not a whole number of tokens");
  if (!v.is_number_unsigned()) fail(key, "must be >= 0, got " + v.dump());  // negative
  if (v.get<std::uint64_t>() > std::numeric_limits<std::int32_t>::max())
    fail(key, v.dump() + " is out of range (at most 2147483647 tokens)");
  return static_cast<std::int32_t>(v.get<std::uint64_t>());
}

void MooncakeReader::read_row(std::span<char> text) {
  nlohmann::json row;
  try {
    row = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    if (const auto at = what.find("] "); at != std::string::npos) what.erase(0, at + 2);
    fail("", "malformed JSON: " + what);
  }
  if (!row.is_object())
    fail("", "expected one JSON object per line, got " + quote_for_message(row.dump()));

  const nlohmann::json& timestamp = member(row, "timestamp");
  if (!timestamp.is_number())
    fail("timestamp", timestamp.dump() + " is not a number of milliseconds");
  const double ms = timestamp.get<double>();
  if (!(ms >= 0)) fail("timestamp", "must be >= 0 ms, got " + timestamp.dump());
  Request r;
  r.line = line_;
  r.arrival_s = ms / 1000.0;
  r.prompt_tokens = length(row, "input_length");
  r.output_tokens = length(row, "output_length");

  // hash_ids: checked on every row, stored for the kept ones.
  const std::size_t begin = w_.hash_ids.size();
  if (const auto at = row.find("hash_ids"); at != row.end()) {
    if (!at->is_array())
      fail("hash_ids",
           "expected an array of non-negative integers, got " + quote_for_message(at->dump()));
    for (std::size_t i = 0; i < at->size(); ++i) {
      const nlohmann::json& id = (*at)[i];
      if (!id.is_number_unsigned())
        fail("hash_ids", fmt::format("element {} is {}, not a non-negative integer", i, id.dump()));
      w_.hash_ids.push_back(id.get<std::uint64_t>());
    }
  }
  for (const auto& [key, value] : row.items()) {
    if (key != "timestamp" && key != "input_length" && key != "output_length" &&
        key != "hash_ids" && std::find(ignored_.begin(), ignored_.end(), key) == ignored_.end())
      ignored_.push_back(key);
  }
  if (r.prompt_tokens == 0 || r.output_tokens == 0) {
    ++dropped_[r.prompt_tokens == 0 ? kZeroInput : kZeroOutput].count;
    w_.hash_ids.resize(begin);
    return;
  }
  if (w_.hash_ids.size() > std::numeric_limits<std::uint32_t>::max())
    fail("hash_ids", "more than 2^32 hash ids in the file");
  r.hash_begin = static_cast<std::uint32_t>(begin);
  r.hash_count = static_cast<std::uint32_t>(w_.hash_ids.size() - begin);
  if (r.hash_count > 0 &&
      r.hash_count != (std::int64_t{r.prompt_tokens} + kBlockTokens - 1) / kBlockTokens)
    ++blocks_mismatch_;
  if (r.arrival_s < first_.seconds) first_.see(r.arrival_s, timestamp.dump());
  w_.requests.push_back(r);
}

RequestWorkload MooncakeReader::read() {
  w_ = start_requests(path_, "mooncake");
  w_.prefix_block_tokens = kBlockTokens;
  // Blank lines (a trailing one is common) are passed over; '#' is no comment in JSON.
  FileLines lines(path_);
  std::span<char> text;
  while (lines.next(text)) {
    if (is_skipped_line(text, LineRules{.skip_comments = false, .cr_is_blank = true})) continue;
    line_ = lines.line();
    read_row(text);
  }
  finish_requests(w_, &first_, dropped_, ignored_, "ignored_fields");
  if (blocks_mismatch_ > 0)
    w_.metadata.emplace_back("hash_ids_not_one_per_512_tokens", std::to_string(blocks_mismatch_));
  return std::move(w_);
}

}  // namespace

RequestWorkload read_mooncake_requests(const std::string& path) {
  return MooncakeReader(path).read();
}

// The first line that is not blank is a JSON object with Mooncake's length keys.
bool sniff_mooncake_requests(std::string_view head) {
  const std::size_t start = head.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos || head[start] != '{') return false;
  const std::string_view line = head.substr(start, head.find('\n', start) - start);
  return line.find("\"input_length\"") != std::string_view::npos &&
         line.find("\"output_length\"") != std::string_view::npos;
}

}  // namespace suanli::workload
