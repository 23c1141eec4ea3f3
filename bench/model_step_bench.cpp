// Times forward and backward of the demo model on one batch, to check the
// training step cost in isolation.
#include <chrono>

#include <fmt/format.h>

#include "model/transformer.h"
#include "pipeline/countdown_pipeline.h"

int main(int argc, char** argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  torch::set_num_threads(threads);
  r1::Transformer model(r1::base_model_config({}));
  model->init_weights(0);
  const int64_t B = 32, T = 150;
  auto tokens = torch::randint(0, 200, {B, T}, torch::kLong);
  auto mask = torch::ones({B, T}, torch::kBool);
  auto positions = r1::positions_from_mask(mask);
  for (int i = 0; i < 4; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    auto logits = model->forward(tokens, positions, mask);
    auto t1 = std::chrono::steady_clock::now();
    logits.to(torch::kFloat32).logsumexp(-1).mean().backward();
    auto t2 = std::chrono::steady_clock::now();
    fmt::print("threads {} forward {:.1f} ms backward {:.1f} ms\n", threads,
               std::chrono::duration<double, std::milli>(t1 - t0).count(),
               std::chrono::duration<double, std::milli>(t2 - t1).count());
  }
}
