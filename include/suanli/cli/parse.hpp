#pragma once
// Boost.Program_options glue shared by the subcommands: parse, print --help, turn option
// errors into InputError (exit 2).
#include <string>

#include <boost/program_options.hpp>

#include "suanli/cli/commands.hpp"

namespace suanli::cli {

// Parses args against `options` (+ positional); returns false when --help was printed.
bool parse_or_help(const Args& args, const std::string& usage,
                   boost::program_options::options_description options,
                   const boost::program_options::positional_options_description& positional = {});

}  // namespace suanli::cli
