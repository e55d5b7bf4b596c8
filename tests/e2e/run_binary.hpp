#pragma once
// Runs the real suanli binary in a child process and captures its exit status and output.
#include <string>
#include <vector>

namespace e2e {

struct Result {
  int status = -1;  // exit status
  std::string out;  // stdout
  std::string err;  // stderr
};

Result run_suanli(const std::vector<std::string>& args);
std::string read_file(const std::string& path);
// A fresh empty directory under the build tree's temp area.
std::string fresh_dir(const std::string& name);
std::string fixture(const std::string& relative);

}  // namespace e2e

#include <map>

namespace e2e {

using Row = std::map<std::string, std::string>;
// A simple CSV (no quoted commas: suanli's outputs) as rows keyed by header name.
std::vector<Row> read_csv(const std::string& path);
// jobs.csv rows keyed by job_id.
std::map<std::string, Row> read_jobs(const std::string& out_dir);
double num(const Row& row, const std::string& column);

}  // namespace e2e
