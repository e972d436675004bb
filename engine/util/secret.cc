#include "engine/util/secret.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>

#include "engine/util/file_util.h"
#include "engine/util/quote.h"

namespace xcert {

namespace {

// A POSIX shell variable name: what a manifest's ...Env setting must hold.
bool IsVariableName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    const bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

Result<std::string> FromFile(const std::string& path, const std::string& setting) {
  const std::string shown = MessageValue(path);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return NotFound(setting + ": the secret file " + shown +
                    " does not exist; create it (mode 0600)");
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
    return PermissionDenied(setting + ": the secret file " + shown +
                            " is readable by others (mode " + mode + "); run chmod 600 " + shown);
  }
  XCERT_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  const size_t end = text.find_first_of("\r\n");
  if (end != std::string::npos) text.resize(end);
  if (text.empty()) return InvalidArgument(setting + ": the secret file " + shown + " is empty");
  return text;
}

}  // namespace

std::string ShownVariableName(const std::string& env, const std::string& setting) {
  bool conventional = IsVariableName(env);
  for (char c : env) conventional &= !(c >= 'a' && c <= 'z');
  if (conventional) return env;
  return "named in " + setting +
         " (not shown: it is not written like a variable name and may be a password)";
}

Result<std::string> ReadSecret(const std::string& env, const std::string& file,
                               const std::string& base_dir, const std::string& setting) {
  if (!env.empty()) {
    // Not shown: what is written where a name belongs may be the password.
    if (!IsVariableName(env)) {
      return InvalidArgument(setting +
                             " is not a valid environment variable name (the value is not shown: "
                             "it may be a password); write the NAME of the variable that holds "
                             "the secret, e.g. XCERT_BACKUP_PASSWORD");
    }
    const char* value = std::getenv(env.c_str());
    if (!value || !*value) {
      return NotFound(setting + ": the environment variable " + ShownVariableName(env, setting) +
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
