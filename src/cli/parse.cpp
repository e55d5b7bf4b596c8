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

}  // namespace suanli::cli
