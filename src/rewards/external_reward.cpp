#include "rewards/external_reward.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <sstream>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/error.h"

extern char** environ;

namespace r1::rewards {

namespace {

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Writing to a plug-in that died must fail with EPIPE instead of killing this
// process with SIGPIPE.
void ignore_sigpipe_once() {
  static std::once_flag once;
  // NOTE: this sets the process-wide SIGPIPE disposition to ignored.
  std::call_once(once, [] { std::signal(SIGPIPE, SIG_IGN); });
}

}  // namespace

PluginProcess::PluginProcess(std::vector<std::string> command) : command_(std::move(command)) {
  ignore_sigpipe_once();
}

PluginProcess::~PluginProcess() { stop(); }

void PluginProcess::start() {
  int to_child[2];
  int from_child[2];
  if (pipe2(to_child, O_CLOEXEC) != 0) fail("cannot create a pipe for reward plug-in: {}", std::strerror(errno));
  if (pipe2(from_child, O_CLOEXEC) != 0) {
    ::close(to_child[0]);
    ::close(to_child[1]);
    fail("cannot create a pipe for reward plug-in: {}", std::strerror(errno));
  }

  // The child reads requests on stdin and writes responses on stdout; its
  // stderr stays this process's stderr so plug-in errors are visible.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
  std::vector<char*> argv;
  for (std::string& argument : command_) argv.push_back(argument.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int error = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(to_child[0]);
  ::close(from_child[1]);
  if (error != 0) {
    ::close(to_child[1]);
    ::close(from_child[0]);
    fail("cannot start reward plug-in '{}': {}", command_[0], std::strerror(error));
  }
  pid_ = pid;
  to_child_ = to_child[1];
  from_child_ = from_child[0];
  buffer_.clear();
  if (starts_++ > 0) ++restarts_;
}

void PluginProcess::stop() {
  close_fd(to_child_);
  close_fd(from_child_);
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
  buffer_.clear();
}

std::string PluginProcess::request(const std::string& line, double timeout_ms, double startup_timeout_ms) {
  if (pid_ < 0) {
    start();
    timeout_ms += startup_timeout_ms;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(static_cast<int64_t>(timeout_ms * 1000));

  // Send the request.
  std::string message = line + "\n";
  size_t written = 0;
  while (written < message.size()) {
    ssize_t n = ::write(to_child_, message.data() + written, message.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      stop();
      fail("reward plug-in '{}' closed its input (it exited?); restarting it", command_[0]);
    }
    written += static_cast<size_t>(n);
  }

  // Read until a newline, the deadline, or end of file.
  while (true) {
    size_t newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string response = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      return response;
    }
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (remaining.count() <= 0) {
      stop();
      fail("reward plug-in '{}' timed out after {} ms; restarting it", command_[0], timeout_ms);
    }
    pollfd descriptor{from_child_, POLLIN, 0};
    int ready = ::poll(&descriptor, 1, static_cast<int>(remaining.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) continue;
    char chunk[65536];
    ssize_t n = ::read(from_child_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      stop();
      fail("reward plug-in '{}' exited before answering; restarting it", command_[0]);
    }
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

ExternalReward::ExternalReward(const nlohmann::json& options) {
  try {
    if (!options.contains("command")) {
      fail("the external reward needs option 'command', e.g. {{\"command\": \"python3 my_reward.py\"}}");
    }
    const auto& command = options.at("command");
    if (command.is_string()) {
      std::istringstream words(command.get<std::string>());
      for (std::string word; words >> word;) options_.command.push_back(word);
    } else {
      options_.command = command.get<std::vector<std::string>>();
    }
    options_.timeout_ms = options.value("timeout_ms", options_.timeout_ms);
    options_.startup_timeout_ms = options.value("startup_timeout_ms", options_.startup_timeout_ms);
    options_.processes = options.value("processes", options_.processes);
    options_.error_value = options.value("error_value", options_.error_value);
    name_ = options.value("name", name_);
  } catch (const nlohmann::json::exception& e) {
    fail("invalid external reward options {}: {}", options.dump(), e.what());
  }
  if (options_.command.empty()) fail("external reward option 'command' is empty; give the program to run");
  if (options_.processes == 0) fail("external reward option 'processes' must be at least 1");
  if (!(options_.timeout_ms > 0)) fail("external reward option 'timeout_ms' must be positive");
  if (!(options_.startup_timeout_ms >= 0)) fail("external reward option 'startup_timeout_ms' must be >= 0");
  for (size_t i = 0; i < options_.processes; ++i) {
    auto slot = std::make_unique<Slot>();
    slot->process = std::make_unique<PluginProcess>(options_.command);
    slots_.push_back(std::move(slot));
  }
}

RewardResult ExternalReward::score(const RewardInput& input) const {
  RewardResult result;
  result.value = options_.error_value;
  try {
    nlohmann::json request = {{"prompt", input.prompt},
                              {"completion", input.completion},
                              {"answer", input.reference.answer},
                              {"metadata", input.reference.metadata},
                              {"truncated", input.truncated}};
    std::string request_line = request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);

    // Round-robin over the processes; each one serves one request at a time.
    size_t index;
    {
      std::lock_guard<std::mutex> lock(next_mutex_);
      index = next_slot_++ % slots_.size();
    }
    Slot& slot = *slots_[index];
    std::string response_line;
    {
      std::lock_guard<std::mutex> lock(slot.mutex);
      response_line = slot.process->request(request_line, options_.timeout_ms, options_.startup_timeout_ms);
    }

    nlohmann::json response = nlohmann::json::parse(response_line, nullptr, false);
    if (response.is_discarded() || !response.is_object() || !response.contains("reward") ||
        !response.at("reward").is_number()) {
      result.status = RewardStatus::kError;
      result.details["error"] = "invalid response line (expected {\"reward\": number}): " + response_line.substr(0, 200);
      return result;
    }
    result.value = response.at("reward").get<double>();
    if (response.contains("correct") && response.at("correct").is_boolean()) result.correct = response.at("correct").get<bool>();
    if (response.contains("extracted") && response.at("extracted").is_string()) {
      result.extracted = response.at("extracted").get<std::string>();
    }
    if (response.contains("details") && response.at("details").is_object()) result.details = response.at("details");
  } catch (const std::exception& e) {
    result.status = RewardStatus::kError;
    result.details["error"] = e.what();
  }
  return result;
}

}  // namespace r1::rewards
