#include "runtime/precision.h"

#include <ATen/autocast_mode.h>

#include <fstream>
#include <sstream>

#include "util/error.h"

namespace r1 {

bool cpu_has_native_bf16() {
  static const bool native = [] {
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string line;
    while (std::getline(cpuinfo, line)) {
      if (line.rfind("flags", 0) != 0) continue;
      std::istringstream flags(line);
      std::string flag;
      while (flags >> flag)
        if (flag == "avx512_bf16" || flag == "amx_bf16") return true;
      return false;
    }
    return false;
  }();
  return native;
}

Precision parse_precision(const std::string& name, torch::Device device) {
  if (name == "fp32" || name == "float32") return Precision::kFloat32;
  if (name == "bf16-mixed" || name == "bf16") return Precision::kBFloat16Mixed;
  if (name == "auto")
    return device.is_cuda() || cpu_has_native_bf16() ? Precision::kBFloat16Mixed : Precision::kFloat32;
  fail("--precision '{}' is not valid; use auto, fp32 or bf16-mixed", name);
}

std::string precision_name(Precision precision) {
  return precision == Precision::kBFloat16Mixed ? "bf16-mixed" : "fp32";
}

AutocastScope::AutocastScope(torch::Device device, Precision precision) {
  if (precision != Precision::kBFloat16Mixed) return;
  active_ = true;
  cuda_ = device.is_cuda();
  if (cuda_) {
    was_enabled_ = at::autocast::is_enabled();
    previous_dtype_ = at::autocast::get_autocast_gpu_dtype();
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(true);
  } else {
    was_enabled_ = at::autocast::is_cpu_enabled();
    previous_dtype_ = at::autocast::get_autocast_cpu_dtype();
    at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    at::autocast::set_cpu_enabled(true);
  }
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  if (cuda_) {
    at::autocast::set_enabled(was_enabled_);
    at::autocast::set_autocast_gpu_dtype(previous_dtype_);
  } else {
    at::autocast::set_cpu_enabled(was_enabled_);
    at::autocast::set_autocast_cpu_dtype(previous_dtype_);
  }
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
}

torch::Dtype product_dtype(torch::Device device, torch::Dtype weights) {
  if (device.is_cuda() && at::autocast::is_enabled()) return at::autocast::get_autocast_gpu_dtype();
  if (device.is_cpu() && at::autocast::is_cpu_enabled()) return at::autocast::get_autocast_cpu_dtype();
  return weights;
}

AutocastPause::AutocastPause()
    : cpu_was_enabled_(at::autocast::is_cpu_enabled()), cuda_was_enabled_(at::autocast::is_enabled()) {
  at::autocast::set_cpu_enabled(false);
  at::autocast::set_enabled(false);
}

AutocastPause::~AutocastPause() {
  at::autocast::set_cpu_enabled(cpu_was_enabled_);
  at::autocast::set_enabled(cuda_was_enabled_);
}

}  // namespace r1
