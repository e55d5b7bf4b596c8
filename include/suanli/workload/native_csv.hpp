#pragma once
// The native CSV workload format (docs/workload-format.md). Header required, column order
// free.
#include <ostream>
#include <string>

#include "suanli/workload/job.hpp"

namespace suanli::workload {

// Reads and checks the file; throws InputError("file:line: column: what") on bad input.
// Unknown columns are kept in Workload::ignored_columns (the caller warns once).
Workload read_native_csv(const std::string& path);

// Writes the jobs in the native format, in order, so that read_native_csv gives them back
// unchanged (numbers are written in shortest round-trip form). Values that mean "not
// given" (walltime -1, empty strings) are left empty; mfu and batch_tokens are written for
// params/tokens jobs only. Throws std::invalid_argument for a string holding a line break,
// which the format cannot carry.
void write_native_csv(const Workload& workload, std::ostream& out);

}  // namespace suanli::workload
