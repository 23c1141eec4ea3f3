// r1: the command-line front end. Each stage of the pipeline is a subcommand
// defined in its own cmd_<name>.cpp; this file only dispatches and turns
// errors into exit codes.
#include <cstdio>
#include <cstdlib>
#include <exception>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/command.h"
#include "runtime/runtime.h"
#include "util/error.h"

namespace r1::cli {

std::vector<CommandSetup>& command_registry() {
  static std::vector<CommandSetup> registry;
  return registry;
}

}  // namespace r1::cli

int main(int argc, char** argv) {
  r1::tune_process_environment(argv);
  // one progress line at a time, also when stdout is a pipe or a file
  std::setvbuf(stdout, nullptr, _IOLBF, 0);

  CLI::App app{"r1: DeepSeek-R1 style reasoning RL (GRPO) for language models, on LibTorch"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Print help for every subcommand");
  for (r1::cli::CommandSetup setup : r1::cli::command_registry()) setup(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const r1::Error& e) {
    std::fflush(stdout);
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
  return 0;
}
