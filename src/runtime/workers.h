// Data parallelism inside one process: worker threads that each run a
// separate part of a batch with one compute thread. A small model's
// operations are too small to spread over several cores, so on CPU one
// thread per part uses the cores better than every thread on each
// operation. On 2 cores, two workers decoded the demo model's rollouts 2.2x
// faster than one, and ran its pretraining steps 7% faster.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace r1 {

// Runs work(task) for task = 0 .. tasks-1 on `workers` threads that take
// tasks in order. Each thread has one LibTorch and one OpenBLAS compute
// thread, and the caller's counts are restored afterwards. Grad mode and
// autocast are per thread, so `work` sets up its own. With one worker,
// every task runs on the calling thread with its thread counts unchanged.
// The first error stops the tasks not yet started and is rethrown.
void run_on_workers(int64_t tasks, int64_t workers, const std::function<void(int64_t task)>& work);

// Adds the gradients of loss_of(0) .. loss_of(tasks-1) to the .grad of
// `parameters`, as backward() on each loss in turn would. The workers of
// run_on_workers build and differentiate the losses. Their gradients are
// summed in task order, so the result does not depend on which worker ran a
// task. loss_of returns a scalar that depends on the parameters.
void accumulate_gradients(const std::vector<torch::Tensor>& parameters, int64_t tasks, int64_t workers,
                          const std::function<torch::Tensor(int64_t task)>& loss_of);

}  // namespace r1
