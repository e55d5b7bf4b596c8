// BurstGPT (HPMLL/BurstGPT, Wang et al. 2024; docs/requests.md):
//   Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type
//   5,ChatGPT,472,18,490,Conversation log
// One ChatGPT/GPT-4 request per row. Timestamp is seconds from 0:00 of the trace's first day;
// times become seconds from the first request (the first Timestamp goes to metadata). Model
// names become RequestWorkload::models, Log Type ("Conversation log", "API log") its SLO
// classes. Rows with Response tokens 0 are requests that failed (BurstGPT_without_fails_*.csv
// are the same files without them): dropped and counted, as are rows with no request token.
// Total tokens (= request + response) and later columns (Session ID, Elapsed time) are not
// used and are listed in metadata.
#include <array>
#include <string>
#include <string_view>

#include "suanli/workload/request_format.hpp"
#include "suanli/workload/trace_time.hpp"

namespace suanli::workload {

namespace {

enum Column : int { kTimestamp, kModel, kRequestTokens, kResponseTokens, kLogType, kColumnCount };
constexpr std::array<std::string_view, kColumnCount> kColumnNames = {
    "Timestamp", "Model", "Request tokens", "Response tokens", "Log Type"};
constexpr std::array<int, 3> kRequired = {kTimestamp, kRequestTokens, kResponseTokens};
constexpr std::string_view kExampleHeader =
    "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type";

enum Drop : std::size_t { kFailed, kZeroRequest, kDropCount };

}  // namespace

RequestWorkload read_burstgpt_requests(const std::string& path) {
  RequestWorkload w = start_requests(path, "burstgpt");
  RequestCsv csv(path, kColumnNames, kRequired, kExampleHeader);
  NameTable models(w.models), log_types(w.slo_classes);
  std::array<Dropped, kDropCount> dropped{{{"failed_response_tokens_0"}, {"zero_request_tokens"}}};
  FirstArrival first("", " s after 0:00 of the trace's first day");
  while (csv.next()) {
    const double arrival_s = csv.seconds(kTimestamp);  // its errors come before the tokens'
    Request r = csv.request(kRequestTokens, kResponseTokens);
    r.arrival_s = arrival_s;
    if (drop_without_tokens(r.output_tokens, dropped[kFailed], r.prompt_tokens,
                            dropped[kZeroRequest]))
      continue;
    r.model = models.index(csv.field(kModel));
    r.slo_class = log_types.index(csv.field(kLogType));
    first.keep(w, r, csv.field(kTimestamp));
  }
  finish_requests(w, &first, dropped, csv.ignored());
  return w;
}

bool sniff_burstgpt_requests(std::string_view head) {
  return csv_header_has_columns(head, {"Timestamp", "Request tokens", "Response tokens"});
}

}  // namespace suanli::workload
