// Crash-safe replacement of whole folders (checkpoints): the new folder is
// written as a temporary sibling, flushed to disk, and swapped into place,
// so a crash leaves either the old folder or the complete new one. Single
// files go through AtomicFile (util/file.h).
#pragma once

#include <filesystem>

namespace r1 {

// Flushes a file's or folder's content and metadata to disk (fsync).
void fsync_path(const std::filesystem::path& path);

// Creates a fresh, empty folder "<parent>/.<name>.tmp-<pid>-<n>" next to
// `destination`, on the same file system, so a rename can move it into place.
std::filesystem::path make_sibling_temp_dir(const std::filesystem::path& destination);

// Moves the fully written folder `staged` to `destination`, replacing any
// folder there. Every file in `staged` is fsynced first. On Linux the swap
// is one renameat2(RENAME_EXCHANGE), so `destination` always names a
// complete folder. Where that call fails, the old folder is renamed aside
// first, which leaves a short window in which `destination` is absent.
void replace_dir_atomically(const std::filesystem::path& staged, const std::filesystem::path& destination);

}  // namespace r1
