#pragma once
// The subcommands. Each takes the arguments after its name and returns the exit status;
// bad input surfaces as suanli::InputError (exit 2), caught once in main().
#include <string>
#include <vector>

namespace suanli::cli {

using Args = std::vector<std::string>;

int run_command(const Args& args);
int compare_command(const Args& args);
int platform_command(const Args& args);
int validate_command(const Args& args);
int workload_command(const Args& args);
int workload_generate_command(const Args& args);
int requests_command(const Args& args);

}  // namespace suanli::cli
