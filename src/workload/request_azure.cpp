// Azure LLM inference traces (Azure/AzurePublicDataset; docs/requests.md):
//   TIMESTAMP,ContextTokens,GeneratedTokens
//   2023-11-16 18:15:46.6805900,374,44           (2023: .NET's 7 fractional digits, CRLF)
//   2024-05-10 00:00:00.009930+00:00,2162,5      (2024: 6 digits and a UTC offset)
// One request per row: TIMESTAMP is its arrival, ContextTokens its prompt, GeneratedTokens its
// output. Times become seconds from the first request, computed in whole nanoseconds so that
// the 100 ns ticks of 2023 survive (a double holding seconds since 1970 keeps only ~0.2 us);
// the first request's TIMESTAMP goes to metadata. Rows with no prompt or no generated token
// are dropped and counted.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "suanli/common/input_error.hpp"
#include "suanli/workload/request_format.hpp"
#include "suanli/workload/trace_time.hpp"

namespace suanli::workload {

bool sniff_azure_llm_requests(std::string_view head) {
  return csv_header_has_columns(head, {"TIMESTAMP", "ContextTokens", "GeneratedTokens"});
}

namespace {

constexpr ColumnNames col{"TIMESTAMP", "ContextTokens", "GeneratedTokens"};
constexpr std::array<int, 3> kRequired = {col("TIMESTAMP"), col("ContextTokens"),
                                          col("GeneratedTokens")};
constexpr std::string_view kExampleHeader = "TIMESTAMP,ContextTokens,GeneratedTokens";

constexpr long long kMaxSpanS = 200LL * 366 * 86400;

enum Drop : std::size_t { kZeroPrompt, kZeroOutput, kDropCount };

// A point in time as whole seconds since 1970 (UTC) and nanoseconds.
struct Instant {
  long long seconds = 0;
  long long nanos = 0;
};

bool digits(std::string_view text, std::size_t at, std::size_t count, int& out) {
  if (at + count > text.size()) return false;
  out = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

// "YYYY-MM-DD HH:MM:SS" (or 'T'), then optionally '.' and 1 to 9 fractional digits, then
// optionally 'Z' or a UTC offset "+HH:MM" / "-HH:MM" / "+HHMM". False for anything else.
bool parse_instant(std::string_view text, Instant& out) {
  double whole = 0;
  if (text.size() < 19 || !parse_datetime(text.substr(0, 19), whole)) return false;
  out.seconds = static_cast<long long>(whole);
  out.nanos = 0;
  std::size_t at = 19;
  if (at < text.size() && text[at] == '.') {
    const std::size_t from = ++at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
    const std::size_t count = at - from;
    if (count == 0 || count > 9) return false;
    for (std::size_t i = 0; i < 9; ++i)
      out.nanos = out.nanos * 10 + (i < count ? text[from + i] - '0' : 0);
  }
  if (at < text.size() && text[at] == 'Z') {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    const int sign = text[at] == '+' ? 1 : -1;
    int hours = 0, minutes = 0;
    const std::size_t colon = at + 3 < text.size() && text[at + 3] == ':' ? 1 : 0;
    if (!digits(text, at + 1, 2, hours) || !digits(text, at + 3 + colon, 2, minutes) ||
        hours > 23 || minutes > 59)
      return false;
    at += 5 + colon;
    out.seconds -= sign * (hours * 3600LL + minutes * 60LL);  // local time - offset = UTC
  }
  return at == text.size();
}

}  // namespace

RequestWorkload read_azure_llm_requests(const std::string& path) {
  RequestWorkload w = start_requests(path, "azure-llm");
  RequestCsv csv(path, col.names, kRequired, kExampleHeader);
  std::array<Dropped, kDropCount> dropped{{{"zero_prompt_tokens"}, {"zero_output_tokens"}}};
  std::optional<Instant> origin;  // the first kept row: arrivals are relative to it until the end
  FirstArrival first;
  while (csv.next()) {
    Instant t;
    if (!parse_instant(csv.field(col("TIMESTAMP")), t)) {
      csv.fail(col("TIMESTAMP"), quote_for_message(csv.field(col("TIMESTAMP"))) +
                                     " is not a date-time 'YYYY-MM-DD HH:MM:SS[.fffffff][+HH:MM]'");
    }
    Request r = csv.request(col("ContextTokens"), col("GeneratedTokens"));
    if (drop_without_tokens(r.prompt_tokens, dropped[kZeroPrompt], r.output_tokens,
                            dropped[kZeroOutput]))
      continue;
    if (!origin) origin = t;
    // Exact in nanoseconds (int64 holds 292 years of them), then one rounding to seconds.
    if (t.seconds - origin->seconds > kMaxSpanS || origin->seconds - t.seconds > kMaxSpanS)
      csv.fail(col("TIMESTAMP"), "more than 200 years from the first request");
    const long long ns = (t.seconds - origin->seconds) * 1000000000LL + (t.nanos - origin->nanos);
    r.arrival_s = static_cast<double>(ns) / 1e9;
    first.keep(w, r, csv.field(col("TIMESTAMP")));
  }
  finish_requests(w, &first, dropped, csv.ignored());
  return w;
}

}  // namespace suanli::workload
