// CPU cores and host memory beside GPUs: the platform's node keys, the allocation state's
// per-node rooms, the policies' tally for pods (one node per pod, all of it at once), the
// native CSV columns and the loader's check that some node can hold each pod.
#include <doctest/doctest.h>

#include <map>
#include <sstream>
#include <stdexcept>

#include "fake_cluster_view.hpp"
#include "suanli/common/input_error.hpp"
#include "suanli/perf/prepared_job.hpp"
#include "suanli/platform/platform_loader.hpp"
#include "suanli/platform/topology.hpp"
#include "suanli/sched/allocation.hpp"
#include "suanli/sched/policy_factories.hpp"
#include "suanli/workload/native_csv.hpp"
#include "test_support.hpp"

using namespace suanli;
using namespace suanli::sched;
using namespace suanli::sched::testing;

namespace {

// small_platform() with host resources: cluster "ft" nodes have 16 cores and 64 GiB; "st"
// models neither.
struct Fixture {
  platform::Platform platform = [] {
    auto p = small_platform();
    p.clusters[0].node.cpu_milli = 16000;
    p.clusters[0].node.memory_mib = 65536;
    return p;
  }();
  platform::Topology topology = platform::build_topology(platform);
  AllocationState state{platform, topology};
};

QueuedJob pod(JobIndex index, int gpus, int cpu_milli, int memory_mib, int share_milli = 0) {
  QueuedJob job = make_job(index, gpus, 100);
  job.cpu_milli = cpu_milli;
  job.memory_mib = memory_mib;
  job.share_milli = share_milli;
  return job;
}

// A fake view that also describes the nodes of its clusters.
class NodeView : public FakeClusterView {
 public:
  std::vector<std::vector<NodeRoom>> rooms;
  int add_nodes(int model, std::vector<NodeRoom> nodes) {
    int gpus = 0;
    for (const NodeRoom& n : nodes) gpus += n.gpus;
    const int c = add_cluster(model, gpus);
    rooms.push_back(std::move(nodes));
    return c;
  }
  std::span<const NodeRoom> node_rooms(int cluster) const override { return rooms[cluster]; }
};

}  // namespace

TEST_CASE("host resources: the platform YAML gives cores and GiB per node") {
  const std::string yaml = R"(name: p
sites:
  - name: s
    clusters:
      - name: c
        nodes: 1
        node:
          gpu: {model: H100, count: 8}
          cpu_cores: 112.5
          memory_gib: 2048
)";
  const auto p = platform::parse_platform_yaml(yaml, "p.yaml");
  CHECK(p.clusters[0].node.cpu_milli == 112500);
  CHECK(p.clusters[0].node.memory_mib == 2048 * 1024);
  const auto bare = platform::parse_platform_yaml(
      R"(name: p
sites:
  - name: s
    clusters:
      - {name: c, nodes: 1, node: {gpu: {model: H100, count: 8}}}
)",
      "bare.yaml");
  CHECK(bare.clusters[0].node.cpu_milli == 0);  // not modelled
  CHECK(bare.clusters[0].node.memory_mib == 0);
  std::string bad = yaml;
  bad.replace(bad.find("112.5"), 5, "0");
  const std::string e = suanli::testing::input_error_of(
      [&] { platform::parse_platform_yaml(bad, "p.yaml"); }, "p.yaml");
  CHECK(e ==
        "p.yaml:9: sites[0].clusters[0].node.cpu_cores: must be between 0.001 and 1e+06, "
        "got 0");
}

