#include "trainers/schedule.h"

#include "util/error.h"

namespace r1 {

LRDecay parse_lr_decay(const std::string& name) {
  if (name == "constant") return LRDecay::kConstant;
  if (name == "linear") return LRDecay::kLinear;
  if (name == "cosine") return LRDecay::kCosine;
  fail("unknown learning-rate schedule '{}'; use constant, linear or cosine", name);
}

std::string lr_decay_name(LRDecay decay) {
  switch (decay) {
    case LRDecay::kConstant: return "constant";
    case LRDecay::kLinear: return "linear";
    case LRDecay::kCosine: return "cosine";
  }
  return "cosine";
}

}  // namespace r1
