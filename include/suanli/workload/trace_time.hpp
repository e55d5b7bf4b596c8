#pragma once
// Small pieces shared by the readers of published cluster traces (Philly, Helios,
// Tiresias): calendar times as published ("2017-10-07 01:11:39") turned into seconds, the
// values traces use for "no time recorded", and the header test the CSV sniffers use. No
// locale, no time zone database, no regex: times are taken as UTC. (Duplicate ids: FirstSeen
// in csv_util.hpp, which is fast for ids in order.)
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "suanli/workload/csv_util.hpp"

namespace suanli::workload {

// Seconds since 1970-01-01 00:00:00 UTC of "YYYY-MM-DD HH:MM:SS" (a 'T' may stand for the
// blank, and a fraction of a second ".f..." may follow). The whole text must be the time,
// and the date and time must exist (2017-02-30 and 24:00:00 are refused). Returns false
// otherwise. Years 1000..9999.
bool parse_datetime(std::string_view text, double& seconds);

// True for the ways traces write "no time recorded": empty, "None" (Python), "null",
// "NULL", "NaN", "nan", "NaT" (pandas).
bool is_missing_time(std::string_view text);

// True when the first line of `head` that is neither blank nor a '#' comment (after a
// UTF-8 byte order mark) is a CSV header holding every one of `names` as a column name
// (exactly, after trimming blanks and double quotes), e.g. {"gpu_num", "node_num"}.
bool csv_header_has_columns(std::string_view head, std::initializer_list<std::string_view> names);

}  // namespace suanli::workload
