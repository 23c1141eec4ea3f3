// Subcommand registry of the r1 tool. Each src/cli/cmd_<name>.cpp defines a
// function that adds its subcommand (options and callback) to the root app and
// registers it with R1_REGISTER_COMMAND; main() collects them all. Callbacks
// report failures by throwing r1::Error, which main() turns into exit code 1.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

namespace r1::cli {

using CommandSetup = void (*)(CLI::App& root);

std::vector<CommandSetup>& command_registry();

struct CommandRegistrar {
  explicit CommandRegistrar(CommandSetup setup) { command_registry().push_back(setup); }
};

}  // namespace r1::cli

#define R1_CONCAT_INNER(a, b) a##b
#define R1_CONCAT(a, b) R1_CONCAT_INNER(a, b)
#define R1_REGISTER_COMMAND(setup) \
  static ::r1::cli::CommandRegistrar R1_CONCAT(r1_command_registrar_, __LINE__)(setup)
