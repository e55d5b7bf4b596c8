#include "suanli/common/input_error.hpp"

#include <fmt/format.h>

namespace suanli {

std::string located(const std::string& file, int line, const std::string& field,
                    const std::string& what) {
  const std::string where = line > 0 ? fmt::format("{}:{}", file, line) : file;
  return field.empty() ? fmt::format("{}: {}", where, what)
                       : fmt::format("{}: {}: {}", where, field, what);
}

}  // namespace suanli
