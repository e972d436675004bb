// An exclusive writer lock per store: `<dir>/xcert.lock`, held with flock(2)
// for the whole apply. The file records the holder (pid, host, since) so the
// error a second writer gets names it. The kernel drops the lock when the
// holder exits, so a killed apply never leaves a stale lock behind.
#pragma once

#include <string>

#include "engine/util/file_util.h"
#include "engine/util/status.h"
#include "engine/util/time.h"

namespace xcert {

class StoreLock {
 public:
  // Takes the lock or fails at once with Unavailable naming the holder.
  // A lock file that is a symbolic link, a hard link or not a plain file is
  // refused (DataLoss) and never written: it could point at any file.
  static Result<StoreLock> Acquire(const fs::path& dir, TimePoint now);

  StoreLock(StoreLock&& other) noexcept;
  StoreLock& operator=(StoreLock&& other) noexcept;
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;
  ~StoreLock();

  const fs::path& path() const { return path_; }

 private:
  StoreLock(int fd, fs::path path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  fs::path path_;
};

}  // namespace xcert
