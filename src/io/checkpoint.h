// r1 checkpoints: a folder in Hugging Face layout, so other tools read it.
//
//   config.json         model configuration (Hugging Face field names)
//   model.safetensors   weights under Hugging Face parameter names
//   r1_tokenizer.json   {"type": "byte"} for the built-in byte tokenizer
//   trainer_state.json  {"format": "r1-checkpoint", "version": 1, "stage",
//                        "step", "config": the run's resolved options}
//
// Saving writes a sibling temporary folder and swaps it into place, so an
// interrupted save never leaves a half-written checkpoint where a good one was.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "model/transformer.h"
#include "tokenizer/tokenizer.h"

namespace r1 {

struct Checkpoint {
  Transformer model{nullptr};
  std::shared_ptr<Tokenizer> tokenizer;
  nlohmann::json tokenizer_spec;
  nlohmann::json trainer_state;
};

void save_checkpoint(const std::string& dir, Transformer& model, const nlohmann::json& tokenizer_spec,
                     const nlohmann::json& trainer_state);

// Loads a checkpoint onto `device` in `dtype`. Every tensor's name and shape
// is checked against config.json; errors name the file and the tensor.
Checkpoint load_checkpoint(const std::string& dir, torch::Device device = torch::kCPU,
                           torch::Dtype dtype = torch::kFloat32);

// Copies all parameters of `source` into a new model with the same config.
Transformer clone_model(Transformer& source);

// Builds the tokenizer a checkpoint's r1_tokenizer.json describes.
std::shared_ptr<Tokenizer> make_tokenizer(const nlohmann::json& spec);

}  // namespace r1
