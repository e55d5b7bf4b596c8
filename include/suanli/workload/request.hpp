#pragma once
// An LLM inference request as a serving trace describes it: when it arrives, how many prompt
// tokens it brings, how many tokens it generates, which model and SLO class it asks for and,
// when the trace says so, which prefix blocks (KV-cache blocks) its prompt shares with other
// requests. Fixed size (40 bytes): names and hash ids live once in the RequestWorkload and
// requests refer to them by index, so a million requests take about 40 MB.
// docs/requests.md describes the formats read into it and the generator.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace suanli::workload {

struct Request {
  // Seconds from the start of the trace: a published trace's first request arrives at 0; a
  // native file's times are taken as written (>= 0).
  double arrival_s = 0;
  std::int32_t prompt_tokens = 0;  // >= 1
  std::int32_t output_tokens = 0;  // >= 1 (readers drop and count rows that generated none)
  std::uint32_t model = 0;         // index into RequestWorkload::models; models[0] is ""
  std::uint32_t slo_class = 0;     // index into RequestWorkload::slo_classes; [0] is ""
  // Prefix blocks: hash_ids[hash_begin, hash_begin + hash_count) of the workload, one id per
  // prefix_block_tokens tokens of the prompt (Mooncake: 512). Equal ids are equal blocks.
  std::uint32_t hash_begin = 0;
  std::uint32_t hash_count = 0;
  std::int32_t line = 0;  // line in the source (or request number when generated), for messages
};

// Many short strings in one buffer: a million request ids cost their characters plus 8 bytes
// each instead of a std::string (32 bytes) each. Append-only.
class StringList {
 public:
  std::size_t size() const { return ends_.size(); }
  bool empty() const { return ends_.empty(); }
  std::string_view operator[](std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(chars_).substr(begin, ends_[i] - begin);
  }
  void push_back(std::string_view text) {
    chars_ += text;
    ends_.push_back(chars_.size());
  }
  void reserve(std::size_t strings) { ends_.reserve(strings); }
  void clear() {
    chars_.clear();
    ends_.clear();
  }

 private:
  std::string chars_;
  std::vector<std::size_t> ends_;  // end of string i in chars_
};

struct RequestWorkload {
  std::string source;  // the file it was read from, or "generated"
  std::string format;  // registry name of the format it was read as
  // Sorted by arrival; requests arriving at the same time keep their order in the file.
  // Readers sort when the file is not in order (and say so in metadata).
  std::vector<Request> requests;
  // The request_id of each request when the trace gives one (ids[i] belongs to requests[i]),
  // else empty: a request's id is then its index.
  StringList ids;
  std::vector<std::string> models{""}, slo_classes{""};
  std::vector<std::uint64_t> hash_ids;  // in file order; requests refer to ranges of it
  int prefix_block_tokens = 512;        // tokens per hash block
  // What the trace says about itself and what the reader did, in order: the original time of
  // the first arrival, rows dropped by reason, rows out of order, ignored columns.
  std::vector<std::pair<std::string, std::string>> metadata;

  std::string request_id(std::size_t i) const {
    return ids.empty() ? std::to_string(i) : std::string(ids[i]);
  }
};

}  // namespace suanli::workload
