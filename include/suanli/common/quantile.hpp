#pragma once
#include <vector>

namespace suanli {

// Linear interpolation between closest ranks (numpy's default); `sorted` ascending, q in
// [0, 1]; 0 for an empty vector.
double quantile_of_sorted(const std::vector<double>& sorted, double q);

}  // namespace suanli
