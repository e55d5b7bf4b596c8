// `workload stats`: arrivals by hour of day on the trace's own clock (its epoch and time
// zone when the metadata has them), and job types.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "suanli/workload/workload_stats.hpp"

using namespace suanli::workload;

namespace {

Workload with_jobs(const std::string& format, std::vector<double> submits,
                   std::vector<std::pair<std::string, std::string>> metadata) {
  Workload w;
  w.source = "trace";
  w.format = format;
  for (std::size_t i = 0; i < submits.size(); ++i) {
    Job j;
    j.id = std::to_string(i);
    j.submit_s = submits[i];
    j.num_gpus = 1;
    j.duration_s = 60;
    w.jobs.push_back(j);
  }
  w.metadata = std::move(metadata);
  return w;
}

bool has_zone(const char* zone) {
  return std::filesystem::is_regular_file(std::filesystem::path("/usr/share/zoneinfo") / zone);
}

}  // namespace

TEST_CASE("stats: with an epoch of 2020-01-01 13:30 UTC, a job at t = 1800 s is in hour 14") {
  const auto w = with_jobs("philly", {0, 1800}, {{"epoch_first_submit", "2020-01-01 13:30:00"}});
  const auto s = compute_stats(w, 8);
  CHECK(s.hour_basis == "utc");
  REQUIRE(s.time0_unix_s);
  CHECK(*s.time0_unix_s == 1577885400);
  CHECK(s.time0_key == "epoch_first_submit");
  std::vector<double> expected(24, 0.0);
  expected[13] = 1;  // t = 0: 13:30
  expected[14] = 1;  // t = 1800: 14:00
  CHECK(s.arrivals_per_hour == expected);

  const auto j = stats_json(w, s, 8);
  CHECK(j["hour_basis"] == "utc");
  CHECK(j["time0_utc"] == "2020-01-01 13:30:00");
  CHECK(j["time0_from"] == "epoch_first_submit");
  CHECK_FALSE(j.contains("hour_time_zone"));
  const auto text = format_stats(w, s, 8);
  CHECK(text.find("by hour of day (UTC; time 0 = 2020-01-01 13:30:00 UTC, from "
                  "epoch_first_submit):") != std::string::npos);
}

TEST_CASE("stats: without an epoch, hours count from the trace's time 0 and say so") {
  const auto w = with_jobs("native", {0, 1800}, {});
  const auto s = compute_stats(w, 8);
  CHECK(s.hour_basis == "trace-relative");
  CHECK_FALSE(s.time0_unix_s);
  CHECK(s.arrivals_per_hour[0] == 2);
  const auto j = stats_json(w, s, 8);
  CHECK(j["hour_basis"] == "trace-relative");
  CHECK_FALSE(j.contains("time0_utc"));
  CHECK(format_stats(w, s, 8).find("(trace-relative: the trace gives no date for its time 0)") !=
        std::string::npos);
}

// Alibaba, Gavel and Tiresias write their first submission as seconds from an unknown start:
// no epoch. Helios files with epoch-second times and SWF's time0_unix_s are Unix times.
TEST_CASE("stats: which metadata gives an epoch") {
  CHECK_FALSE(trace_epoch(with_jobs("alibaba-gpu-2023", {0}, {{"epoch_first_submit", "0"}})));
  CHECK_FALSE(trace_epoch(with_jobs("tiresias", {0}, {{"epoch_first_submit", "120"}})));
  CHECK_FALSE(trace_epoch(with_jobs("gavel", {0}, {{"epoch_first_submit", "7.5"}})));
  std::string key;
  const auto helios =
      trace_epoch(with_jobs("helios", {0}, {{"epoch_first_submit", "1591728000"}}), &key);
  REQUIRE(helios);
  CHECK(*helios == 1591728000);
  CHECK(key == "epoch_first_submit");
  const auto swf = trace_epoch(
      with_jobs("swf", {0}, {{"UnixStartTime", "1000000000"}, {"time0_unix_s", "1000000100"}}),
      &key);
  REQUIRE(swf);
  CHECK(*swf == 1000000100);
  CHECK(key == "time0_unix_s");
  // A date-time is a date-time whatever the format (Tiresias files may have them).
  CHECK(trace_epoch(with_jobs("tiresias", {0}, {{"epoch_first_submit", "2017-10-01 00:00:00"}})));
}

