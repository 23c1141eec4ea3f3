#include "runtime/runtime.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <thread>

#include <dlfcn.h>
#include <unistd.h>

#include "util/error.h"

namespace r1 {

int configure_threads(int threads) {
  if (threads < 0) fail("--threads={} must be >= 0 (0 uses every core)", threads);
  if (threads == 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(threads);
  set_openblas_threads(threads);
  return threads;
}

bool flush_subnormals() { return at::globalContext().setFlushDenormal(true); }

int set_openblas_threads(int threads) {
  using GetThreads = int (*)();
  using SetThreads = void (*)(int);
  auto get = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  auto set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (get == nullptr || set == nullptr) return 0;
  const int previous = get();
  set(threads);
  return previous;
}

torch::Device parse_device(const std::string& name) {
  if (name == "cpu") return torch::kCPU;
  if (name.rfind("cuda", 0) == 0) {
    if (!torch::cuda::is_available())
      fail("--device {}: CUDA is not available in this LibTorch build or machine; use --device cpu", name);
    return torch::Device(name);
  }
  fail("--device '{}' is not valid; use cpu, cuda or cuda:N", name);
}

torch::Dtype parse_dtype(const std::string& name) {
  if (name == "float32" || name == "fp32" || name == "f32") return torch::kFloat32;
  if (name == "bfloat16" || name == "bf16") return torch::kBFloat16;
  if (name == "float16" || name == "fp16" || name == "f16") return torch::kFloat16;
  fail("dtype '{}' is not supported; use float32, bfloat16 or float16", name);
}

std::string dtype_name(torch::Dtype dtype) {
  if (dtype == torch::kFloat32) return "float32";
  if (dtype == torch::kBFloat16) return "bfloat16";
  if (dtype == torch::kFloat16) return "float16";
  fail("dtype {} has no name here", c10::toString(dtype));
}

namespace {

// True on an Intel CPU whose /proc/cpuinfo flags include the AVX-512 subsets
// that OpenBLAS's SkylakeX kernels use.
bool intel_cpu_with_avx512() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  bool intel = false;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("vendor_id", 0) == 0) intel = line.find("GenuineIntel") != std::string::npos;
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream flags(line);
    std::set<std::string> present{std::istream_iterator<std::string>(flags), std::istream_iterator<std::string>()};
    for (const char* needed : {"avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"})
      if (present.count(needed) == 0) return false;
    return intel;
  }
  return false;
}

}  // namespace

void tune_process_environment(char** argv) {
  if (std::getenv("R1_ENVIRONMENT_TUNED") != nullptr) return;
  setenv("R1_ENVIRONMENT_TUNED", "1", 1);
  setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
  setenv("OPENBLAS_THREAD_TIMEOUT", "4", 0);
  if (intel_cpu_with_avx512()) setenv("OPENBLAS_CORETYPE", "SkylakeX", 0);
  setenv("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=4294967295:glibc.malloc.trim_threshold=4294967295:glibc.malloc.arena_max=1", 0);
  execv("/proc/self/exe", argv);
  // execv returns only on failure; running on untuned is slower but correct.
}

void seed_everything(uint64_t seed) {
  torch::manual_seed(seed);
  if (torch::cuda::is_available()) torch::cuda::manual_seed_all(seed);
}

}  // namespace r1
