#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "run_binary.hpp"

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace e2e {

namespace fs = std::filesystem;

namespace {

// Each test process writes under /tmp/suanli-e2e-<pid>/ (and -io-<pid>/); remove them when it
// exits, so that repeated runs do not fill /tmp.
struct RemoveTempDirsAtExit {
  ~RemoveTempDirsAtExit() {
    std::error_code ignored;
    for (const char* prefix : {"suanli-e2e-", "suanli-e2e-io-"})
      fs::remove_all(fs::temp_directory_path() / (prefix + std::to_string(getpid())), ignored);
  }
} remove_temp_dirs_at_exit;

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string fresh_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("suanli-e2e-" + std::to_string(getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir.parent_path());
  return dir.string();
}

std::string fixture(const std::string& relative) {
  return std::string(SUANLI_FIXTURES) + "/" + relative;
}

Result run_suanli(const std::vector<std::string>& args) {
  fs::path tmp = fs::temp_directory_path() / ("suanli-e2e-io-" + std::to_string(getpid()));
  fs::create_directories(tmp);
  std::string out_path = (tmp / "stdout").string();
  std::string err_path = (tmp / "stderr").string();
  std::fflush(nullptr);  // a child must not inherit (and repeat) unflushed test output
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    std::string binary = SUANLI_BINARY;
    argv.push_back(binary.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (!freopen(out_path.c_str(), "w", stdout) || !freopen(err_path.c_str(), "w", stderr))
      _exit(127);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  Result r;
  r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  return r;
}

}  // namespace e2e

namespace e2e {

std::vector<Row> read_csv(const std::string& path) {
  std::istringstream in(read_file(path));
  std::string line;
  std::vector<std::string> header;
  std::vector<Row> rows;
  auto split = [](const std::string& l) {
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream ss(l);
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    if (!l.empty() && l.back() == ',') cells.emplace_back();
    return cells;
  };
  if (std::getline(in, line)) header = split(line);
  while (std::getline(in, line)) {
    auto cells = split(line);
    Row row;
    for (std::size_t i = 0; i < header.size(); ++i)
      row[header[i]] = i < cells.size() ? cells[i] : "";
    rows.push_back(row);
  }
  return rows;
}

std::map<std::string, Row> read_jobs(const std::string& out_dir) {
  std::map<std::string, Row> jobs;
  for (auto& row : read_csv(out_dir + "/jobs.csv")) jobs[row["job_id"]] = row;
  return jobs;
}

double num(const Row& row, const std::string& column) {
  auto it = row.find(column);
  REQUIRE_MESSAGE(it != row.end(), "missing column " << column);
  return std::stod(it->second);
}

}  // namespace e2e
