#include "engine/apply/lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <nlohmann/json.hpp>

namespace xcert {

namespace {

std::string HostName() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown host";
  return buf;
}

std::string DescribeHolder(const fs::path& path) {
  Result<std::string> text = ReadFile(path, Links::kRefuse);
  if (!text.ok()) return "another process";
  try {
    const nlohmann::json j = nlohmann::json::parse(*text);
    return "pid " + std::to_string(j.value("pid", 0)) + " on " + j.value("host", std::string("?")) +
           " since " + j.value("since", std::string("?"));
  } catch (const nlohmann::json::exception&) {
    return "another process";
  }
}

}  // namespace

Result<StoreLock> StoreLock::Acquire(const fs::path& dir, TimePoint now) {
  const fs::path path = dir / "xcert.lock";
  // O_NOFOLLOW: a lock that is a symbolic link would have its target
  // truncated and overwritten below. O_NONBLOCK: a FIFO planted there must
  // not hang the open (it is then refused as not a regular file).
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
  if (fd < 0) return OpenErrorStatus("opening the lock " + path.string(), errno);
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
    ::close(fd);
    return DataLoss("the lock " + path.string() +
                    " is not a plain file of its own (a device, a folder or a hard link to "
                    "another file); xcert will not write to it: delete it and run again");
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Unavailable("the store is locked by " + DescribeHolder(path) + " (" + path.string() +
                         "); wait for that apply to finish and run again");
    }
    return ErrnoStatus("locking " + path.string(), err);
  }
  const nlohmann::json holder = {
      {"pid", ::getpid()}, {"host", HostName()}, {"since", FormatIso8601(now)}};
  const std::string text = holder.dump() + "\n";
  // Rewritten in place (not renamed): the lock belongs to this inode.
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, text.data(), text.size(), 0) != ssize_t(text.size())) {
    const int err = errno;
    ::close(fd);
    return ErrnoStatus("writing the lock " + path.string(), err);
  }
  return StoreLock(fd, path);
}

StoreLock::StoreLock(StoreLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

StoreLock& StoreLock::operator=(StoreLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

StoreLock::~StoreLock() {
  if (fd_ >= 0) {
    // Leave the holder record only while held: an unlocked file reads empty.
    [[maybe_unused]] const int rc = ::ftruncate(fd_, 0);
    ::close(fd_);
  }
}

}  // namespace xcert
