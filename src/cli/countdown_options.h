// Command-line options of the Countdown stages (problem generation and the
// built-in base model), shared by r1 pretrain and r1 grpo.
#pragma once

#include <CLI/CLI.hpp>

#include "pipeline/countdown_pipeline.h"

namespace r1::cli {

void add_countdown_data_options(CLI::App& app, CountdownDataOptions& options);

void add_base_model_options(CLI::App& app, BaseModelOptions& options);

}  // namespace r1::cli
