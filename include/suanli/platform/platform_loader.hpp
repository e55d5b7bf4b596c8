#pragma once
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

}  // namespace suanli::platform
