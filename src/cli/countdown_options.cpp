#include "cli/countdown_options.h"

namespace r1::cli {

void add_countdown_data_options(CLI::App& app, CountdownDataOptions& options) {
  app.add_option("--train-problems", options.train_problems, "Countdown training problems to generate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--heldout", options.heldout_problems, "Held-out Countdown problems to generate")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--data-seed", options.seed, "Seed of the problem generator; equal seeds give equal splits")
      ->capture_default_str();
  auto& generator = options.generator;
  app.add_option("--min-count", generator.min_count, "Fewest numbers per problem")
      ->capture_default_str()
      ->check(CLI::Range(2, 6));
  app.add_option("--max-count", generator.max_count, "Most numbers per problem")
      ->capture_default_str()
      ->check(CLI::Range(2, 6));
  app.add_option("--min-number", generator.min_number, "Smallest number")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--max-number", generator.max_number, "Largest number")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--min-target", generator.min_target, "Smallest target")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--max-target", generator.max_target, "Largest target")->capture_default_str()->check(CLI::PositiveNumber);
}

void add_base_model_options(CLI::App& app, BaseModelOptions& options) {
  app.add_option("--hidden-size", options.hidden_size, "Model width")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--layers", options.num_hidden_layers, "Transformer blocks")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--heads", options.num_attention_heads, "Attention heads")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--kv-heads", options.num_key_value_heads, "Key/value heads (grouped-query attention)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--intermediate-size", options.intermediate_size, "MLP width")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--max-positions", options.max_position_embeddings, "Longest sequence in tokens")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
}

}  // namespace r1::cli
