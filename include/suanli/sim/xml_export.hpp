#pragma once
// Writes the platform as SimGrid XML (version 4.1) with the same zones, hosts, links, routes
// and energy properties as the programmatic build (simgrid_platform.hpp), so that another
// SimGrid tool sees the cluster suanli simulates. Node zones are written as Full zones with
// explicit routes (SimGrid XML has no star zone with per-host routes), and cluster zones as
// Full zones with a route per pair of nodes (SimGrid 3.32's XML loader mis-composes routes
// through intermediate zones of Dijkstra and Floyd zones). Leaf switches, which no route
// starts or ends at, appear only as the links of those routes.
#include <ostream>

#include "suanli/platform/platform.hpp"
#include "suanli/platform/topology.hpp"

namespace suanli::sim {

void write_simgrid_xml(const platform::Platform& platform, const platform::Topology& topology,
                       std::ostream& out);

}  // namespace suanli::sim
