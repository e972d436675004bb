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

bool IsSameOrInside(const fs::path& dir, const fs::path& path) {
  // Without the trailing separator that "a/b/" keeps after normalisation.
  auto text = [](const fs::path& p) {
    std::string t = p.lexically_normal().string();
    while (t.size() > 1 && t.back() == '/') t.pop_back();
    return t;
  };
  const std::string d = text(dir);
  const std::string p = text(path);
  if (d == ".") return !p.starts_with("/") && !p.starts_with("..");
  return p == d || p.starts_with(d == "/" ? d : d + "/");
}

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

Status OpenErrorStatus(const std::string& what, int err) {
  if (err != ELOOP) return ErrnoStatus(what, err);
  // No ": " in the reason: readers cut the reason after the last one.
  return DataLoss(what +
                  ": a symbolic link, which xcert does not follow in a store, a backup folder "
                  "or a lock (it could send a write anywhere); replace the link with the real "
                  "file or folder");
}

int OpenDirNoFollow(int dir_fd, const char* name) {
  const int fd = ::openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0 || errno != ENOTDIR) return fd;
  // O_DIRECTORY | O_NOFOLLOW reports a link as "not a directory": say which.
  struct stat st;
  if (::fstatat(dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
    errno = ELOOP;
  } else {
    errno = ENOTDIR;
  }
  return -1;
}

Status RefuseLinksBelow(const fs::path& root, const fs::path& path) {
  const fs::path relative = path.lexically_relative(root);
  if (relative.empty() || *relative.begin() == "..") {
    return Internal(path.string() + " is not below " + root.string());
  }
  fs::path at = root;
  for (const fs::path& part : relative) {
    if (part == ".") continue;
    at /= part;
    struct stat st;
    if (::lstat(at.c_str(), &st) != 0) return Status::Ok();  // missing: nothing to follow
    if (S_ISLNK(st.st_mode)) return OpenErrorStatus(at.string(), ELOOP);
  }
  return Status::Ok();
}

Result<std::string> ReadFile(const fs::path& path, Links links) {
  const int fd =
      ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (links == Links::kRefuse ? O_NOFOLLOW : 0));
  if (fd < 0) return OpenErrorStatus("reading " + MessageValue(path.string()), errno);
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

Result<AppendFile> AppendFile::Open(const fs::path& path, mode_t mode, Links links) {
  std::error_code ec;
  const bool existed = fs::exists(fs::symlink_status(path, ec));
  const int fd = ::open(
      path.c_str(),
      O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (links == Links::kRefuse ? O_NOFOLLOW : 0), mode);
  if (fd < 0) return OpenErrorStatus("opening " + MessageValue(path.string()), errno);
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
