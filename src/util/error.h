// Error reporting for the library: every failure is an r1::Error whose
// message names the bad value and what to do about it. Only the CLI's main
// turns errors into exit codes.
#pragma once

#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace r1 {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Throws r1::Error with a message built by fmt::format.
template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace r1
