#pragma once
// A scheduling policy: it owns its waiting queue, is told about arrivals, and when asked
// returns which queued jobs to start now and on which cluster. Every returned job leaves
// the policy's queue. Starting a job on a cluster needs only free_gpus >= gpus there:
// placement inside the cluster (which GPUs) is a separate, independent strategy.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "suanli/sched/cluster_view.hpp"

namespace suanli::sched {

struct Decision {
  JobIndex job = 0;
  int cluster = 0;
};

class Policy {
 public:
  virtual ~Policy() = default;
  virtual void submit(const QueuedJob& job) = 0;
  // Called after arrivals and completions. The decisions must fit together: their GPU counts
  // per cluster add up to at most the free GPUs of that cluster.
  virtual std::vector<Decision> schedule(const ClusterView& view) = 0;
  virtual std::size_t queued() const = 0;
};

struct PolicyEntry {
  std::string_view name;
  std::string_view description;
  std::unique_ptr<Policy> (*make)();
};

// The registry: one line per policy in src/sched/policy_registry.cpp.
const std::vector<PolicyEntry>& policies();
// nullptr when unknown.
const PolicyEntry* find_policy(std::string_view name);

// Among clusters that accept the job's model and have at least `free[c]` >= job.gpus, the
// one where the job would run fastest (shortest estimated runtime; ties: lowest index).
// Returns -1 when none fits now. `free` is the policy's running tally.
int pick_cluster(const QueuedJob& job, const ClusterView& view, const std::vector<int>& free);

}  // namespace suanli::sched
