#pragma once
// A text value as one CSV field (RFC 4180): quoted when it holds a comma, a quote, a line
// break, a leading '#' (a comment to suanli's reader) or blanks at its edges (which readers
// trim); quotes inside are doubled.
#include <string>
#include <string_view>

namespace suanli {

bool csv_needs_quotes(std::string_view text);
void append_csv_field(std::string& out, std::string_view text);
std::string csv_field(std::string_view text);

}  // namespace suanli
