#pragma once
// Boost.Program_options glue shared by the subcommands: parse, print --help, turn option
// errors into InputError (exit 2).
#include <initializer_list>
#include <string>
#include <string_view>

#include <boost/program_options.hpp>

#include "suanli/cli/commands.hpp"

namespace suanli::cli {

// Parses args against `options` (+ positional); returns false when --help was printed.
bool parse_or_help(const Args& args, const std::string& usage,
                   boost::program_options::options_description options,
                   const boost::program_options::positional_options_description& positional = {});

// One subcommand of a command with several (platform show, workload convert, ...).
struct Subcommand {
  std::string_view name;
  int (*run)(const Args& rest);
};

// Runs the subcommand args[0] names with the arguments after it. With no argument: the usage
// line and 2; with -h or --help: the usage line and 0. Any other name: InputError
// "<command>: unknown subcommand 'x' (expected a, b, c)".
int run_subcommand(const Args& args, std::string_view command, const std::string& usage,
                   std::initializer_list<Subcommand> subcommands);

}  // namespace suanli::cli