TEST_CASE("host resources: allocation state keeps per-node CPU, memory and share room") {
  Fixture f;
  AllocationState& s = f.state;
  auto rooms = s.node_rooms(0);
  REQUIRE(rooms.size() == 4);
  CHECK(rooms[1].gpus == 4);
  CHECK(rooms[1].cpu_milli == 16000);
  CHECK(rooms[1].memory_mib == 65536);
  CHECK(s.node_rooms(1)[0].cpu_milli == NodeRoom::kUnlimited);  // "st" models no CPUs

  s.allocate_host(1, 12000, 60000);
  CHECK(s.node_rooms(0)[1].cpu_milli == 4000);
  CHECK(s.node_rooms(0)[1].memory_mib == 5536);
  CHECK_THROWS_AS(s.allocate_host(1, 5000, 0), std::logic_error);  // 4 cores left
  CHECK_THROWS_AS(s.release_host(1, 13000, 0), std::logic_error);  // more than it holds
  s.release_host(1, 12000, 60000);
  CHECK(s.node_rooms(0)[1].cpu_milli == 16000);
  s.allocate_host(4, 1000000, 1000000);  // unlimited: nothing counted
  CHECK(s.node_rooms(1)[0].cpu_milli == NodeRoom::kUnlimited);

  // Shares on node 2 (GPUs 8-11): room is per node, best fit within the node.
  s.allocate_share(9, 300);
  s.allocate_share(10, 600);
  CHECK(s.node_rooms(0)[2].share_room_milli == 700);
  CHECK(s.node_rooms(0)[2].gpus == 2);
  CHECK(s.best_fit_share_gpu_on_node(2, 400) == 10);  // 400 room: the tightest that fits
  CHECK(s.best_fit_share_gpu_on_node(2, 500) == 9);
  CHECK(s.best_fit_share_gpu_on_node(2, 800) == -1);
  CHECK(s.best_fit_share_gpu_on_node(0, 100) == -1);  // no shares there
  s.release_share(9, 300);
  CHECK(s.node_rooms(0)[2].share_room_milli == 400);
}

TEST_CASE("host resources: a pod needs one node with all it asks, one pod per node per call") {
  const NodeRoom full{4, 0, 16000, 65536};
  NodeView view;
  view.add_nodes(0, {{4, 0, 2000, 65536}, full, full});
  auto free = detail::free_tally(view);
  REQUIRE(free[0].nodes.size() == 3);

  // 4 cores: not on node 0 (2 free) though its GPUs are: node 1.
  const QueuedJob a = pod(0, 1, 4000, 1024);
  CHECK(pod_node(a, free[0]) == 1);
  CHECK(take(a, free[0]) == 1);
  CHECK(free[0].pod_nodes == std::vector<int>{1});
  // The next pod skips node 1 in this call, whatever the view still says of it.
  const QueuedJob b = pod(1, 2, 1000, 1024);
  CHECK(pod_node(b, free[0]) == 0);
  take(b, free[0]);
  CHECK(pod_node(pod(2, 1, 1000, 1024), free[0]) == 2);
  CHECK_FALSE(fits(pod(3, 1, 1000, 70000), free[0]));  // no node has 70000 MiB
  // A CPU-only pod takes no GPU.
  CHECK(take(pod(4, 0, 1000, 0), free[0]) == 0);
  CHECK(free[0].whole == 12 - 3);

  // A job that is not a pod starts: where its GPUs land is the placement's choice, so no
  // further pod in this call.
  auto other = detail::free_tally(view);
  take(make_job(5, 1, 100), other[0]);
  CHECK(other[0].placed_elsewhere);
  CHECK_FALSE(fits(a, other[0]));

  // A share pod: room on a GPU of the node holding shares, or a free GPU there.
  NodeView shares;
  shares.add_nodes(0, {{0, 300, 16000, 65536}, {0, 600, 16000, 65536}});
  auto tally = detail::free_tally(shares);
  tally[0].share_room_milli = 600;
  CHECK(pod_node(pod(6, 1, 1000, 0, 500), tally[0]) == 1);
  CHECK(take(pod(6, 1, 1000, 0, 500), tally[0]) == 0);  // in the room: no whole GPU

  // A view without nodes (no pods in the workload, or a test's fake): GPU counts alone.
  FakeClusterView flat;
  flat.add_cluster(0, 4);
  auto counts = detail::free_tally(flat);
  CHECK(fits(pod(7, 4, 999999, 999999), counts[0]));
}

TEST_CASE("host resources: fifo names each pod node, easy does not backfill past a pod head") {
  const NodeRoom full{4, 0, 16000, 65536};
  NodeView view;
  view.add_nodes(0, {full, full});
  auto fifo = make_policy("fifo");
  fifo->submit(pod(0, 2, 12000, 1024));
  fifo->submit(pod(1, 2, 12000, 1024));
  fifo->submit(pod(2, 1, 12000, 1024));  // no node left in this call
  const auto decisions = fifo->schedule(view);
  REQUIRE(decisions.size() == 2);
  CHECK(decisions[0].node == 0);
  CHECK(decisions[1].node == 1);
  CHECK(fifo->queued() == 1);

  // EASY: the head pod needs 16 cores on one node, each node has 8 free; the 1-core job behind
  // it would fit, but which node the running jobs free first is not known: no reservation,
  // so no backfilling on the clusters the head could use.
  NodeView busy;
  busy.add_nodes(0, {{2, 0, 8000, 65536}, {2, 0, 8000, 65536}});
  busy.run(0, 9, 4, 50);
  busy.infos[0].free_gpus = 4;
  auto easy = make_policy("easy");
  easy->submit(pod(0, 1, 16000, 1024));
  easy->submit(pod(1, 1, 1000, 1024));
  CHECK(easy->schedule(busy).empty());
  CHECK(easy->queued() == 2);
}

