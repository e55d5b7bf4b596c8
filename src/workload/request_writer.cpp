#include "suanli/workload/request_writer.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>

#include "suanli/common/csv_field.hpp"
#include "suanli/workload/csv_util.hpp"

namespace suanli::workload {

namespace {

// The native reader takes a quoted field on one line only: a line break cannot round-trip.
void append_text(std::string& out, std::string_view text, const RequestWorkload& w, std::size_t i) {
  if (text.find_first_of("\r\n") != std::string_view::npos) {
    throw std::invalid_argument("request " + w.request_id(i) +
                                ": a line break cannot be written to CSV");
  }
  append_csv_field(out, text);
}

}  // namespace

void write_request_csv(const RequestWorkload& w, std::ostream& out) {
  const auto& r = w.requests;
  const bool models =
      std::any_of(r.begin(), r.end(), [&](const Request& q) { return !w.models[q.model].empty(); });
  const bool slo_classes = std::any_of(
      r.begin(), r.end(), [&](const Request& q) { return !w.slo_classes[q.slo_class].empty(); });
  const bool ids = !w.ids.empty();
  std::string buffer = "arrival_time,prompt_tokens,output_tokens";
  if (models) buffer += ",model";
  if (slo_classes) buffer += ",slo_class";
  if (ids) buffer += ",request_id";
  buffer += '\n';
  constexpr std::size_t kFlushAt = std::size_t{1} << 20;
  for (std::size_t i = 0; i < r.size(); ++i) {
    append_number(buffer, r[i].arrival_s);
    buffer += ',';
    buffer += std::to_string(r[i].prompt_tokens);
    buffer += ',';
    buffer += std::to_string(r[i].output_tokens);
    if (models) {
      buffer += ',';
      append_text(buffer, w.models[r[i].model], w, i);
    }
    if (slo_classes) {
      buffer += ',';
      append_text(buffer, w.slo_classes[r[i].slo_class], w, i);
    }
    if (ids) {
      buffer += ',';
      append_text(buffer, w.ids[i], w, i);
    }
    buffer += '\n';
    if (buffer.size() >= kFlushAt) {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  }
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
}

}  // namespace suanli::workload
