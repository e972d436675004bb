#include "engine/util/secret.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>

#include "engine/util/file_util.h"

namespace xcert {

namespace {

Result<std::string> FromFile(const std::string& path, const std::string& setting) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return NotFound(setting + ": the secret file " + path +
                    " does not exist; create it (mode 0600)");
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
    return PermissionDenied(setting + ": the secret file " + path +
                            " is readable by others (mode " + mode + "); run chmod 600 " + path);
  }
  XCERT_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  const size_t end = text.find_first_of("\r\n");
  if (end != std::string::npos) text.resize(end);
  if (text.empty()) return InvalidArgument(setting + ": the secret file " + path + " is empty");
  return text;
}

}  // namespace

Result<std::string> ReadSecret(const std::string& env, const std::string& file,
                               const std::string& base_dir, const std::string& setting) {
  if (!env.empty()) {
    const char* value = std::getenv(env.c_str());
    if (!value || !*value) {
      return NotFound(setting + ": the environment variable " + env +
                      " is not set; export it before running xcert");
    }
    return std::string(value);
  }
  if (!file.empty()) {
    const fs::path p = fs::path(file).is_absolute() ? fs::path(file) : fs::path(base_dir) / file;
    return FromFile(p.lexically_normal().string(), setting);
  }
  return NotFound(setting + " is not set; give an environment variable (…Env) or a file (…File)");
}

}  // namespace xcert
