// Where a share job or a pod may go, and the default choices that keep the engine's rules of
// before placements chose for them. The options only allow choices under which what the
// policy's tally promised stays true (sched::take): a share it counted in the room of a GPU
// holding shares goes into such room, one it counted on a free GPU takes a free GPU, and a
// pod leaves alone the nodes later pods of the same plan were promised.
#include <algorithm>
#include <optional>
#include <vector>

#include "suanli/sched/allocation.hpp"

namespace suanli::sched {
namespace {

constexpr int kMilli = 1000;

// Whether a share of `milli` may go on `gpu`: into room on a GPU holding shares (`room`),
// or on a free GPU.
bool share_gpu_ok(const AllocationState& state, int gpu, int milli, bool room) {
  if (!room) return state.gpu_free(gpu);
  const int used = state.share_used(gpu);
  return used > 0 && kMilli - used >= milli;
}

int gpus_per_node(const AllocationState& state, int node) {
  return state.platform().clusters[state.cluster_of_node(node)].node.gpus;
}

std::vector<int> node_gpus_where(const AllocationState& state, int node, int milli, bool room) {
  std::vector<int> out;
  for (int local = 0; local < gpus_per_node(state, node); ++local) {
    const int gpu = state.gpu_of_node(node, local);
    if (milli > 0 ? share_gpu_ok(state, gpu, milli, room) : state.gpu_free(gpu)) out.push_back(gpu);
  }
  return out;
}

// A pod's share goes into room exactly when its default node has room for it.
bool pod_uses_room(const AllocationState& state, const QueuedJob& job, const PodRequest& r) {
  const int first = state.platform().clusters[r.cluster].first_node;
  return job.share_milli > 0 &&
         state.node_rooms(r.cluster)[std::size_t(r.default_node - first)].share_room_milli >=
             job.share_milli;
}

}  // namespace

std::vector<NodeOption> share_options(const AllocationState& state, int cluster, int milli) {
  const bool room = state.largest_share_room(cluster) >= milli;
  const auto rooms = state.node_rooms(cluster);
  const int first = state.platform().clusters[cluster].first_node;
  std::vector<NodeOption> out;
  for (std::size_t n = 0; n < rooms.size(); ++n) {
    if (room ? rooms[n].share_room_milli < milli : rooms[n].gpus < 1) continue;
    const int node = first + int(n);
    out.push_back({node, node_gpus_where(state, node, milli, room), 1});
  }
  return out;
}

bool share_allowed(const AllocationState& state, int cluster, int milli, int gpu) {
  if (gpu < 0 || gpu >= state.platform().total_gpus()) return false;
  if (state.cluster_of_node(state.node_of_gpu(gpu)) != cluster) return false;
  return share_gpu_ok(state, gpu, milli, state.largest_share_room(cluster) >= milli);
}

namespace {

// The option of one node for a pod, if it has one.
std::optional<NodeOption> pod_option_on(const AllocationState& state, const QueuedJob& job,
                                        const PodRequest& request, int node, bool room) {
  const int first = state.platform().clusters[request.cluster].first_node;
  const auto rooms = state.node_rooms(request.cluster);
  if (node < first || node >= first + int(rooms.size())) return std::nullopt;
  const NodeRoom& free = rooms[std::size_t(node - first)];
  const bool promised =
      std::find(request.reserved.begin(), request.reserved.end(), node) != request.reserved.end();
  if ((promised && node != request.default_node) || !pod_fits(job, free)) return std::nullopt;
  if (job.share_milli > 0 && (room ? free.share_room_milli < job.share_milli : free.gpus < 1))
    return std::nullopt;
  const int take = job.share_milli > 0 ? 1 : job.gpus;
  return NodeOption{
      node, take > 0 ? node_gpus_where(state, node, job.share_milli, room) : std::vector<int>{},
      take};
}

}  // namespace

std::vector<NodeOption> pod_options(const AllocationState& state, const QueuedJob& job,
                                    const PodRequest& request) {
  const bool room = pod_uses_room(state, job, request);
  const platform::Cluster& cl = state.platform().clusters[request.cluster];
  std::vector<NodeOption> out;
  for (int node = cl.first_node; node < cl.first_node + cl.nodes; ++node)
    if (auto option = pod_option_on(state, job, request, node, room)) out.push_back(*option);
  return out;
}

bool pod_allowed(const AllocationState& state, const QueuedJob& job, const PodRequest& request,
                 const PodChoice& choice) {
  const auto option =
      pod_option_on(state, job, request, choice.node, pod_uses_room(state, job, request));
  if (!option || int(choice.gpus.size()) != option->take) return false;
  std::vector<int> sorted = choice.gpus;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) return false;
  return std::all_of(sorted.begin(), sorted.end(), [&](int gpu) {
    return std::find(option->gpus.begin(), option->gpus.end(), gpu) != option->gpus.end();
  });
}

std::vector<int> default_pod_gpus(const AllocationState& state, const QueuedJob& job, int node) {
  if (job.share_milli > 0) {
    const int gpu = state.best_fit_share_gpu_on_node(node, job.share_milli);
    if (gpu >= 0) return {gpu};
  }
  const int want = job.share_milli > 0 ? 1 : job.gpus;
  std::vector<int> gpus;
  for (int local = 0; local < gpus_per_node(state, node) && int(gpus.size()) < want; ++local)
    if (state.gpu_free(state.gpu_of_node(node, local)))
      gpus.push_back(state.gpu_of_node(node, local));
  return gpus;
}

int Placement::place_share(const AllocationState& state, int cluster, const QueuedJob& job) const {
  const int gpu = state.best_fit_share_gpu(cluster, job.share_milli);
  return gpu >= 0 ? gpu : place(state, cluster, 1).front();
}

PodChoice Placement::place_pod(const AllocationState& state, const QueuedJob& job,
                               const PodRequest& request) const {
  return {request.default_node, default_pod_gpus(state, job, request.default_node)};
}

}  // namespace suanli::sched
