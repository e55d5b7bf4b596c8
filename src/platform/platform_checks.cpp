#include "platform_checks.hpp"

#include <boost/range/iterator_range.hpp>

#include <string>
#include <unordered_set>

#include "suanli/common/input_error.hpp"
#include "suanli/platform/topology.hpp"

namespace suanli::platform {

int number_clusters(Platform& p) {
  int gpu = 0;
  int node = 0;
  for (std::size_t i = 0; i < p.clusters.size(); ++i) {
    Cluster& c = p.clusters[i];
    c.first_gpu = gpu;
    c.first_node = node;
    // Both below kMaxPlatformGpus so far: the sum cannot overflow.
    if (c.gpu_count() > kMaxPlatformGpus - gpu) return static_cast<int>(i);
    gpu += c.gpu_count();
    node += c.nodes;
  }
  return -1;
}

void check_topology(const Platform& p) {
  const Topology topology = build_topology(p);
  const auto clash = [&](const std::string& what, const std::string& name) {
    throw InputError(located(
        p.source, 0, "sites",
        "names clash: two " + what + " would be called '" + name + "'; rename a site or cluster"));
  };
  std::unordered_set<std::string> vertex_names, edge_names;
  for (auto v : boost::make_iterator_range(boost::vertices(topology.graph)))
    if (!vertex_names.insert(topology.graph[v].name).second)
      clash("elements", topology.graph[v].name);
  for (auto e : boost::make_iterator_range(boost::edges(topology.graph)))
    if (!edge_names.insert(topology.graph[e].name).second) clash("links", topology.graph[e].name);

  // Every pair of sites with GPUs must reach each other, or cross-site jobs would strand.
  for (std::size_t a = 0; a < p.sites.size(); ++a)
    for (std::size_t b = a + 1; b < p.sites.size(); ++b)
      if (!p.sites[a].clusters.empty() && !p.sites[b].clusters.empty())
        topology.wan_path(static_cast<int>(a), static_cast<int>(b), p.source);
}

}  // namespace suanli::platform
