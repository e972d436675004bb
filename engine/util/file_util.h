// Durable file I/O. Every file xcert writes (store, backups, journal, plans)
// goes through here: write a temp file in the same directory, fsync it, rename
// it over the target, fsync the directory. A crash at any point leaves either
// the old or the new content, never a torn file.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "engine/util/status.h"

namespace xcert {

namespace fs = std::filesystem;

// Whether WriteFileAtomic fsyncs the parent directory itself. Callers that
// write many files into one directory may pass kDeferred and call SyncDir once
// afterwards (the rename is only durable after that).
enum class DirSync { kNow, kDeferred };

// Atomically replaces `path` with `data`, created with `mode` (e.g. 0600 for
// keys; the mode is set before any byte is written). The parent must exist.
Status WriteFileAtomic(const fs::path& path, std::string_view data, mode_t mode = 0644,
                       DirSync dir_sync = DirSync::kNow);

// fsyncs a directory so renames and creations inside it are durable.
Status SyncDir(const fs::path& dir);

// Creates `dir` and missing parents (mode 0755) and fsyncs each new entry's parent.
Status CreateDirsDurable(const fs::path& dir);

// Reads a whole file. NotFound if it does not exist.
Result<std::string> ReadFile(const fs::path& path);

// An open-for-append file of lines (journals).
class AppendFile {
 public:
  static Result<AppendFile> Open(const fs::path& path, mode_t mode = 0644);
  AppendFile(AppendFile&& other) noexcept;
  AppendFile& operator=(AppendFile&& other) noexcept;
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;
  ~AppendFile();

  // One write() per line: with O_APPEND a line is never interleaved with
  // another writer's, and a killed process loses nothing already appended.
  // Not synced: call Sync() to put what was appended on disk.
  Status AppendLine(std::string_view line);
  Status Sync();
  const fs::path& path() const { return path_; }

 private:
  AppendFile(int fd, fs::path path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  fs::path path_;
};

}  // namespace xcert
