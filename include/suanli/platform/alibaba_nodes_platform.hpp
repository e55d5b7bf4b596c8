#pragma once
// Alibaba cluster-trace-gpu-v2023's node list (openb_node_list_all_node.csv,
// openb_node_list_gpu_node.csv) read as a platform. One row per node, header
//   sn,cpu_milli,memory_mib,gpu,model
// Nodes with the same GPU model, GPU count, CPUs and memory form one cluster named
// "<model>x<gpus>" ("T4x2"), or "<model>x<gpus>-<cores>c<GiB>g" ("P100x2-16c120g") when nodes
// of one model and GPU count differ in CPUs or memory; the nodes keep cpu_milli and
// memory_mib for pods that ask for them. One site "alibaba", each cluster a star; CPU-only
// nodes (gpu 0) are skipped and counted (a cluster needs GPUs). The trace says nothing about links
// or power: the defaults below stand in. docs/platform-format.md ("Alibaba node list as a
// platform") gives the whole mapping.
#include <string>
#include <string_view>

#include "suanli/platform/platform.hpp"

namespace suanli::platform {

// Every node's network link (an assumption, not in the trace): one 25 Gb/s Ethernet port
// per node, split evenly over its GPU rails, with a one-hop latency of 5 us.
inline constexpr double kAlibabaNodeNicBps = 25e9 / 8;  // bytes per second, per node
inline constexpr double kAlibabaNodeNicLatencyS = 5e-6;

// Reads and checks a node list. Throws InputError "FILE:LINE: COLUMN: what" on a missing
// column, a value that is not a number, a negative or fractional GPU count, an unknown GPU
// model, a duplicate node name, or a list without any GPU node.
Platform load_alibaba_nodes(const std::string& path);

// The same from text in memory; `source` stands for the file name in messages, in
// Platform::source and (its stem) in Platform::name.
Platform parse_alibaba_nodes(const std::string& text, const std::string& source);

// True when `first_line` (a file's first line that is neither blank nor a '#' comment) is a
// node list header: its first column is "sn" and it has columns "gpu" and "model". A UTF-8
// byte order mark, blanks, quotes around names and a trailing '\r' are allowed.
bool looks_like_alibaba_nodes(std::string_view first_line);

}  // namespace suanli::platform
