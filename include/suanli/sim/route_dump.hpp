#pragma once
// The links and latency between GPU hosts, as SimGrid computes them: one line per ordered
// pair, "src -> dst: link_UP link_DOWN ... (latency L s)", sorted. Used by
// `suanli platform routes` to inspect a topology and to check that the XML export routes
// exactly like the programmatic build. Starts this process's SimGrid engine.
#include <string>
#include <vector>

#include "suanli/platform/platform.hpp"
#include "suanli/platform/topology.hpp"

namespace suanli::sim {

// from_host: only routes leaving this host ("" = every host).
std::vector<std::string> routes_of_platform(const platform::Platform& platform,
                                            const platform::Topology& topology,
                                            const std::string& from_host);
std::vector<std::string> routes_of_simgrid_xml(const std::string& xml_path,
                                               const std::string& from_host);

}  // namespace suanli::sim
