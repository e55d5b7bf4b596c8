#pragma once
// Builds the SimGrid platform from the topology, and says how it is laid out so that the XML
// export writes the same thing. Layout (zone nesting kept to three levels: SimGrid 3.32 routes
// wrongly through deeper star-zone nesting):
//   top (Full): one zone per cluster; routes between clusters = cluster uplink into the site
//     core, WAN links on the site path, the other cluster's uplink
//     <cluster> (DijkstraCache): node zones, leaf-switch zones, a core zone, joined by
//                                the node NIC and leaf uplink links (split-duplex)
//       <cluster>-n<k> (Star): the node's GPU hosts, each with its intra-node link
//       <cluster>-leaf<k>, <cluster>-core: one router each
//   suanli-control (Star): the controller host where suanli's own actors live; it draws no
//                          power and no simulated traffic leaves it.
#include <span>
#include <string>
#include <vector>

#include "suanli/energy/power_model.hpp"
#include "suanli/platform/platform.hpp"
#include "suanli/platform/topology.hpp"

namespace simgrid::s4u {
class Host;
}

namespace suanli::sim {

struct SimPlatform {
  std::vector<simgrid::s4u::Host*> gpu_hosts;  // by global GPU index
  simgrid::s4u::Host* controller = nullptr;
};

inline const std::string kControllerHost = "suanli-controller";

// Names shared by the programmatic build and the XML export.
std::string node_zone_name(const platform::Platform& p, int global_node);
std::string leaf_zone_name(const platform::Platform& p, int cluster, int local_leaf);
std::string core_zone_name(const platform::Platform& p, int cluster);
std::string router_name(const std::string& zone_name);  // "<zone>-sw"

// The WAN links from one site to another, each with the direction it is travelled in
// (forward = from WanLink::site_a to site_b, the link's UP side).
struct WanHop {
  int wan = 0;
  bool forward = true;
};
std::vector<WanHop> directed_wan_path(const platform::Platform& p, const platform::Topology& t,
                                      int from_site, int to_site);

// Needs a live simgrid::s4u::Engine with host/model:ptask_L07 and the energy plugin set up.
// Each cluster's GPU hosts get the power states of `powers[cluster]` (pstate 0 until work sets
// one).
SimPlatform build_simgrid_platform(const platform::Platform& platform,
                                   const platform::Topology& topology,
                                   std::span<const energy::ClusterPower> powers);

}  // namespace suanli::sim
