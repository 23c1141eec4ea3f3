// Learning-rate schedule: linear warm-up, then cosine decay to min_ratio of
// the peak (or constant when cosine is off).
#pragma once

#include <cmath>
#include <cstdint>

namespace r1 {

struct LRSchedule {
  double peak = 1e-3;
  int64_t warmup_steps = 0;
  int64_t total_steps = 1;
  bool cosine = true;
  double min_ratio = 0.1;

  // Learning rate for optimizer step `step` (0-based).
  double at(int64_t step) const {
    if (warmup_steps > 0 && step < warmup_steps) return peak * static_cast<double>(step + 1) / warmup_steps;
    if (!cosine || total_steps <= warmup_steps) return peak;
    double progress = static_cast<double>(step - warmup_steps) / static_cast<double>(total_steps - warmup_steps);
    progress = std::min(1.0, std::max(0.0, progress));
    return peak * (min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + std::cos(M_PI * progress)));
  }
};

}  // namespace r1
