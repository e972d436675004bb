#include "resources/acme/webroot.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace xcert::acme {

namespace {

// Opens (creating when missing) directory `name` inside `parent_fd` without
// following a symbolic link. `created` tells whether it was made here.
Result<int> OpenDir(int parent_fd, const char* name, const std::string& shown, bool* created) {
  *created = false;
  if (::mkdirat(parent_fd, name, 0755) == 0) {
    *created = true;
  } else if (errno != EEXIST) {
    return ErrnoStatus("creating " + shown, errno);
  }
  const int fd = ::openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP || errno == ENOTDIR) {
      return PermissionDenied(shown +
                              " is a symbolic link or not a directory: xcert does not "
                              "write through links; make it a real directory");
    }
    return ErrnoStatus("opening " + shown, errno);
  }
  return fd;
}

}  // namespace

bool IsBase64UrlToken(std::string_view token) {
  if (token.empty() || token.size() > 256) return false;
  for (char c : token) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_')) {
      return false;
    }
  }
  return true;
}

Status WebrootSolver::Present(const ChallengeTask& task) {
  const std::string shown_dir = (root_ / ".well-known/acme-challenge").string();
  const std::string where = "http-01 for " + task.identifier + ": ";
  if (!IsBase64UrlToken(task.token)) {
    return InvalidArgument(where + "the ACME server sent a token that is not base64url");
  }
  std::lock_guard lock(mu_);
  const int root = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) {
    return ErrnoStatus(where + "the webroot " + root_.string() +
                           " cannot be opened (it must be the web server's document root)",
                       errno);
  }
  bool created = false;
  auto wk = OpenDir(root, ".well-known", (root_ / ".well-known").string(), &created);
  ::close(root);
  if (!wk.ok()) return wk.status().WithContext(where.substr(0, where.size() - 2));
  made_well_known_ |= created;
  auto ch = OpenDir(*wk, "acme-challenge", shown_dir, &created);
  ::close(*wk);
  if (!ch.ok()) return ch.status().WithContext(where.substr(0, where.size() - 2));
  made_challenge_ |= created;
  constexpr int kFlags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::openat(*ch, task.token.c_str(), kFlags, 0644);
  if (fd < 0 && errno == EEXIST) {
    // Left by a run that was killed before its clean-up: same token, same answer.
    ::unlinkat(*ch, task.token.c_str(), 0);
    fd = ::openat(*ch, task.token.c_str(), kFlags, 0644);
  }
  if (fd < 0) {
    const int err = errno;
    ::close(*ch);
    return ErrnoStatus(where + "writing " + shown_dir + "/" + task.token, err);
  }
  ::fchmod(fd, 0644);  // whatever the umask: the web server must read it
  const std::string& data = task.key_authorization;
  const bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  const int err = errno;
  ::close(fd);
  if (!ok) {
    ::unlinkat(*ch, task.token.c_str(), 0);
    ::close(*ch);
    return ErrnoStatus(where + "writing " + shown_dir + "/" + task.token, err);
  }
  ::close(*ch);
  ++live_;
  return Status::Ok();
}

Status WebrootSolver::CleanUp(const ChallengeTask& task) {
  if (!IsBase64UrlToken(task.token)) return Status::Ok();  // Present wrote nothing
  std::lock_guard lock(mu_);
  const std::string shown = (root_ / ".well-known/acme-challenge" / task.token).string();
  Status result;
  const int root = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return ErrnoStatus("removing " + shown, errno);
  const int wk = ::openat(root, ".well-known", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  const int ch =
      wk < 0 ? -1 : ::openat(wk, "acme-challenge", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (ch >= 0) {
    if (::unlinkat(ch, task.token.c_str(), 0) == 0) {
      if (live_ > 0) --live_;
    } else if (errno != ENOENT) {
      result = ErrnoStatus("removing " + shown, errno);
    }
    ::close(ch);
  }
  if (live_ == 0 && wk >= 0) {
    // Only directories this solver made, and only when empty (rmdir fails otherwise).
    if (made_challenge_ && ::unlinkat(wk, "acme-challenge", AT_REMOVEDIR) == 0) {
      made_challenge_ = false;
    }
    if (made_well_known_ && !made_challenge_ &&
        ::unlinkat(root, ".well-known", AT_REMOVEDIR) == 0) {
      made_well_known_ = false;
    }
  }
  if (wk >= 0) ::close(wk);
  ::close(root);
  return result;
}

}  // namespace xcert::acme
