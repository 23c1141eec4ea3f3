// r1: the command-line front end. Each stage of the pipeline is a subcommand
// defined in its own cmd_<name>.cpp; this file only dispatches and turns
// errors into exit codes.
#include <cstdio>
#include <cstdlib>
#include <exception>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/command.h"
#include "util/error.h"

namespace r1::cli {

std::vector<CommandSetup>& command_registry() {
  static std::vector<CommandSetup> registry;
  return registry;
}

}  // namespace r1::cli

namespace {

// Debian's LibTorch runs fp32 matrix products on OpenBLAS threads and its own
// loops on OpenMP threads. With OpenMP threads spin-waiting, the two fight for
// the cores (measured 2.6x slower batched decode on 2 cores), and libgomp reads
// OMP_WAIT_POLICY only at load time, so the process re-executes itself once
// with the variable set. A value set by the user is kept.
void ensure_passive_omp_wait(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  execv("/proc/self/exe", argv);
  // execv returns only on failure; running on with the default policy is
  // slower but correct.
}

}  // namespace

int main(int argc, char** argv) {
  ensure_passive_omp_wait(argv);
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
