#pragma once
#include <optional>
#include <string>

#include "suanli/platform/platform.hpp"

namespace suanli::platform {

// Loads and checks a platform YAML file (schema in docs/platform-format.md). Throws
// InputError naming the file, the line and the field on any problem, including sites that
// hold clusters but cannot reach each other over the WAN.
Platform load_platform_yaml(const std::string& path);

// The same from YAML text already in memory; `source` stands for the file name in
// messages and in Platform::source (handy for tests and generated platforms).
Platform parse_platform_yaml(const std::string& text, const std::string& source);

// Any platform file suanli reads: an Alibaba cluster-trace-gpu-v2023 node list when its first
// line that is neither blank nor a '#' comment is that list's header (looks_like_alibaba_nodes),
// else platform YAML. What the CLI calls wherever it takes a platform.
Platform load_platform_file(const std::string& path);

// Why a per-GPU power limit (nvidia-smi -pl) of `cap_w` watts cannot be set on `device`, or
// nullopt when it can: it must be positive, at least the device's min_power_cap_w and what
// compute-bound work draws at the lowest clock of its table, at most its TDP, and the device
// must have clock states for the limit to act on.
std::optional<std::string> power_cap_problem(const DeviceSpec& device, double cap_w);
// Sets the limit on every cluster's GPUs (--gpu-power-cap-w); InputError naming `option` and
// the first cluster whose device refuses it.
void limit_gpu_power(Platform& platform, double cap_w, const std::string& option);

}  // namespace suanli::platform
