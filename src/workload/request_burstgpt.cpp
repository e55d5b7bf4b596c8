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

bool sniff_burstgpt_requests(std::string_view head) {
  return csv_header_has_columns(head, {"Timestamp", "Request tokens", "Response tokens"});
}

namespace {

constexpr ColumnNames col{"Timestamp", "Model", "Request tokens", "Response tokens", "Log Type"};
constexpr std::array<int, 3> kRequired = {col("Timestamp"), col("Request tokens"),
                                          col("Response tokens")};
constexpr std::string_view kExampleHeader =
    "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type";

enum Drop : std::size_t { kFailed, kZeroRequest, kDropCount };

}  // namespace

RequestWorkload read_burstgpt_requests(const std::string& path) {
  RequestWorkload w = start_requests(path, "burstgpt");
  RequestCsv csv(path, col.names, kRequired, kExampleHeader);
  NameTable models(w.models), log_types(w.slo_classes);
  std::array<Dropped, kDropCount> dropped{{{"failed_response_tokens_0"}, {"zero_request_tokens"}}};
  FirstArrival first("", " s after 0:00 of the trace's first day");
  while (csv.next()) {
    const double arrival_s = csv.seconds(col("Timestamp"));  // its errors come before the tokens'
    Request r = csv.request(col("Request tokens"), col("Response tokens"));
    r.arrival_s = arrival_s;
    if (drop_without_tokens(r.output_tokens, dropped[kFailed], r.prompt_tokens,
                            dropped[kZeroRequest]))
      continue;
    r.model = models.index(csv.field(col("Model")));
    r.slo_class = log_types.index(csv.field(col("Log Type")));
    first.keep(w, r, csv.field(col("Timestamp")));
  }
  finish_requests(w, &first, dropped, csv.ignored());
  return w;
}

}  // namespace suanli::workload
