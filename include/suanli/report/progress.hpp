#pragma once
// One live line on stderr while a run goes: simulated time, jobs done/total, wall time, ETA.
// Only when asked (the CLI asks when stderr is a terminal); at most a few updates a second.
#include <chrono>
#include <cstddef>

namespace suanli::report {

class Progress {
 public:
  void start(std::size_t total, bool enabled);
  void update(double sim_time_s, std::size_t done);
  void finish(double sim_time_s, std::size_t done);

 private:
  void print(double sim_time_s, std::size_t done);

  bool enabled_ = false;
  std::size_t total_ = 0;
  std::size_t calls_ = 0;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace suanli::report
