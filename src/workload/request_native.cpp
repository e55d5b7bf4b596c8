// suanli's own request CSV (docs/requests.md): a header, then one request per line.
//   arrival_time,prompt_tokens,output_tokens[,model][,slo_class][,request_id]
// Any column order; other columns are ignored (and named in metadata). Times are seconds from
// the start of the trace, taken as written; token counts are whole numbers >= 1. What
// write_request_csv writes, read back unchanged.
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "suanli/common/input_error.hpp"
#include "suanli/workload/request_format.hpp"
#include "suanli/workload/trace_time.hpp"

namespace suanli::workload {

namespace {

constexpr ColumnNames col{"arrival_time", "prompt_tokens", "output_tokens",
                          "model",        "slo_class",     "request_id"};
constexpr std::array<int, 3> kRequired = {col("arrival_time"), col("prompt_tokens"),
                                          col("output_tokens")};
constexpr std::string_view kExampleHeader = "arrival_time,prompt_tokens,output_tokens";

// The first line of each request id. The ids are already kept, once, in the workload's
// StringList, so a slot holds only an id's index and 32 bits of its hash (8 bytes a slot,
// 16 MB for a million ids) where FirstSeen would keep a second copy of every id in 16-byte
// slots; the hash bits spare most comparisons with other ids. Sized once for the file's lines.
class IdLines {
 public:
  IdLines(const RequestWorkload& w, std::size_t expected)
      : w_(w), slots_(std::bit_ceil(std::max<std::size_t>(16, expected * 2)), 0) {}

  // The hash of `id`, whose slot is fetched into the cache meanwhile: the table is probed at
  // random, and the miss costs less while the rest of the row is parsed.
  std::size_t hash(std::string_view id) const {
    const std::size_t h = std::hash<std::string_view>{}(id);
    __builtin_prefetch(&slots_[h & (slots_.size() - 1)]);
    return h;
  }

  // 0 when the id of request i (of hash `hash`) is new (it is recorded), else the line of the
  // request first holding it.
  int insert(std::uint32_t i, std::size_t hash) {
    if ((used_ + 1) * 2 > slots_.size()) {
      grow();
      hash = std::hash<std::string_view>{}(w_.ids[i]);
    }
    return place(i, hash);
  }

 private:
  int place(std::uint32_t i, std::size_t hash) {
    const std::uint64_t tag = static_cast<std::uint64_t>(hash) >> 32;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t s = hash & mask;; s = (s + 1) & mask) {
      const std::uint64_t slot = slots_[s];
      if (slot == 0) {
        slots_[s] = (tag << 32) | (std::uint64_t{i} + 1);
        ++used_;
        return 0;
      }
      const auto other = static_cast<std::uint32_t>(slot - 1);  // the low 32 bits, minus 1
      if ((slot >> 32) == tag && w_.ids[other] == w_.ids[i]) return w_.requests[other].line;
    }
  }
  void grow() {
    std::vector<std::uint64_t> old(slots_.size() * 2, 0);
    old.swap(slots_);
    used_ = 0;
    for (const std::uint64_t slot : old) {
      if (slot == 0) continue;
      const auto i = static_cast<std::uint32_t>(slot - 1);
      place(i, std::hash<std::string_view>{}(w_.ids[i]));
    }
  }

  const RequestWorkload& w_;
  std::vector<std::uint64_t> slots_;  // hash bits << 32 | (index + 1); 0 = empty
  std::size_t used_ = 0;
};

}  // namespace

RequestWorkload read_native_requests(const std::string& path) {
  RequestWorkload w = start_requests(path, "native");
  RequestCsv csv(path, col.names, kRequired, kExampleHeader);
  NameTable models(w.models), slo_classes(w.slo_classes);
  const std::size_t lines = csv.has(col("request_id")) ? w.requests.capacity() : 0;
  w.ids.reserve(lines);
  IdLines id_lines(w, lines);
  while (csv.next()) {
    const std::size_t id_hash =
        csv.has(col("request_id")) ? id_lines.hash(csv.field(col("request_id"))) : 0;
    const double arrival_s =
        csv.seconds(col("arrival_time"));  // its errors come before the tokens'
    Request r = csv.request(col("prompt_tokens"), col("output_tokens"));
    r.arrival_s = arrival_s;
    if (r.prompt_tokens < 1) csv.fail(col("prompt_tokens"), "must be >= 1 token, got 0");
    if (r.output_tokens < 1) csv.fail(col("output_tokens"), "must be >= 1 token, got 0");
    r.model = models.index(csv.field(col("model")));
    r.slo_class = slo_classes.index(csv.field(col("slo_class")));
    if (csv.has(col("request_id"))) {
      const std::string_view id = csv.field(col("request_id"));
      if (id.empty())
        csv.fail(col("request_id"),
                 "missing value (every request needs an id when the column is there)");
      w.ids.push_back(id);
    }
    w.requests.push_back(r);
    if (csv.has(col("request_id"))) {
      if (const int first =
              id_lines.insert(static_cast<std::uint32_t>(w.requests.size() - 1), id_hash))
        csv.fail(col("request_id"), "duplicate request id " +
                                        quote_for_message(csv.field(col("request_id"))) +
                                        " (first on line " + std::to_string(first) + ")");
    }
  }
  finish_requests(w, nullptr, {}, csv.ignored());
  return w;
}

// The header (the first line that is not blank or a comment) names one of the native
// columns. A native file missing another required column is still read as native, and its
// reader names the missing column.
bool sniff_native_requests(std::string_view head) {
  return csv_header_has_columns(head, {"arrival_time"}) ||
         csv_header_has_columns(head, {"prompt_tokens"}) ||
         csv_header_has_columns(head, {"output_tokens"});
}

}  // namespace suanli::workload
