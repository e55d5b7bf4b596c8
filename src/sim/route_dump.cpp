#include "suanli/sim/route_dump.hpp"

#include <simgrid/s4u.hpp>

#include <algorithm>

#include <fmt/format.h>

#include "suanli/common/input_error.hpp"
#include "suanli/sim/simgrid_platform.hpp"
#include "suanli/sim/simgrid_session.hpp"

namespace suanli::sim {

using namespace suanli::platform;  // this file builds SimGrid from the platform model

namespace sg4 = simgrid::s4u;

namespace {

std::vector<std::string> dump(const std::string& from_host) {
  std::vector<sg4::Host*> hosts;
  for (auto* h : sg4::Engine::get_instance()->get_all_hosts())
    if (h->get_name() != kControllerHost) hosts.push_back(h);
  std::sort(hosts.begin(), hosts.end(),
            [](auto* a, auto* b) { return a->get_name() < b->get_name(); });
  std::vector<std::string> lines;
  bool found = from_host.empty();
  for (auto* src : hosts) {
    if (!from_host.empty() && src->get_name() != from_host) continue;
    found = true;
    for (auto* dst : hosts) {
      if (dst == src) continue;
      std::vector<sg4::Link*> links;
      double latency = 0;
      src->route_to(dst, links, &latency);
      std::string line = src->get_name() + " -> " + dst->get_name() + ":";
      for (auto* l : links) line += " " + l->get_name();
      lines.push_back(line + fmt::format(" (latency {:.9g} s)", latency));
    }
  }
  if (!found) throw InputError("--from: no GPU host named '" + from_host + "'");
  std::sort(lines.begin(), lines.end());
  return lines;
}

}  // namespace

std::vector<std::string> routes_of_platform(const Platform& platform, const Topology& topology,
                                            const std::string& from_host) {
  SimgridSession session;
  const auto powers = energy::cluster_powers(platform);
  build_simgrid_platform(platform, topology, powers);
  return dump(from_host);
}

std::vector<std::string> routes_of_simgrid_xml(const std::string& xml_path,
                                               const std::string& from_host) {
  SimgridSession session;
  try {
    session.engine().load_platform(xml_path);
  } catch (const std::exception& e) {
    throw InputError(xml_path + ": not a loadable SimGrid platform: " + e.what());
  }
  return dump(from_host);
}

}  // namespace suanli::sim
