#include "suanli/platform/time_series.hpp"

#include <algorithm>
#include <limits>
#include <string_view>

#include "suanli/common/csv_reader.hpp"

namespace suanli::platform {

TimeSeries TimeSeries::read_csv(const std::string& path, const std::string& value_column, double lo,
                                double hi) {
  const std::string_view names[] = {"time_s", value_column};
  constexpr int kTime = 0, kValue = 1;
  CsvReader csv(path, names);
  if (!csv.read_header()) csv.fail_file("no header line (expected time_s," + value_column + ")");
  csv.require({kTime, kValue},
              "required column missing from the header (expected time_s," + value_column + ")");
  std::vector<double> times, values;
  while (csv.next()) {
    const double t = csv.number(kTime);
    if (times.empty() && t != 0) csv.fail(kTime, "the first row must be at time 0");
    if (!times.empty() && t <= times.back()) csv.fail(kTime, "times must rise from row to row");
    const double v = csv.number(kValue);
    if (v < lo || v > hi)
      csv.fail(kValue, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    times.push_back(t);
    values.push_back(v);
  }
  if (times.empty()) csv.fail_file("no rows");
  return TimeSeries(std::move(times), std::move(values));
}

double TimeSeries::at(double t_s) const {
  const auto it = std::upper_bound(times_.begin(), times_.end(), t_s);
  return values_[std::size_t(std::max<std::ptrdiff_t>(0, it - times_.begin() - 1))];
}

double TimeSeries::next_change_after(double t_s) const {
  const auto it = std::upper_bound(times_.begin(), times_.end(), t_s);
  return it == times_.end() ? std::numeric_limits<double>::infinity() : *it;
}

double TimeSeries::min() const {
  return *std::min_element(values_.begin(), values_.end());
}

double TimeSeries::max() const {
  return *std::max_element(values_.begin(), values_.end());
}

}  // namespace suanli::platform
