#include "suanli/sim/simgrid_platform.hpp"

#include <simgrid/s4u.hpp>

#include <fmt/format.h>

#include "suanli/energy/power_model.hpp"

namespace suanli::sim {

using namespace suanli::platform;  // this file builds SimGrid from the platform model

namespace sg4 = simgrid::s4u;
using Direction = sg4::LinkInRoute::Direction;
using simgrid::kernel::routing::NetPoint;

std::string node_zone_name(const Platform& p, int global_node) {
  for (const auto& c : p.clusters)
    if (global_node >= c.first_node && global_node < c.first_node + c.nodes)
      return fmt::format("{}-n{}", c.name, global_node - c.first_node);
  return fmt::format("node{}", global_node);
}
std::string leaf_zone_name(const Platform& p, int cluster, int local_leaf) {
  return fmt::format("{}-leaf{}", p.clusters[cluster].name, local_leaf);
}
std::string core_zone_name(const Platform& p, int cluster) {
  return p.clusters[cluster].name + "-core";
}
std::string router_name(const std::string& zone_name) {
  return zone_name + "-sw";
}

std::vector<WanHop> directed_wan_path(const Platform& p, const Topology& t, int from_site,
                                      int to_site) {
  std::vector<WanHop> hops;
  if (from_site == to_site) return hops;
  int at = from_site;
  for (int w : t.wan_path(from_site, to_site, p.source)) {
    const bool forward = p.wan[w].site_a == at;
    hops.push_back({w, forward});
    at = forward ? p.wan[w].site_b : p.wan[w].site_a;
  }
  return hops;
}

namespace {

struct Switch {
  sg4::NetZone* zone = nullptr;
  NetPoint* router = nullptr;
};

// A zone holding one router: the way to put a switch among zones in a Dijkstra zone, whose
// vertices must all be zones once one of them is.
Switch make_switch(sg4::NetZone* parent, const std::string& name) {
  Switch sw;
  sw.zone = sg4::create_star_zone(name);
  sw.zone->set_parent(parent);
  sw.router = sw.zone->create_router(router_name(name));
  sw.zone->add_route(sw.router, nullptr, nullptr, nullptr, {}, true);
  sw.zone->seal();
  return sw;
}

sg4::SplitDuplexLink* make_link(sg4::NetZone* zone, const TopoEdge& edge) {
  auto* link = zone->create_split_duplex_link(edge.name, edge.bandwidth_Bps);
  link->set_latency(edge.latency_s);
  link->seal();
  return link;
}

class Builder {
 public:
  Builder(const Platform& p, const Topology& t, std::span<const energy::ClusterPower> powers)
      : p_(p), t_(t), powers_(powers) {
    result_.gpu_hosts.resize(p.total_gpus(), nullptr);
  }

  SimPlatform build() {
    auto* top = sg4::create_full_zone("suanli-top");
    build_controller(top);
    std::vector<Switch> cores;
    std::vector<sg4::NetZone*> zones;
    for (int c = 0; c < int(p_.clusters.size()); ++c) {
      Switch core;
      zones.push_back(build_cluster(top, c, core));
      cores.push_back(core);
    }
    std::vector<sg4::SplitDuplexLink*> wan, uplink;
    for (auto edge : t_.wan_link) wan.push_back(make_link(top, t_.graph[edge]));
    for (auto edge : t_.core_link) uplink.push_back(make_link(top, t_.graph[edge]));
    for (int a = 0; a < int(zones.size()); ++a)
      for (int b = a + 1; b < int(zones.size()); ++b)
        top->add_route(zones[a]->get_netpoint(), zones[b]->get_netpoint(), cores[a].router,
                       cores[b].router, cluster_route(a, b, wan, uplink), true);
    top->seal();
    return result_;
  }

 private:
  // Cluster a's uplink into its site core, the WAN links to cluster b's site (each in the
  // direction travelled), cluster b's uplink.
  std::vector<sg4::LinkInRoute> cluster_route(
      int a, int b, const std::vector<sg4::SplitDuplexLink*>& wan,
      const std::vector<sg4::SplitDuplexLink*>& uplink) const {
    std::vector<sg4::LinkInRoute> route{sg4::LinkInRoute(uplink[a], Direction::UP)};
    for (const auto& hop : directed_wan_path(p_, t_, p_.clusters[a].site, p_.clusters[b].site))
      route.emplace_back(wan[hop.wan], hop.forward ? Direction::UP : Direction::DOWN);
    route.emplace_back(uplink[b], Direction::DOWN);
    return route;
  }

