#include "engine/util/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "engine/util/quote.h"

namespace xcert {

namespace {

// Closes an fd on scope exit unless released.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

Status WriteAll(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("writing " + MessageValue(path.string()), errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

std::string TempSuffix() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  return ".tmp." + std::to_string(::getpid()) + "." + std::to_string(rng() % 1000000007);
}

}  // namespace

Status SyncDir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("opening directory " + dir.string(), errno);
  FdCloser closer(fd);
  if (::fsync(fd) != 0) return ErrnoStatus("syncing directory " + dir.string(), errno);
  return Status::Ok();
}

Status WriteFileAtomic(const fs::path& path, std::string_view data, mode_t mode, DirSync dir_sync) {
  // Errors name `path`, the file the user knows about, not the temp file
  // (which is removed again on failure).
  const std::string what = "writing " + MessageValue(path.string());
  const fs::path tmp = path.string() + TempSuffix();
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoStatus(what, errno);
  FdCloser closer(fd);
  Status s = Status::Ok();
  // The umask may have narrowed `mode`; a key file must be exactly 0600 and a
  // public file readable, so set it explicitly before writing.
  if (::fchmod(fd, mode) != 0) s = ErrnoStatus(what, errno);
  if (s.ok()) s = WriteAll(fd, data, path);
  if (s.ok() && ::fsync(fd) != 0) s = ErrnoStatus(what, errno);
  if (s.ok() && ::close(closer.release()) != 0) s = ErrnoStatus(what, errno);
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) s = ErrnoStatus(what, errno);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  if (dir_sync == DirSync::kNow)
    return SyncDir(path.parent_path().empty() ? "." : path.parent_path());
  return Status::Ok();
}

Status CreateDirsDurable(const fs::path& dir) {
  if (dir.empty()) return Status::Ok();
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return Status::Ok();
  const fs::path parent = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
  XCERT_RETURN_IF_ERROR(CreateDirsDurable(parent));
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return ErrnoStatus("creating directory " + dir.string(), errno);
  }
  return SyncDir(parent);
}

Result<std::string> ReadFile(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("reading " + MessageValue(path.string()), errno);
  FdCloser closer(fd);
  std::string out;
  struct stat st;
  if (::fstat(fd, &st) == 0 && st.st_size > 0) out.reserve(static_cast<size_t>(st.st_size));
  char buf[16384];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("reading " + MessageValue(path.string()), errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

Result<AppendFile> AppendFile::Open(const fs::path& path, mode_t mode) {
  const bool existed = fs::exists(path);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoStatus("opening " + MessageValue(path.string()), errno);
  if (!existed) {
    Status s = SyncDir(path.parent_path().empty() ? "." : path.parent_path());
    if (!s.ok()) {
      ::close(fd);
      return s;
    }
  }
  return AppendFile(fd, path);
}

AppendFile::AppendFile(AppendFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

AppendFile& AppendFile::operator=(AppendFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

AppendFile::~AppendFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status AppendFile::AppendLine(std::string_view line) {
  std::string buf(line);
  buf += '\n';
  // A crash leaves at most a torn last line, which the journal reader skips.
  return WriteAll(fd_, buf, path_);
}

Status AppendFile::Sync() {
  if (::fdatasync(fd_) != 0) return ErrnoStatus("syncing " + path_.string(), errno);
  return Status::Ok();
}

}  // namespace xcert
