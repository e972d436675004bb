// Running a transport command: the program that carries xcert's scripts to
// Exchange Management Shell (ssh to the server running powershell, or any
// command that reads a script on stdin and runs it).
//
// RunProcess starts argv[0] (looked up in PATH) in its own process group,
// writes `input` to its stdin and closes it, and captures stdout and stderr.
// When `timeout` passes, the whole process group gets SIGTERM and, 2 seconds
// later, SIGKILL, so that no ssh or shell is left behind. Safe to call from
// several threads at once: every descriptor is close-on-exec, so one call's
// child never holds another call's pipes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"
#include "engine/util/time.h"

namespace xcert::exchange {

struct ProcessResult {
  int exit_code = -1;  // when the process exited normally, else -1
  int signal = 0;      // the signal that ended it, else 0
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

}  // namespace xcert::exchange
