// The command line (design §5). Each command lives in its own cmd_*.cc and
// registers itself from the table in cli.cc. Results go to stdout, logs and
// progress to stderr; exit codes: 0 success / nothing to do, 1 error,
// 2 changes pending (plan --detailed-exitcode) or drift (drift).
#pragma once

namespace xcert::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitChanges = 2;

// Parses argv, runs one command and returns the process exit code. Never
// throws.
int RunCli(int argc, char** argv);

}  // namespace xcert::cli
