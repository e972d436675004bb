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

// Whether `path` is `dir` or lies below it, comparing the paths' components
// as written (lexically normalised; nothing is resolved: pass canonical
// paths to compare where things really are).
bool IsSameOrInside(const fs::path& dir, const fs::path& path);

// fsyncs a directory so renames and creations inside it are durable.
Status SyncDir(const fs::path& dir);

// Creates `dir` and missing parents (mode 0755) and fsyncs each new entry's parent.
Status CreateDirsDurable(const fs::path& dir);

// Whether an open follows a symbolic link in the path's last component.
// Files xcert owns (a store, the backup folder, the lock, journals) are
// opened with kRefuse: a link there is damage or an attack, and following it
// would read or write somewhere else. Files the user names (the manifest, a
// CA key, which may well be links) are opened with kFollow.
enum class Links { kFollow, kRefuse };

// ErrnoStatus for a failed open, except that ELOOP (what an open with
// O_NOFOLLOW returns for a symbolic link) becomes DataLoss "what: a symbolic
// link, which xcert does not follow …; replace the link with the real file".
Status OpenErrorStatus(const std::string& what, int err);

// Reads a whole file. NotFound if it does not exist; with Links::kRefuse,
// DataLoss (OpenErrorStatus) when it is a symbolic link.
Result<std::string> ReadFile(const fs::path& path, Links links = Links::kFollow);

// Opens the directory `name` relative to `dir_fd` (AT_FDCWD for a path) for
// reading, without following a link in its last component. The fd, or -1
// with errno set, ELOOP when `name` is a symbolic link.
int OpenDirNoFollow(int dir_fd, const char* name);

// OK when no entry of `path` below `root` (`path` itself included) is a
// symbolic link; otherwise DataLoss naming the first one (OpenErrorStatus). The walk stops at the
// first entry that does not exist. `root` itself may be a link: the user chose it.
Status RefuseLinksBelow(const fs::path& root, const fs::path& path);

// An open-for-append file of lines (journals).
class AppendFile {
 public:
  // Creates the file when missing; with Links::kRefuse, refuses a symbolic link.
  static Result<AppendFile> Open(const fs::path& path, mode_t mode = 0644,
                                 Links links = Links::kFollow);
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
