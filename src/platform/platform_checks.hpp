#pragma once
// The last steps of every platform reader, whatever the file looks like (YAML, Alibaba node
// list): global GPU and node indices, and the checks that need the whole topology.
#include <limits>

#include "suanli/platform/platform.hpp"

namespace suanli::platform {

// The most GPUs a platform may have in all: past it, global indices and per-GPU arrays
// would overflow.
inline constexpr int kMaxPlatformGpus = std::numeric_limits<int>::max() / 1024;

// Sets first_gpu and first_node cluster by cluster, in order. Returns the index of the first
// cluster that takes the GPU total past kMaxPlatformGpus (numbering stops there), or -1.
int number_clusters(Platform& p);

// Builds the topology and checks that its vertex and link names are unique (they become
// SimGrid hosts, routers and links) and that every two sites holding clusters reach each
// other over the WAN. Throws InputError naming p.source.
void check_topology(const Platform& p);

}  // namespace suanli::platform
