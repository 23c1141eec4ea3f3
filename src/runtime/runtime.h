// Process-wide runtime settings: compute threads, device selection, seeds.
#pragma once

#include <torch/torch.h>

#include <string>

namespace r1 {

// Sets LibTorch's intra-op threads, and OpenBLAS's where LibTorch uses it;
// 0 means every core. Returns the count set.
int configure_threads(int threads);

// Makes the CPU treat subnormal floats as zero, in inputs and results, on
// this thread and on the threads it starts later (they inherit the setting).
// Arithmetic on subnormal values was 5 times slower in one measurement on
// x86, and AdamW moments of parameters without gradient, such as unused
// embedding rows, decay into that range. Returns false where the CPU has no
// such mode.
bool flush_subnormals();

// Sets the thread count of OpenBLAS when the process has it (Debian's
// LibTorch runs float32 matrix products there), which torch::set_num_threads
// does not reach. Returns the previous count, or 0 without OpenBLAS.
int set_openblas_threads(int threads);

// Parses "cpu", "cuda" or "cuda:N"; throws r1::Error when CUDA is asked for
// but not available.
torch::Device parse_device(const std::string& name);

// Parses "float32"/"fp32", "bfloat16"/"bf16", "float16"/"fp16".
torch::Dtype parse_dtype(const std::string& name);
std::string dtype_name(torch::Dtype dtype);

// Process settings that libraries read only at load time, so the process
// re-executes itself (argv as given to main) once with them set. A value the user set is kept.
// - OMP_WAIT_POLICY=PASSIVE: Debian's LibTorch runs fp32 matrix products on
//   OpenBLAS threads and its own loops on OpenMP threads; spin-waiting OpenMP
//   threads fight OpenBLAS for the cores (batched decode measured 2.6x slower
//   on 2 cores).
// - OPENBLAS_THREAD_TIMEOUT=4: idle OpenBLAS threads go to sleep after about
//   2^4 cycles instead of calling sched_yield in a loop, which took about a
//   fifth of a pretraining step's time on 2 cores.
// - OPENBLAS_CORETYPE=SkylakeX on Intel CPUs with AVX-512: Debian's
//   OpenBLAS 0.3.21 does not know newer Intel models (family 6 model 207
//   among them) and falls back to its SSE3 "Prescott" kernels. On such a
//   CPU, a 2048^3 float32 torch::mm ran at 30.5 GFLOP/s with them and at
//   157.9 GFLOP/s with the SkylakeX kernels. Float32 training steps of the
//   demo model went from 3.2k to 9.5k tokens/s.
// - GLIBC_TUNABLES malloc thresholds: glibc serves blocks above 32 MiB with
//   mmap and returns them on free, so every step faults its activation
//   buffers in again. Keeping them in the heap cut the system time of a
//   40-step pretraining run from 23 s to 11 s. arena_max=1 keeps worker
//   threads (runtime/workers.h) on that heap too: a thread's own arena is
//   made of 64 MiB heaps that glibc unmaps once empty, which nearly tripled
//   the page faults of a GRPO run with two workers and made its passes 40%
//   slower.
void tune_process_environment(char** argv);

// Seeds LibTorch's global generators.
void seed_everything(uint64_t seed);

}  // namespace r1
