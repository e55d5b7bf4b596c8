#pragma once
// Every LLM request trace format suanli reads, behind one registry (src/workload/
// request_registry.cpp), like trace_format.hpp for jobs: each reader is one file
// src/workload/request_<format>.cpp. Readers take a published trace as published: times
// become seconds from its first request (the original time goes to metadata), rows that
// describe no servable request are dropped and counted. docs/requests.md maps each format.
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "suanli/common/registry.hpp"
#include "suanli/workload/csv_util.hpp"
#include "suanli/workload/request.hpp"

namespace suanli::workload {

struct RequestFormatEntry {
  std::string_view name;         // as given to --format
  std::string_view description;  // one line, for --help and docs
  // True when the start of the file (up to 64 KiB) looks like this format. Auto-detection
  // takes the first format that claims the file.
  bool (*sniff)(std::string_view head);
  // Reads the whole file. Bad input: InputError("file:line: field: what").
  RequestWorkload (*read)(const std::string& path);
};

const Registry<RequestFormatEntry>& request_format_registry();
const std::vector<RequestFormatEntry>& request_formats();
const RequestFormatEntry* find_request_format(std::string_view name);

// Reads `path` as `format`, or, when `format` is empty, as the format whose sniff claims it.
// InputError naming the known formats for an unknown name or a file no format claims.
RequestWorkload read_requests(const std::string& path, std::string_view format);

// The readers and sniffers (one file each).
RequestWorkload read_native_requests(const std::string& path);
RequestWorkload read_azure_llm_requests(const std::string& path);
RequestWorkload read_burstgpt_requests(const std::string& path);
RequestWorkload read_mooncake_requests(const std::string& path);
bool sniff_native_requests(std::string_view head);
bool sniff_azure_llm_requests(std::string_view head);
bool sniff_burstgpt_requests(std::string_view head);
bool sniff_mooncake_requests(std::string_view head);

// ---- building blocks the readers share (src/workload/request_registry.cpp) ----

// The index of `name` in `names` (models or SLO classes), appended on first sight.
class NameTable {
 public:
  explicit NameTable(std::vector<std::string>& names);
  std::uint32_t index(std::string_view name);

 private:
  std::vector<std::string>& names_;
  std::unordered_map<std::string, std::uint32_t> index_;
  std::uint32_t last_ = 0;  // rows mostly repeat the model of the row before
};

// A token count as written in column `column` of line `line`: a whole number >= 0 (pandas'
// "12.0" is taken), at most 2^31 - 1. Throws InputError("file:line: column: ...") otherwise;
// whether 0 is allowed is the reader's call.
std::int32_t read_token_count(const std::string& path, int line, std::string_view column,
                              std::string_view text);

// A CSV request trace, streamed in chunks (FileLines): the header is the first line that is
// neither blank nor a '#' comment, then one request per line; blank and comment lines are
// passed over. `columns` are the names the reader knows; the columns of `required` (indices
// into `columns`) must be in the header, else InputError quoting `expected_header`. Other
// columns are listed by ignored().
class RequestCsv : public CsvReader {
 public:
  RequestCsv(const std::string& path, std::span<const std::string_view> columns,
             std::span<const int> required, std::string_view expected_header);

  // The cell as a number of seconds >= 0.
  double seconds(int column) const;
  std::int32_t tokens(int column) const;
  // A request of this row: its line and the token counts of columns `prompt` and `output`,
  // read in that order; the rest of the request is the reader's.
  Request request(int prompt, int output) const;
};

// A workload about to be read from `path` as `format`: source and format set, room for one
// request per line of the file (so that a million requests are not copied as the vector grows).
RequestWorkload start_requests(const std::string& path, std::string_view format);

// The earliest request a published-trace reader keeps: its arrival as the reader computed it,
// and its time as the file wrote it, which metadata "epoch_first_arrival" gives as
// before + written + after. The same earliest-time rule as the job trace readers'.
struct FirstArrival : EarliestTime {
  explicit FirstArrival(std::string_view before_text = {}, std::string_view after_text = {})
      : before(before_text), after(after_text) {}

  // Appends `r` to `w` and remembers its arrival, written `written` in the file.
  void keep(RequestWorkload& w, const Request& r, std::string_view written) {
    see(r.arrival_s, written);
    w.requests.push_back(r);
  }

  std::string_view before, after;
};

// Rows a reader dropped for one reason, reported as metadata "dropped_<reason>" when any.
struct Dropped {
  std::string_view reason;
  std::size_t count = 0;
};

// A row with no prompt or no output token serves nothing: true, and the row counted in
// `zero_a` when token count `a` is 0, else in `zero_b` (the reader picks which count a row
// with neither is charged to). False for a request to keep.
inline bool drop_without_tokens(std::int32_t a, Dropped& zero_a, std::int32_t b, Dropped& zero_b) {
  if (a != 0 && b != 0) return false;
  ++(a == 0 ? zero_a : zero_b).count;
  return true;
}

// What every reader does after its last row. With `first` (published traces, whose times are
// absolute or start anywhere) and some request kept: metadata "epoch_first_arrival", and all
// arrivals shifted so that the earliest is 0. Then metadata for `dropped` and for the
// `ignored` columns or keys (as `ignored_key`). Last, if the file was not in arrival order,
// the requests are sorted by arrival (stable: ties keep file order; ids follow) and
// "rows_out_of_order" (rows that arrive before the row above them) is recorded.
void finish_requests(RequestWorkload& w, const FirstArrival* first,
                     std::span<const Dropped> dropped, const std::vector<std::string>& ignored,
                     std::string_view ignored_key = "ignored_columns");

}  // namespace suanli::workload
