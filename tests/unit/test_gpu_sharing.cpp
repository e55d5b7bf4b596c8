// GPU sharing: shares of one GPU in the allocation state, and how the policies count them
// (sched::FreeGpus, fits/take, EASY's reservation with share jobs running).
#include <doctest/doctest.h>

#include <map>
#include <stdexcept>

#include "fake_cluster_view.hpp"
#include "suanli/platform/topology.hpp"
#include "suanli/sched/allocation.hpp"
#include "suanli/sched/policy.hpp"

using namespace suanli;
using namespace suanli::sched;
using testing::FakeClusterView;
using testing::make_job;

namespace {

struct Fixture {
  platform::Platform platform = testing::small_platform();
  platform::Topology topology = platform::build_topology(platform);
  AllocationState state{platform, topology};
};

QueuedJob share_job(JobIndex index, int milli, double walltime, double submit = 0) {
  QueuedJob job = make_job(index, 1, walltime, submit);
  job.share_milli = milli;
  return job;
}

}  // namespace

TEST_CASE("gpu sharing: a GPU holding a share is not free and packs more shares up to 1000") {
  Fixture f;
  AllocationState& s = f.state;
  CHECK(s.largest_share_room(0) == 0);
  CHECK(s.best_fit_share_gpu(0, 100) == -1);  // no partly used GPU yet

  s.allocate_share(3, 600);
  CHECK_FALSE(s.gpu_free(3));
  CHECK(s.free_in_cluster(0) == 15);
  CHECK(s.free_in_node(0) == 3);
  CHECK(s.share_used(3) == 600);
  CHECK(s.largest_share_room(0) == 400);
  CHECK(s.largest_share_room(1) == 0);  // other cluster untouched

  s.allocate_share(5, 200);  // room 800 on GPU 5
  // Best fit: the least room that still holds the share.
  CHECK(s.best_fit_share_gpu(0, 300) == 3);
  CHECK(s.best_fit_share_gpu(0, 500) == 5);
  CHECK(s.best_fit_share_gpu(0, 900) == -1);
  CHECK(s.largest_share_room(0) == 800);

  s.allocate_share(3, 400);  // GPU 3 now full: no room left, out of the best-fit set
  CHECK(s.share_used(3) == 1000);
  CHECK(s.best_fit_share_gpu(0, 1) == 5);
  CHECK_THROWS_AS(s.allocate_share(3, 1), std::logic_error);
  CHECK_THROWS_AS(s.allocate({3}), std::logic_error);  // whole jobs never share
  CHECK_THROWS_AS(s.release({3}), std::logic_error);   // shares are not a whole-GPU job
  CHECK_THROWS_AS(s.allocate_share(7, 1000), std::logic_error);

  s.release_share(3, 600);
  CHECK(s.share_used(3) == 400);
  CHECK(s.largest_share_room(0) == 800);
  CHECK(s.best_fit_share_gpu(0, 600) == 3);  // room 600 beats 800
  s.release_share(3, 400);
  CHECK(s.gpu_free(3));               // last share gone: free again
  CHECK(s.free_in_cluster(0) == 15);  // GPU 5 still holds a share
  CHECK_THROWS_AS(s.release_share(3, 1), std::logic_error);
  s.release_share(5, 200);
  CHECK(s.free_in_cluster(0) == 16);
  CHECK(s.largest_share_room(0) == 0);

  s.allocate({8});
  CHECK_THROWS_AS(s.allocate_share(8, 100), std::logic_error);  // a whole job holds it
}

TEST_CASE("gpu sharing: fits and take count room and whole GPUs without over-promising") {
  FreeGpus free{1, 300};
  CHECK(whole_gpus_needed(share_job(0, 300, 10), free) == 0);  // in the room
  CHECK(whole_gpus_needed(share_job(0, 301, 10), free) == 1);  // needs a free GPU
  CHECK(whole_gpus_needed(make_job(0, 2, 10), free) == -1);
  CHECK(take(share_job(0, 200, 10), free) == 0);
  CHECK(free.share_room_milli == 100);
  CHECK(free.whole == 1);
  // On a free GPU: the room stays as it was (the engine may pack it elsewhere).
  CHECK(take(share_job(0, 500, 10), free) == 1);
  CHECK(free.whole == 0);
  CHECK(free.share_room_milli == 100);
  CHECK_FALSE(fits(share_job(0, 101, 10), free));
  CHECK(fits(share_job(0, 100, 10), free));
  CHECK_THROWS_AS(take(share_job(0, 101, 10), free), std::logic_error);
}

TEST_CASE("gpu sharing: fifo starts a share in the room when no GPU is free") {
  FakeClusterView view;
  view.add_cluster(0, 2);
  view.infos[0].free_gpus = 0;
  view.infos[0].share_room_milli = 500;
  auto policy = make_policy("fifo");
  policy->submit(share_job(1, 500, 100));
  policy->submit(share_job(2, 100, 100));  // the room is used up by job 1 in the tally
  policy->submit(make_job(3, 1, 100));
  const auto decisions = policy->schedule(view);
  REQUIRE(decisions.size() == 1);
  CHECK(decisions[0].job == 1);
  CHECK(policy->queued() == 2);
}

TEST_CASE("gpu sharing: easy backfills a share in the room beside a blocked whole-GPU head") {
  // Cluster of 2 GPUs: GPU a holds a 0.5 share ending at 50, GPU b a whole job ending at 100.
  // Head: a whole 2-GPU job. Running shares free no whole GPU in the reservation, so the
  // head's shadow time is never found (share ends give 0 GPUs, the whole job 1): every
  // cluster that could run it is closed, and nothing backfills.
  FakeClusterView view;
  view.add_cluster(0, 2);
  view.run(0, 10, 1, 100);                           // whole job: frees 1 GPU at 100
  view.running[0].push_back(RunningJob{11, 0, 50});  // share: frees no whole GPU
  view.infos[0].free_gpus = 0;
  view.infos[0].share_room_milli = 500;
  auto policy = make_policy("easy");
  policy->submit(make_job(1, 2, 100));
  policy->submit(share_job(2, 400, 10, 1));
  CHECK(policy->schedule(view).empty());

  // Once the head can be reserved (a second whole job frees the other GPU at 200), the
  // share that ends before the shadow time backfills into the room.
  FakeClusterView view2;
  view2.add_cluster(0, 3);
  view2.run(0, 10, 2, 200);  // frees 2 GPUs at 200
  view2.infos[0].free_gpus = 0;
  view2.infos[0].share_room_milli = 500;  // the third GPU holds a 0.5 share
  view2.running[0].push_back(RunningJob{11, 0, 300});
  auto easy = make_policy("easy");
  easy->submit(make_job(1, 2, 100));
  easy->submit(share_job(2, 400, 10, 1));    // ends at 10 < 200: backfills
  easy->submit(share_job(3, 100, 1000, 2));  // would run past 200: allowed, takes no whole GPU
  easy->submit(share_job(4, 600, 10, 3));    // no room left, no GPU free
  const auto decisions = easy->schedule(view2);
  REQUIRE(decisions.size() == 2);
  CHECK(decisions[0].job == 2);
  CHECK(decisions[1].job == 3);
}
