#include "suanli/common/csv_field.hpp"

namespace suanli {

bool csv_needs_quotes(std::string_view text) {
  if (text.empty()) return false;
  const bool edge_blank =
      text.front() == ' ' || text.front() == '\t' || text.back() == ' ' || text.back() == '\t';
  return edge_blank || text.front() == '#' ||
         text.find_first_of(",\"\r\n") != std::string_view::npos;
}

void append_csv_field(std::string& out, std::string_view text) {
  if (!csv_needs_quotes(text)) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string csv_field(std::string_view text) {
  std::string out;
  append_csv_field(out, text);
  return out;
}

}  // namespace suanli
