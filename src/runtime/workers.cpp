#include "runtime/workers.h"

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

#include <ATen/Parallel.h>

#include "runtime/runtime.h"
#include "util/error.h"

namespace r1 {

void run_on_workers(int64_t tasks, int64_t workers, const std::function<void(int64_t)>& work) {
  if (workers < 1) fail("workers={} must be >= 1", workers);
  if (workers == 1 || tasks <= 1) {
    for (int64_t task = 0; task < tasks; ++task) work(task);
    return;
  }

  // Two workers whose products each spread over both cores of a 2-core
  // machine ran no faster than one, so each worker computes alone.
  const int saved_threads = at::get_num_threads();
  const int saved_blas_threads = set_openblas_threads(1);
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex error_mutex;
  std::exception_ptr error;
  auto loop = [&] {
    try {
      at::set_num_threads(1);
      for (int64_t task = next++; task < tasks && !failed; task = next++) work(task);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
      failed = true;
    }
  };
  std::vector<std::thread> threads;
  for (int64_t w = 0; w < std::min(workers, tasks); ++w) threads.emplace_back(loop);
  for (auto& thread : threads) thread.join();
  at::set_num_threads(saved_threads);
  if (saved_blas_threads > 0) set_openblas_threads(saved_blas_threads);
  if (error) std::rethrow_exception(error);
}

void accumulate_gradients(const std::vector<torch::Tensor>& parameters, int64_t tasks, int64_t workers,
                          const std::function<torch::Tensor(int64_t)>& loss_of) {
  if (workers == 1 || tasks <= 1) {
    for (int64_t task = 0; task < tasks; ++task) loss_of(task).backward();
    return;
  }

  // each task's gradients, kept apart until all are done
  std::vector<std::vector<torch::Tensor>> gradients(tasks);
  run_on_workers(tasks, workers, [&](int64_t task) {
    torch::Tensor loss = loss_of(task);
    gradients[task] = torch::autograd::grad({loss}, parameters, /*grad_outputs=*/{}, /*retain_graph=*/false,
                                            /*create_graph=*/false, /*allow_unused=*/true);
  });

  // sum in task order into .grad
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < parameters.size(); ++i) {
    torch::Tensor parameter = parameters[i];
    for (int64_t task = 0; task < tasks; ++task) {
      const torch::Tensor& g = gradients[task][i];
      if (!g.defined()) continue;
      if (parameter.grad().defined()) {
        parameter.mutable_grad().add_(g);
      } else {
        parameter.mutable_grad() = g.clone();
      }
    }
  }
}

}  // namespace r1