// SWF logs name their time zone (TimeZoneString): hours are local there when the system's
// time-zone database knows it, else UTC with a note. Asia/Shanghai has been UTC+8 without
// daylight saving since 1991.
TEST_CASE("stats: an SWF time zone gives local hours") {
  // time0 = 2001-09-09 01:46:40 UTC = 09:46:40 in Shanghai; +1 h later: 10:46:40.
  const auto w = with_jobs("swf", {0, 3600},
                           {{"TimeZoneString", "Asia/Shanghai"}, {"time0_unix_s", "1000000000"}});
  const auto s = compute_stats(w, 8);
  if (has_zone("Asia/Shanghai")) {
    CHECK(s.hour_basis == "local");
    CHECK(s.hour_time_zone == "Asia/Shanghai");
    CHECK(s.arrivals_per_hour[9] == 1);
    CHECK(s.arrivals_per_hour[10] == 1);
    const auto j = stats_json(w, s, 8);
    CHECK(j["hour_basis"] == "local");
    CHECK(j["hour_time_zone"] == "Asia/Shanghai");
    CHECK(format_stats(w, s, 8).find("(Asia/Shanghai local time; time 0 = 2001-09-09 01:46:40 "
                                     "UTC, from time0_unix_s)") != std::string::npos);
  } else {
    MESSAGE("no Asia/Shanghai in /usr/share/zoneinfo: only the UTC fallback is checked");
    CHECK(s.hour_basis == "utc");
  }
  const char* tz = std::getenv("TZ");
  const std::string tz_before = tz ? tz : "(unset)";
  const auto unknown = with_jobs(
      "swf", {0}, {{"TimeZoneString", "Mars/Olympus_Mons"}, {"time0_unix_s", "1000000000"}});
  const auto u = compute_stats(unknown, 8);
  CHECK(u.hour_basis == "utc");
  CHECK(u.arrivals_per_hour[1] == 1);
  CHECK(u.hour_basis_note ==
        "time zone 'Mars/Olympus_Mons' (TimeZoneString) is not in the system's time-zone "
        "database: hours are UTC");
  CHECK(stats_json(unknown, u, 8)["hour_basis_note"] == u.hour_basis_note);
  tz = std::getenv("TZ");
  CHECK((tz ? tz : "(unset)") == tz_before);  // left as it was
}

// Submissions from 2020-01-01 23:00 to 2020-01-02 01:00 UTC cover two calendar days: each hour
// of day's count is divided by 2 (trace-relative, the same span covers only day 0).
TEST_CASE("stats: arrivals per hour are divided by the days the submissions cover") {
  const auto w =
      with_jobs("philly", {0, 600, 7200}, {{"epoch_first_submit", "2020-01-01 23:00:00"}});
  const auto s = compute_stats(w, 8);
  CHECK(s.arrivals_per_hour[23] == 1.0);  // 2 jobs / 2 days
  CHECK(s.arrivals_per_hour[1] == 0.5);
  const auto r = compute_stats(with_jobs("native", {0, 600, 7200}, {}), 8);
  CHECK(r.arrivals_per_hour[0] == 2);
  CHECK(r.arrivals_per_hour[2] == 1);
}

TEST_CASE("stats: job types are counted when jobs have one") {
  auto w = with_jobs("native", {0, 1, 2}, {});
  w.jobs[0].job_type = "finetune";
  w.jobs[1].job_type = "finetune";
  const auto s = compute_stats(w, 8);
  CHECK(s.job_types == std::map<std::string, std::size_t>{{"finetune", 2}});
  CHECK(stats_json(w, s, 8)["job_types"]["finetune"] == 2);
  CHECK(format_stats(w, s, 8).find("finetune") != std::string::npos);
  CHECK_FALSE(
      stats_json(w, compute_stats(with_jobs("native", {0}, {}), 8), 8).contains("job_types"));
}
