#include "suanli/cli/parse.hpp"

#include <iostream>

#include "suanli/common/input_error.hpp"

namespace suanli::cli {

namespace po = boost::program_options;

bool parse_or_help(const Args& args, const std::string& usage, po::options_description options,
                   const po::positional_options_description& positional) {
  options.add_options()("help,h", "show this help");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: " << usage << "\n\n" << options << "\n";
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw InputError(std::string(e.what()) + " (see: " + usage.substr(0, usage.find(' ', 7)) +
                     " --help)");
  }
  return true;
}

int run_subcommand(const Args& args, std::string_view command, const std::string& usage,
                   std::initializer_list<Subcommand> subcommands) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << "usage: " << usage << "\n";
    return args.empty() ? 2 : 0;
  }
  const Args rest(args.begin() + 1, args.end());
  std::string expected;
  for (const Subcommand& sub : subcommands) {
    if (args[0] == sub.name) return sub.run(rest);
    expected += (expected.empty() ? "" : ", ") + std::string(sub.name);
  }
  throw InputError(std::string(command) + ": unknown subcommand '" + args[0] + "' (expected " +
                   expected + ")");
}

}  // namespace suanli::cli
