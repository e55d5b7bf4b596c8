// The registry of LLM request trace formats, one line per format, and the pieces their
// readers share. Auto-detection asks each sniff in this order and takes the first that claims
// the file: JSON lines first, then the CSV formats by their headers, suanli's own CSV last.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "suanli/common/input_error.hpp"
#include "suanli/common/registry.hpp"
#include "suanli/workload/request_format.hpp"

namespace suanli::workload {

const Registry<RequestFormatEntry>& request_format_registry() {
  static const Registry<RequestFormatEntry> formats{
      {"mooncake", "Mooncake (Kimi) JSON lines: timestamp ms, input/output length, hash_ids",
       &sniff_mooncake_requests, &read_mooncake_requests},
      {"azure-llm", "Azure LLM inference trace 2023/2024 (TIMESTAMP,ContextTokens,GeneratedTokens)",
       &sniff_azure_llm_requests, &read_azure_llm_requests},
      {"burstgpt", "BurstGPT (Timestamp,Model,Request tokens,Response tokens,...)",
       &sniff_burstgpt_requests, &read_burstgpt_requests},
      {"native", "suanli's request CSV (arrival_time,prompt_tokens,output_tokens,...)",
       &sniff_native_requests, &read_native_requests},
  };
  return formats;
}

const std::vector<RequestFormatEntry>& request_formats() {
  return request_format_registry().entries();
}

const RequestFormatEntry* find_request_format(std::string_view name) {
  return request_format_registry().find(name);
}

RequestWorkload read_requests(const std::string& path, std::string_view format) {
  if (!format.empty()) {
    const RequestFormatEntry* f = find_request_format(format);
    if (!f) {
      throw InputError("--format: " +
                       request_format_registry().unknown_message("request trace format", format));
    }
    return f->read(path);
  }
  std::string head;
  if (!read_file_head(path, head))
    throw InputError(located(path, 0, "", "cannot open the request trace"));
  for (const auto& f : request_formats())
    if (f.sniff(head)) return f.read(path);
  throw InputError(fmt::format(
      "{}: cannot tell the request trace format from its first lines; give --format (known: {})",
      path, request_format_registry().known()));
}

// ---- building blocks ----

NameTable::NameTable(std::vector<std::string>& names) : names_(names) {
  for (std::size_t i = 0; i < names_.size(); ++i)
    index_.emplace(names_[i], static_cast<std::uint32_t>(i));
}

std::uint32_t NameTable::index(std::string_view name) {
  if (names_[last_] == name) return last_;
  auto at = index_.find(std::string(name));
  if (at == index_.end()) {
    at = index_.emplace(std::string(name), static_cast<std::uint32_t>(names_.size())).first;
    names_.emplace_back(name);
  }
  last_ = at->second;
  return last_;
}

std::int32_t read_token_count(const std::string& path, int line, std::string_view column,
                              std::string_view text) {
  return read_whole_count(path, line, column, text, "", " (at most 2147483647 tokens)");
}

RequestCsv::RequestCsv(const std::string& path, std::span<const std::string_view> columns,
                       std::span<const int> required, std::string_view expected_header)
    : CsvReader(path, columns) {
  if (!read_header()) {
    fail_file("no header line (the file is empty); expected a header like '" +
              std::string(expected_header) + "'");
  }
  for (const int c : required) {
    if (!has(c))
      fail(c, "required column missing from the header (expected a header like '" +
                  std::string(expected_header) + "')");
  }
}

double RequestCsv::seconds(int column) const {
  const double value = number(column);
  if (value < 0) fail(column, "must be >= 0 seconds, got " + quote_for_message(field(column)));
  return value;
}

std::int32_t RequestCsv::tokens(int column) const {
  return read_token_count(path(), line(), name(column), field(column));
}

Request RequestCsv::request(int prompt, int output) const {
  Request r;
  r.line = line();
  r.prompt_tokens = tokens(prompt);
  r.output_tokens = tokens(output);
  return r;
}

RequestWorkload start_requests(const std::string& path, std::string_view format) {
  RequestWorkload w;
  w.source = path;
  w.format = format;
  w.requests.reserve(count_file_newlines(path) + 1);
  return w;
}

void finish_requests(RequestWorkload& w, const FirstArrival* first,
                     std::span<const Dropped> dropped, const std::vector<std::string>& ignored,
                     std::string_view ignored_key) {
  auto& r = w.requests;
  if (first && !r.empty()) {
    w.metadata.emplace_back("epoch_first_arrival",
                            fmt::format("{}{}{}", first->before, first->written, first->after));
    if (first->seconds != 0)
      for (Request& q : r) q.arrival_s -= first->seconds;
  }
  for (const Dropped& d : dropped)
    if (d.count > 0)
      w.metadata.emplace_back("dropped_" + std::string(d.reason), std::to_string(d.count));
  if (!ignored.empty())
    w.metadata.emplace_back(std::string(ignored_key), fmt::format("{}", fmt::join(ignored, ", ")));

  std::size_t out_of_order = 0;
  for (std::size_t i = 1; i < r.size(); ++i) out_of_order += r[i].arrival_s < r[i - 1].arrival_s;
  if (out_of_order == 0) return;
  w.metadata.emplace_back("rows_out_of_order",
                          std::to_string(out_of_order) + " (sorted by arrival)");
  std::vector<std::uint32_t> order(r.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return r[a].arrival_s < r[b].arrival_s;
  });
  std::vector<Request> sorted;
  sorted.reserve(r.size());
  for (const std::uint32_t i : order) sorted.push_back(r[i]);
  r = std::move(sorted);
  if (!w.ids.empty()) {
    StringList ids;
    ids.reserve(order.size());
    for (const std::uint32_t i : order) ids.push_back(w.ids[i]);
    w.ids = std::move(ids);
  }
}

}  // namespace suanli::workload
