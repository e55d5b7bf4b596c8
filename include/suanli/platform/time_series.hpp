#pragma once
// A quantity that changes over simulated time — a site's outdoor temperature, grid carbon
// intensity or electricity price — as a step function: each row's value holds from its time
// until the next row's, and the last value holds after the series ends. A constant is a
// series of one row at time 0.
#include <string>
#include <utility>
#include <vector>

namespace suanli::platform {

class TimeSeries {
 public:
  TimeSeries() = default;
  static TimeSeries constant(double value) { return TimeSeries({0}, {value}); }
  // The CSV file `path` with header `time_s,<value_column>`: times in seconds from the start of
  // the simulation, the first 0, rising; values finite and within [lo, hi]. InputError
  // "file:line: column: what" otherwise.
  static TimeSeries read_csv(const std::string& path, const std::string& value_column, double lo,
                             double hi);

  bool empty() const { return times_.empty(); }
  bool is_constant() const { return times_.size() == 1; }
  double at(double t_s) const;
  // The first time after t_s at which the value changes rows; infinity when none.
  double next_change_after(double t_s) const;
  double min() const;
  double max() const;

 private:
  TimeSeries(std::vector<double> times, std::vector<double> values)
      : times_(std::move(times)), values_(std::move(values)) {}
  std::vector<double> times_;
  std::vector<double> values_;
};

}  // namespace suanli::platform
