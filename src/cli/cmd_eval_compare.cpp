// r1 eval-compare: prints the figures of two `r1 eval` runs side by side
// with their differences, and the settings in which the runs differ.
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "eval/eval_results.h"
#include "util/error.h"
#include "util/file.h"

namespace r1::cli {
namespace {

// results.json of a run folder, or the file itself.
nlohmann::ordered_json read_results(const std::string& path) {
  std::string file = std::filesystem::is_directory(path) ? path + "/results.json" : path;
  if (!std::filesystem::exists(file)) fail("{} not found; pass an `r1 eval --out` folder or its results.json", file);
  try {
    nlohmann::ordered_json results = nlohmann::ordered_json::parse(read_file(file));
    if (!results.contains("figures")) fail("{} has no \"figures\"; pass a results.json written by r1 eval", file);
    return results;
  } catch (const nlohmann::json::exception& e) {
    fail("{} is not valid JSON ({})", file, e.what());
  }
}

void setup(CLI::App& root) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto* app = root.add_subcommand("eval-compare", "Print two r1 eval results side by side with their differences");
  app->add_option("results", *paths, "Two run folders (or results.json files): A and B")->required()->expected(2);
  app->callback([paths] {
    fmt::print("{}", compare_results(read_results((*paths)[0]), read_results((*paths)[1]), (*paths)[0], (*paths)[1]));
  });
}

R1_REGISTER_COMMAND(setup);

}  // namespace
}  // namespace r1::cli
