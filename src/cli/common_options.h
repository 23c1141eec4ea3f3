// Options shared by several subcommands, declared once.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "eval/evaluate.h"
#include "runtime/precision.h"
#include "sampling/sampler.h"

namespace r1::cli {

struct RuntimeOptions {
  int threads = 0;
  std::string device = "cpu";
  uint64_t seed = 0;
  // Training commands only: auto, fp32 or bf16-mixed; empty elsewhere.
  std::string precision;
};

void add_runtime_options(CLI::App& app, RuntimeOptions& options);

// Adds --precision (default auto) to a training command.
void add_precision_option(CLI::App& app, RuntimeOptions& options);

// The precision of training passes that --precision selects on `device`.
Precision runtime_precision(const RuntimeOptions& options, torch::Device device);

// Applies threads and seed; returns the device.
torch::Device apply_runtime_options(const RuntimeOptions& options);

void add_sampling_options(CLI::App& app, SamplingParams& sampling);

void add_eval_options(CLI::App& app, EvalOptions& options);

// --workers: threads that each run part of a batch (runtime/workers.h).
void add_workers_option(CLI::App& app, int64_t& workers);

}  // namespace r1::cli
