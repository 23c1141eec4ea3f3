// Learning-rate schedule: linear warm-up from peak/warmup_steps to the peak,
// then constant, or a linear or cosine decay towards min_ratio of the peak,
// which step total_steps would reach.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

namespace r1 {

enum class LRDecay { kConstant, kLinear, kCosine };

// Parses "constant", "linear" or "cosine" and throws r1::Error naming any other value.
LRDecay parse_lr_decay(const std::string& name);
std::string lr_decay_name(LRDecay decay);

struct LRSchedule {
  double peak = 1e-3;
  int64_t warmup_steps = 0;
  int64_t total_steps = 1;
  LRDecay decay = LRDecay::kCosine;
  double min_ratio = 0.1;

  // Learning rate for optimizer step `step` (0-based).
  double at(int64_t step) const {
    if (warmup_steps > 0 && step < warmup_steps) return peak * static_cast<double>(step + 1) / warmup_steps;
    if (decay == LRDecay::kConstant || total_steps <= warmup_steps) return peak;

    // progress runs from 0 after warm-up towards 1 at step total_steps
    double progress = static_cast<double>(step - warmup_steps) / static_cast<double>(total_steps - warmup_steps);
    progress = std::min(1.0, std::max(0.0, progress));
    const double shape = decay == LRDecay::kLinear ? 1.0 - progress : 0.5 * (1.0 + std::cos(M_PI * progress));
    return peak * (min_ratio + (1.0 - min_ratio) * shape);
  }
};

}  // namespace r1
