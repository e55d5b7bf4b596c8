// Helpers shared by the workload-format tests (test_*_format.cpp, test_native_csv.cpp): each
// reader is checked the same ways, so the checks are written once here.
#pragma once

#include <doctest/doctest.h>

#include <cstddef>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "suanli/common/input_error.hpp"
#include "suanli/workload/job.hpp"
#include "test_support.hpp"

namespace suanli::testing {

inline void check_contains(const std::string& message, const std::string& part) {
  CHECK_MESSAGE(message.find(part) != std::string::npos, "'" << part << "' not in: " << message);
}

// The metadata value under `key`, or "(absent)": absent keys are checked like any value.
inline std::string meta(const workload::Workload& w, const std::string& key) {
  for (const auto& [k, v] : w.metadata) {
    if (k == key) return v;
  }
  return "(absent)";
}

// The first 64 KiB of a file: as much as the format sniffs are given.
inline std::string head_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string head(64 * 1024, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  return head;
}

// The whole content of a file.
inline std::string content_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Reads `path` with `read` and checks the two fields every reader fills from its call: the
// source path and the format's name.
template <class Read>
workload::Workload read_checked(Read&& read, const std::string& path, const std::string& format) {
  workload::Workload w = read(path);
  CHECK(w.source == path);
  CHECK(w.format == format);
  return w;
}

// The fields every reader sets on a job, to check them in one line.
struct JobFields {
  std::string id;
  int line;
  double submit_s;
  int num_gpus;
  double duration_s;
};

// Checks those fields exactly (the fixtures' times are exact in binary).
inline void check_job(const workload::Job& j, const JobFields& expected) {
  INFO("job " << expected.id);
  CHECK(j.id == expected.id);
  CHECK(j.line == expected.line);
  CHECK(j.submit_s == expected.submit_s);
  CHECK(j.num_gpus == expected.num_gpus);
  CHECK(j.duration_s == expected.duration_s);
}

// The job with id `id`; the test stops if there is none.
inline const workload::Job& job_by_id(const workload::Workload& w, const std::string& id) {
  for (const workload::Job& j : w.jobs) {
    if (j.id == id) return j;
  }
  FAIL("no job " << id);
  throw std::logic_error("unreachable");
}

// `message` without the `path` it must start with, so that a table of cases need not repeat
// the temporary file's name.
inline std::string after_path(const std::string& message, const std::string& path) {
  CHECK_MESSAGE(message.starts_with(path), message);
  return message.starts_with(path) ? message.substr(path.size()) : message;
}

// The error `error_of(path)` gives for a temporary file holding `content`, without the file's
// path in front.
template <class ErrorOf>
std::string error_of_content(const std::string& prefix, const std::string& name,
                             const std::string& content, ErrorOf&& error_of) {
  const TempFile f(prefix, name, content);
  return after_path(error_of(f.path()), f.path());
}

// A file's content and what reading it must say after the file's path.
struct ContentError {
  std::string name, content, expected;
};

// Checks each case on a temporary file <prefix>_<pid>_<name> holding its content.
template <class ErrorOf>
void check_content_errors(const std::string& prefix, const std::vector<ContentError>& cases,
                          ErrorOf&& error_of) {
  for (const ContentError& c : cases) {
    CAPTURE(c.content);
    check_contains(error_of_content(prefix, c.name, c.content, error_of), c.expected);
  }
}

// A training run given by params and tokens instead of a duration: a job that the trace
// formats' writers cannot carry.
inline workload::Job params_tokens_job() {
  workload::Job job;
  job.id = "llm-7b";
  job.num_gpus = 8;
  job.duration_s = -1;
  job.params = 7e9;
  job.tokens = 1e12;
  return job;
}

// Checks that `write()` refuses with a std::invalid_argument whose message holds every part.
template <class Write>
void check_refused(Write&& write, std::initializer_list<std::string> parts) {
  try {
    write();
    FAIL_CHECK("no std::invalid_argument");
  } catch (const std::invalid_argument& e) {
    for (const std::string& part : parts) check_contains(e.what(), part);
  }
}

// Reads 300 damaged copies of the file `fixture`, each made by `damage(text, random)`: every
// read must end in an InputError or give jobs that can run, never crash.
template <class Damage, class Read>
void check_damaged_copies(const std::string& fixture, const std::string& prefix,
                          const std::string& name, std::mt19937::result_type seed, Damage damage,
                          Read read) {
  const std::string original = content_of(fixture);
  REQUIRE_FALSE(original.empty());
  std::mt19937 random(seed);
  for (int round = 0; round < 300; ++round) {
    std::string text = original;
    damage(text, random);
    const TempFile file(prefix, name, text);
    try {
      const workload::Workload w = read(file.path());
      for (const workload::Job& job : w.jobs) {
        CHECK(job.num_gpus >= 1);
        CHECK(job.duration_s > 0);
        CHECK(job.submit_s >= 0);
      }
    } catch (const InputError&) {
    }
  }
}

}  // namespace suanli::testing
