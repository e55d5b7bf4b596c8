#include "suanli/common/input_error.hpp"

#include <fmt/format.h>

namespace suanli {

namespace {

// An error is one line: a name or value holding a line break must not split it.
std::string one_line(std::string text) {
  for (std::size_t at = 0; (at = text.find_first_of("\r\n", at)) != std::string::npos;)
    text.replace(at, 1, text[at] == '\n' ? "\\n" : "\\r");
  return text;
}

}  // namespace

std::string located(const std::string& file, int line, const std::string& field,
                    const std::string& what) {
  const std::string where = line > 0 ? fmt::format("{}:{}", file, line) : file;
  return one_line(field.empty() ? fmt::format("{}: {}", where, what)
                                : fmt::format("{}: {}: {}", where, field, what));
}

}  // namespace suanli
