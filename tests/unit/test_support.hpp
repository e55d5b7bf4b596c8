// Helpers shared by the unit tests: temporary input files and the InputError of a reader.
#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include "suanli/common/input_error.hpp"

namespace suanli::testing {

// A file holding `content` in the temp directory, removed again when the test is done. It is
// named <prefix>_<pid>_<name>: the prefix keeps the test files apart, the process id the test
// processes that ctest runs in parallel.
class TempFile {
 public:
  TempFile(const std::string& prefix, const std::string& name, const std::string& content)
      : path_(std::filesystem::temp_directory_path() /
              (prefix + "_" + std::to_string(::getpid()) + "_" + name)) {
    std::ofstream out(path_, std::ios::binary);
    out << content;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

// The message of the InputError that `read()` throws, or "" (and a failed check naming
// `what`) if it throws none.
template <class Read>
std::string input_error_of(Read&& read, const std::string& what) {
  try {
    std::forward<Read>(read)();
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL_CHECK("no InputError for " << what);
  return "";
}

}  // namespace suanli::testing
