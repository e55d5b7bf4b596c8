#pragma once
// Bad user input (platform, workload, options). Caught once in main(), printed as one
// line, exit status 2. The message already names the file and line/field.
#include <stdexcept>
#include <string>

namespace suanli {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "file:line: field: what" — line 0 means "no line" and is omitted.
std::string located(const std::string& file, int line, const std::string& field,
                    const std::string& what);

}  // namespace suanli
