// The leak scan every run of the real binary goes through (RunXcert calls
// ExpectNoLeaks): xcert must never reveal a secret or key material, not in
// stdout or stderr, and not in what it writes for people or other programs to
// read (saved plans, journals, PowerShell scripts, reports, store metadata).
//
// What counts as a leak in a run:
//   - private key PEM armour ("-----BEGIN ... PRIVATE KEY-----");
//   - any 32-character piece of the base64 body of a private key the test
//     created: every PEM private key found in a file under the run's folder
//     (the store's key.pem files, a CA's key, a key pasted into a manifest);
//   - any password the test used: the value of every environment variable
//     given to the run whose name says it holds a secret (PASSWORD, PASS,
//     SECRET, TOKEN), and the first line of every file under the run's
//     folder whose name says so (*.pass, *password*, *secret*).
// What is scanned: stdout, stderr, and every file under the run's folder
// whose kind xcert writes as output (*.json, *.jsonl, *.ps1, *.md, *.dot,
// *.xml, *.log, *.csv, *.html, *.junit). Key containers (*.pem, *.key, *.pfx,
// *.p12) and the manifest are inputs and outputs that are meant to hold keys
// or are the test's own; they are not scanned. The folder is walked only when
// it lies in the temporary directory (a test's TempDir), never a source tree.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace xcert::testing {

// A secret to look for, and where the test has it from (for the finding).
struct Needle {
  std::string value;
  std::string origin;  // "the password in XCERT_BACKUP_PASSWORD", "the private key in ca.key"
};

struct LeakNeedles {
  std::vector<Needle> passwords;   // each at least kMinPasswordChars long
  std::vector<Needle> key_pieces;  // kKeyPieceChars-long base64 pieces of private keys
};

inline constexpr size_t kMinPasswordChars = 6;
inline constexpr size_t kKeyPieceChars = 32;

// The passwords and key pieces of a run in `dir` with `env` (see above).
LeakNeedles CollectNeedles(const std::filesystem::path& dir,
                           const std::map<std::string, std::string>& env);

// The base64 pieces of every PEM private key in `text`.
std::vector<std::string> PrivateKeyPieces(std::string_view text);

// Each leak found in `text` (named `where` in the findings, e.g. "stderr" or a
// file's path), described without the secret itself: "stderr, offset 120:
// the password in XCERT_BACKUP_PASSWORD".
std::vector<std::string> FindLeaks(std::string_view text, std::string_view where,
                                   const LeakNeedles& needles);

// Every leak of a run: in `out`, `err`, and the output files under `dir`.
std::vector<std::string> ScanRun(const std::string& out, const std::string& err,
                                 const std::filesystem::path& dir,
                                 const std::map<std::string, std::string>& env);

// ScanRun, with a gtest failure (ADD_FAILURE) per leak naming `command`.
void ExpectNoLeaks(const std::string& command, const std::string& out, const std::string& err,
                   const std::filesystem::path& dir, const std::map<std::string, std::string>& env);

}  // namespace xcert::testing