TEST_CASE("host resources: native CSV reads and writes cpu_milli and memory_mib") {
  const suanli::testing::TempFile f("suanli_hostres", "pods.csv",
                                    "job_id,submit_time,num_gpus,duration,cpu_milli,memory_mib\n"
                                    "a,0,1,10,4000,8192\n"
                                    "cpu,0,0,10,2000,\n");
  const auto w = workload::read_native_csv(f.path());
  REQUIRE(w.jobs.size() == 2);
  CHECK(w.jobs[0].cpu_milli == 4000);
  CHECK(w.jobs[0].memory_mib == 8192);
  CHECK(w.jobs[1].num_gpus == 0);
  CHECK(w.jobs[1].memory_mib == 0);
  CHECK(w.jobs[1].is_pod());
  std::ostringstream out;
  workload::write_native_csv(w, out);
  CHECK(out.str().find(",reference_gpu,cpu_milli,memory_mib\n") != std::string::npos);
  CHECK(out.str().find("\ncpu,0,0,10,,,,,,,,0,,,,2000,\n") != std::string::npos);
  // Without pods the columns are not written: files of GPU jobs are as before.
  workload::Workload plain;
  plain.jobs.push_back(w.jobs[0]);
  plain.jobs[0].cpu_milli = plain.jobs[0].memory_mib = 0;
  std::ostringstream plain_out;
  workload::write_native_csv(plain, plain_out);
  CHECK(plain_out.str().find("cpu_milli") == std::string::npos);

  const suanli::testing::TempFile bad("suanli_hostres", "bad.csv",
                                      "job_id,submit_time,num_gpus,duration,cpu_milli\n"
                                      "a,0,0,10,\n");
  const std::string e =
      suanli::testing::input_error_of([&] { workload::read_native_csv(bad.path()); }, bad.path());
  CHECK_MESSAGE(
      e.find(":2: num_gpus: must be >= 1, got '0' (0 only for a CPU-only job") != std::string::npos,
      e);
}

TEST_CASE("host resources: a pod no node can hold is an input error or rejected") {
  Fixture f;  // "ft" nodes: 4 GPUs, 16 cores, 64 GiB; "st": 4 GPUs, CPUs and memory unmodelled
  workload::Workload w;
  w.source = "w.csv";
  auto add = [&](const char* id, int gpus, int cpu, int mem) {
    workload::Job job;
    job.id = id;
    job.num_gpus = gpus;
    job.duration_s = 10;
    job.cpu_milli = cpu;
    job.memory_mib = mem;
    job.line = int(w.jobs.size()) + 2;
    w.jobs.push_back(job);
  };
  add("fits_st", 4, 64000, 1);   // too many cores for ft, but st does not count them
  add("five_gpus", 5, 1000, 1);  // 5 GPUs on one node: no node has 5
  auto prepared = perf::prepare_jobs(f.platform, w, /*reject_oversized*/ true);
  CHECK_FALSE(prepared[0].rejected);
  CHECK(prepared[1].rejected);
  CHECK(prepared[1].reject_reason.find("is a pod asking for 5 GPUs") != std::string::npos);
  const std::string e =
      suanli::testing::input_error_of([&] { perf::prepare_jobs(f.platform, w, false); }, "w.csv");
  CHECK_MESSAGE(e.find("w.csv:3: num_gpus: job 'five_gpus' is a pod") == 0, e);

  // A CPU-only job's work must be a duration: params and tokens are GPU work.
  w.jobs.clear();
  add("cpu", 0, 1000, 0);
  w.jobs[0].duration_s = -1;
  w.jobs[0].params = w.jobs[0].tokens = 1e9;
  const std::string m =
      suanli::testing::input_error_of([&] { perf::prepare_jobs(f.platform, w, false); }, "w.csv");
  CHECK_MESSAGE(m.find("w.csv:2: num_gpus: job 'cpu' is CPU-only") == 0, m);
}
