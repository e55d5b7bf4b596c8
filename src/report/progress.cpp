#include "suanli/report/progress.hpp"

#include <cstdio>

namespace suanli::report {

namespace {

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

void Progress::start(std::size_t total, bool enabled) {
  enabled_ = enabled;
  total_ = total;
  start_ = last_ = std::chrono::steady_clock::now();
}

void Progress::update(double sim_time_s, std::size_t done) {
  // Reading the clock on every event would cost more than the event: look every 256 calls.
  if (!enabled_ || (++calls_ & 0xff) != 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (seconds(now - last_) < 0.25) return;
  last_ = now;
  print(sim_time_s, done);
}

void Progress::finish(double sim_time_s, std::size_t done) {
  if (!enabled_) return;
  print(sim_time_s, done);
  std::fputc('\n', stderr);
}

void Progress::print(double sim_time_s, std::size_t done) {
  const double wall = seconds(std::chrono::steady_clock::now() - start_);
  const double eta = done > 0 ? wall * double(total_ - done) / double(done) : 0;
  std::fprintf(stderr, "\r[sim %9.2f h] %zu/%zu jobs  wall %.1f s  ETA %.1f s   ",
               sim_time_s / 3600.0, done, total_, wall, eta);
  std::fflush(stderr);
}

}  // namespace suanli::report
