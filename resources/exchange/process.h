// Running a transport command: the program that carries xcert's scripts to
// Exchange Management Shell (ssh to the server running powershell, or any
// command that reads a script on stdin and runs it), once (RunProcess) or
// kept running for request after request (ProcessSession).
//
// RunProcess starts argv[0] (looked up in PATH) in its own process group,
// writes `input` to its stdin and closes it, and captures stdout and stderr.
// When `timeout` passes, the whole process group gets SIGTERM and, 2 seconds
// later, SIGKILL, so that no ssh or shell is left behind. Safe to call from
// several threads at once: every descriptor is close-on-exec, so one call's
// child never holds another call's pipes.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"
#include "engine/util/time.h"

namespace xcert::exchange {

struct ProcessResult {
  // When the process exited normally, else -1. For a ProcessSession request
  // that ended with its marker, 0 (the process goes on running).
  int exit_code = -1;
  int signal = 0;  // the signal that ended it, else 0
  bool timed_out = false;
  bool output_limited = false;  // stdout or stderr exceeded max_output and was cut
  std::string out;
  std::string err;
  double seconds = 0;  // wall time
};

struct ProcessOptions {
  Seconds timeout{300};
  size_t max_output = size_t{64} << 20;  // per stream
};

// Errors only when the process cannot be started (Unavailable, naming
// argv[0] and the reason). Everything that happens after the start, including
// a timeout, is reported in ProcessResult.
Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, std::string_view input,
                                 const ProcessOptions& options);

// A transport process started once and given requests one after another on
// its stdin; each answer is the output up to a marker line the process prints
// when it has done the request. For Exchange Management Shell, whose start
// costs seconds (it loads the Exchange snap-in), so that a command starts one
// shell per server instead of one per operation. Not thread-safe: one
// request at a time (EmsClient serializes them).
class ProcessSession {
 public:
  // Starts argv[0] (looked up in PATH) in its own process group, as
  // RunProcess does. Unavailable (naming argv[0] and the reason) when it
  // cannot be started.
  static Result<std::unique_ptr<ProcessSession>> Start(const std::vector<std::string>& argv);

  // Closes stdin, gives the process `kCloseGrace` to end by itself, then
  // stops its process group (SIGTERM, then SIGKILL).
  ~ProcessSession();
  ProcessSession(const ProcessSession&) = delete;
  ProcessSession& operator=(const ProcessSession&) = delete;

  static constexpr std::chrono::milliseconds kCloseGrace{3000};

  // Writes `input` and reads stdout until a line that is exactly `marker`
  // (a CR before its newline is allowed). The result's `out` is stdout before
  // that line, `err` what stderr gave meanwhile; exit_code is 0. When the
  // process ends first, exit_code/signal tell how and `out` holds what it
  // printed; when `options.timeout` passes, the process group is stopped and
  // timed_out is set; when the output exceeds `options.max_output`, the
  // process group is stopped and output_limited is set. After any of those
  // the session is not usable().
  ProcessResult Request(std::string_view input, std::string_view marker,
                        const ProcessOptions& options);

  // False once the process has ended or a request stopped it.
  bool usable();

  // Closes stdin without waiting: the process sees the end of its input and
  // can end while other sessions are being closed too.
  void CloseInput();

 private:
  struct Impl;
  explicit ProcessSession(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace xcert::exchange
