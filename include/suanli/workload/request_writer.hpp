#pragma once
// Writes a RequestWorkload as suanli's request CSV (docs/requests.md), which
// read_native_requests reads back: the same arrival times (shortest exact decimal), token
// counts, model and SLO class names and request ids, in the same order. Not written: hash_ids
// and prefix_block_tokens (the CSV has no place for prefix blocks), metadata, source and the
// source's line numbers. Model and SLO class indices are renumbered by first appearance on
// reading; the names each request refers to stay the same.
#include <ostream>

#include "suanli/workload/request.hpp"

namespace suanli::workload {

// Columns arrival_time,prompt_tokens,output_tokens, then model when some request has one,
// slo_class when some request has one, request_id when the workload has ids. Throws
// std::invalid_argument for a name or id holding a line break (CSV cannot carry it here).
void write_request_csv(const RequestWorkload& workload, std::ostream& out);

}  // namespace suanli::workload
