#pragma once
// The workload's view of the CSV building blocks: those of suanli/common/csv_util.hpp (found
// here under suanli::workload too, as the readers and tests have always named them), and the
// one that speaks of jobs.
#include <cstddef>
#include <string>
#include <string_view>

#include "suanli/common/csv_reader.hpp"
#include "suanli/common/csv_util.hpp"
#include "suanli/workload/job.hpp"

namespace suanli::workload {

using suanli::append_number;
using suanli::count_file_newlines;
using suanli::CsvReader;
using suanli::CsvSplitError;
using suanli::EarliestTime;
using suanli::FileLines;
using suanli::FirstSeen;
using suanli::for_each_file_line;
using suanli::for_each_line;
using suanli::format_number;
using suanli::is_skipped_line;
using suanli::kLineChunkBytes;
using suanli::LineRules;
using suanli::parse_double;
using suanli::parse_int;
using suanli::quote_for_message;
using suanli::read_csv_header;
using suanli::read_csv_row;
using suanli::read_file_head;
using suanli::read_gpu_count;
using suanli::read_whole_count;
using suanli::read_whole_file;
using suanli::split_csv_line;
namespace detail {
using suanli::detail::FreeIdSlots;
using suanli::detail::IdArena;
using suanli::detail::IdSlot;
}  // namespace detail

// "job 'id' (line N)", naming one job in a message (the line only when known).
std::string job_name(const Job& job);

// A workload about to be read from `path` as `format`: source and format set, room for
// `expected_jobs` jobs (so that a million jobs are not copied as the vector grows).
Workload start_workload(const std::string& path, std::string_view format,
                        std::size_t expected_jobs);

// Times as seconds from the trace's first submission: every job's submit_s less
// first.seconds, and metadata "epoch_first_submit" with the time as written. Nothing when
// no submission was seen.
void start_at_first_submit(Workload& w, const EarliestTime& first);

// Metadata `key` = `count` when `count` > 0 (rows dropped for one reason, and the like).
void add_count(Workload& w, std::string_view key, std::size_t count);

}  // namespace suanli::workload
