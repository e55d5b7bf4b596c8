#pragma once
#include <string>

#include "suanli/platform/platform.hpp"

namespace suanli::platform {

struct ModelCount {
  std::string model;
  int gpus = 0;
};

struct PlatformSummary {
  int sites = 0;
  int clusters = 0;
  int nodes = 0;
  int gpus = 0;
  std::vector<ModelCount> gpus_by_model;  // in first-declared order
  double peak_pflops_bf16 = 0;
  double max_it_power_w = 0;  // every GPU at TDP + node static + switches
  double max_facility_power_w = 0;
};

PlatformSummary summarize(const Platform& platform);
// Human-readable multi-line text for `suanli platform show`.
std::string format_summary(const Platform& platform, const PlatformSummary& summary);

}  // namespace suanli::platform
