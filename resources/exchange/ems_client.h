// One server's Exchange Management Shell, reached through a transport
// command (store.transport in the manifest, or the server's own transport):
// runs an operation script there and turns whatever happened into either the
// script's answer or an error that names the server, says what went wrong
// and what to check.
//
// The shell is started at the first call and kept for the next ones (one
// shell per server per command: starting one loads the Exchange snap-in,
// which takes seconds), with the session protocol of script_protocol.h. A
// call that finds the shell ended, or that ended it (timeout, no answer),
// leaves the next call to start a fresh one; nothing is retried on its own.
//
// Failures and their codes:
//   cannot start the command                  kUnavailable
//   no answer within the timeout              kUnavailable (the process group is killed)
//   authentication refused (ssh "Permission   kPermissionDenied
//   denied", WinRM/PowerShell "Access is denied", no Exchange role)
//   exit code != 0 without an answer          kUnavailable
//   no XCERT-RESULT line                      kUnavailable
//   answer cut off (partial output)           kDataLoss
//   answer that is not JSON                   kDataLoss
//   the script reported an error              by its category (script_protocol.h)
// A complete answer counts even when the exit code is not 0 (PowerShell's exit
// code can come from an unrelated native command). For operations that change
// the server, a timeout or a cut-off answer says the change may have happened
// and that `xcert plan` shows where things stand. Messages never contain the
// arguments (they may hold passwords).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/util/status.h"
#include "engine/util/time.h"
#include "resources/exchange/process.h"
#include "resources/exchange/script_protocol.h"

namespace xcert::exchange {

struct EmsTarget {
  std::string server;             // the manifest's server name; the scripts' -Server
  std::vector<std::string> argv;  // the transport command, placeholders expanded
  Seconds timeout{300};
};

// Replaces "{server}" and "{fqdn}" in every argv item.
std::vector<std::string> ExpandTransport(const std::vector<std::string>& argv,
                                         const std::string& server, const std::string& fqdn);

// The command line for messages: items joined by spaces, quoted when they
// hold spaces.
std::string DisplayCommand(const std::vector<std::string>& argv);

// What a finished run means. `secrets` are scrubbed from any output quoted in
// an error (the encoded arguments, passwords).
Result<nlohmann::json> InterpretRun(const EmsTarget& target, Operation op, const ProcessResult& run,
                                    const std::vector<std::string>& secrets);

class EmsClient {
 public:
  explicit EmsClient(EmsTarget target) : target_(std::move(target)) {}

  // Runs `op` in the server's shell (starting it when there is none that
  // still runs); `args` gets "server" added. Returns the answer's body
  // ({"ok":true,...}) or the error InterpretRun describes; the timeout counts
  // from when the call was made, the shell's start included. Calls from
  // several threads run one at a time.
  Result<nlohmann::json> Call(Operation op, nlohmann::json args);

  // Closes the shell's stdin, so that it ends by itself while other shells
  // are being closed too; the destructor waits for it (ProcessSession).
  void EndSession();

  // Shells started so far.
  int shells_started() const;

  const EmsTarget& target() const { return target_; }

 private:
  EmsTarget target_;
  mutable std::mutex mutex_;
  std::unique_ptr<ProcessSession> session_;
  std::string marker_;
  int started_ = 0;
};

}  // namespace xcert::exchange