  void build_controller(sg4::NetZone* top) {
    auto* zone = sg4::create_star_zone("suanli-control");
    zone->set_parent(top);
    auto* host = zone->create_host(kControllerHost, 1e9);
    host->set_property("wattage_per_state", "0:0:0");
    host->set_property("wattage_off", "0");
    // Messages between suanli's own actors cross this loopback only: no latency, no
    // bandwidth limit, so bookkeeping never shifts simulated time.
    auto* loopback = zone->create_link("suanli-loopback", 1e18);
    loopback->set_latency(0);
    loopback->seal();
    zone->add_route(host->get_netpoint(), host->get_netpoint(), nullptr, nullptr,
                    {sg4::LinkInRoute(loopback)}, true);
    zone->add_route(host->get_netpoint(), nullptr, nullptr, nullptr, {}, true);
    zone->seal();
    result_.controller = host;
  }

  sg4::NetZone* build_cluster(sg4::NetZone* top, int c, Switch& core) {
    const auto& cluster = p_.clusters[c];
    auto* zone = sg4::create_dijkstra_zone(cluster.name, true);
    zone->set_parent(top);
    core = make_switch(zone, core_zone_name(p_, c));
    const bool fat_tree = cluster.fabric.type == FabricType::fat_tree;
    std::vector<Switch> leaves;
    if (fat_tree) {
      for (int l = 0; l < cluster.leaves(); ++l) {
        Switch leaf = make_switch(zone, leaf_zone_name(p_, c, l));
        const int global_leaf = t_.first_leaf[c] + l;
        auto* up = make_link(zone, t_.graph[t_.leaf_link[global_leaf]]);
        zone->add_route(leaf.zone->get_netpoint(), core.zone->get_netpoint(), leaf.router,
                        core.router, {sg4::LinkInRoute(up, Direction::UP)}, true);
        leaves.push_back(leaf);
      }
    }
    const auto& states = powers_[std::size_t(c)].states;
    const std::string wattage_off = fmt::format("{}", energy::kGpuOffW);
    for (int n = 0; n < cluster.nodes; ++n) {
      const int global_node = cluster.first_node + n;
      auto* node = sg4::create_star_zone(node_zone_name(p_, global_node));
      node->set_parent(zone);
      auto* gateway = node->create_router(router_name(node_zone_name(p_, global_node)));
      node->add_route(gateway, nullptr, nullptr, nullptr, {}, true);
      for (int g = 0; g < cluster.node.gpus; ++g) {
        const int gpu = cluster.first_gpu + n * cluster.node.gpus + g;
        auto* host = node->create_host(p_.gpu_host_name(gpu), states.speeds());
        host->set_property("wattage_per_state", states.wattage_per_state());
        host->set_property("wattage_off", wattage_off);
        auto* intra = make_link(node, t_.graph[t_.gpu_link[gpu]]);
        node->add_route(host->get_netpoint(), nullptr, nullptr, nullptr,
                        {sg4::LinkInRoute(intra, Direction::UP)}, true);
        result_.gpu_hosts[gpu] = host;
      }
      node->seal();
      auto* nic = make_link(zone, t_.graph[t_.node_link[global_node]]);
      const Switch& up = fat_tree ? leaves[t_.leaf_of_node[global_node] - t_.first_leaf[c]] : core;
      zone->add_route(node->get_netpoint(), up.zone->get_netpoint(), gateway, up.router,
                      {sg4::LinkInRoute(nic, Direction::UP)}, true);
    }
    zone->seal();
    return zone;
  }

  const Platform& p_;
  const Topology& t_;
  std::span<const energy::ClusterPower> powers_;
  SimPlatform result_;
};

}  // namespace

SimPlatform build_simgrid_platform(const Platform& platform, const Topology& topology,
                                   std::span<const energy::ClusterPower> powers) {
  return Builder(platform, topology, powers).build();
}

}  // namespace suanli::sim
