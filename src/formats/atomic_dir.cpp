#include "formats/atomic_dir.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/error.h"

namespace fs = std::filesystem;

namespace r1 {

namespace {

// Distinguishes temporary names made by one process.
std::string unique_suffix() {
  static std::atomic<uint64_t> counter{0};
  return std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

fs::path normalized_target(const fs::path& destination) {
  fs::path target = fs::absolute(destination).lexically_normal();
  if (!target.has_filename()) target = target.parent_path();
  return target;
}

}  // namespace

void fsync_path(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail("cannot open '{}' to fsync it: {}", path.string(), std::strerror(errno));
  int rc = ::fsync(fd);
  int saved_errno = errno;
  ::close(fd);
  if (rc != 0) fail("fsync of '{}' failed: {}", path.string(), std::strerror(saved_errno));
}

fs::path make_sibling_temp_dir(const fs::path& destination) {
  fs::path target = normalized_target(destination);
  fs::path parent = target.parent_path();
  std::error_code error;
  fs::create_directories(parent, error);
  if (error) fail("cannot create folder '{}': {}; choose a writable output path", parent.string(), error.message());
  fs::path staged = parent / ("." + target.filename().string() + ".tmp-" + unique_suffix());
  fs::create_directory(staged, error);
  if (error) fail("cannot create temporary folder '{}': {}", staged.string(), error.message());
  return staged;
}

void replace_dir_atomically(const fs::path& staged, const fs::path& destination) {
  fs::path target = normalized_target(destination);
  fs::path parent = target.parent_path();

  // make every staged file durable before it becomes visible
  for (const auto& entry : fs::recursive_directory_iterator(staged))
    if (entry.is_regular_file()) fsync_path(entry.path());
  fsync_path(staged);

  std::error_code error;
  if (!fs::exists(target)) {
    fs::rename(staged, target, error);
    if (error) fail("cannot rename '{}' to '{}': {}", staged.string(), target.string(), error.message());
    fsync_path(parent);
    return;
  }
  if (!fs::is_directory(target))
    fail("cannot write a folder to '{}': a file with that name exists; remove it or choose another path",
         target.string());

#ifdef SYS_renameat2
  // swap the two folders in one step, then delete the old one (now `staged`)
  constexpr unsigned int kRenameExchange = 1u << 1;  // RENAME_EXCHANGE in <linux/fs.h>
  if (::syscall(SYS_renameat2, AT_FDCWD, staged.c_str(), AT_FDCWD, target.c_str(), kRenameExchange) == 0) {
    fsync_path(parent);
    fs::remove_all(staged, error);
    return;
  }
#endif

  // fallback: move the old folder aside, move the new one in, delete the old
  fs::path aside = parent / ("." + target.filename().string() + ".old-" + unique_suffix());
  fs::rename(target, aside, error);
  if (error) fail("cannot move '{}' aside: {}", target.string(), error.message());
  fs::rename(staged, target, error);
  if (error)
    fail("cannot rename '{}' to '{}': {}; the previous folder is at '{}'", staged.string(), target.string(),
         error.message(), aside.string());
  fsync_path(parent);
  fs::remove_all(aside, error);
}

}  // namespace r1
