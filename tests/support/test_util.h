// Helpers shared by all tests: temporary directories, the recorded
// fixtures, and running the real xcert binary.
#pragma once

#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace xcert::testing {

namespace fs = std::filesystem;

// A fresh directory under $TMPDIR, removed (recursively) on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }
  // Writes `content` to path()/relative (creating parents) and returns the path.
  fs::path Write(const std::string& relative, const std::string& content) const;

 private:
  fs::path path_;
};

// A regular (temporary) file standing in for a redirected stdout or stderr.
class CapturedFile {
 public:
  CapturedFile() : f_(std::tmpfile()) {}
  ~CapturedFile() { std::fclose(f_); }
  CapturedFile(const CapturedFile&) = delete;
  CapturedFile& operator=(const CapturedFile&) = delete;
  std::FILE* get() const { return f_; }
  // Everything written so far.
  std::string Text() const {
    std::fflush(f_);
    std::rewind(f_);
    std::string out;
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, f_)) > 0;) out.append(buf, n);
    return out;
  }

 private:
  std::FILE* f_;
};

// The source tree (for examples/ and schemas/).
fs::path SourceDir();

// The recorded CSS-Exchange files (tests/fixtures/css-exchange/README.md).
fs::path CssExchangeDir();

std::string ReadFileOrDie(const fs::path& path);

// Replaces the first `from` in the file with `to` (a test's edit of a copied
// example); throws when `from` is not there, so that a changed example fails
// the test instead of silently testing nothing.
void EditFileOrDie(const fs::path& path, const std::string& from, const std::string& to);

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `argv` (argv[0] is a program path) with extra environment variables,
// in `cwd`, feeding `stdin_data`; waits and captures output.
RunResult Run(const std::vector<std::string>& argv, const fs::path& cwd = {},
              const std::map<std::string, std::string>& env = {},
              const std::string& stdin_data = {});

// Path of the built xcert binary ($XCERT_BINARY, set by CTest).
fs::path XcertBinary();

// Runs the xcert binary with `args`, and fails the test (ADD_FAILURE) for
// every secret or piece of key material the run revealed in its output or in
// the files it wrote under `cwd` (tests/support/leak_scan.h).
RunResult RunXcert(const std::vector<std::string>& args, const fs::path& cwd = {},
                   const std::map<std::string, std::string>& env = {},
                   const std::string& stdin_data = {});

}  // namespace xcert::testing
