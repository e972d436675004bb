// The protocol between xcert and its PowerShell scripts
// (resources/exchange/scripts/*.ps1, embedded in the binary; docs/exchange.md).
//
// xcert starts one shell per server per command (ems_client.h) and writes to
// its stdin, once:
//   $XcertSessionEnd = 'XCERT-END <random>'
//   bootstrap.ps1   one line: read requests from stdin, one after another,
//                   each up to a line that is exactly $XcertSessionEnd; run
//                   each as a script block in a scope of its own; print
//                   $XcertSessionEnd after each
// and then one request per operation (BuildPayload):
//   common.ps1      reading certificates and server facts (the projection);
//                   also part of every reviewed plan (ps1_plan.h)
//   prelude.ps1     the protocol: argument decoding, the result line
//   $XcertArgsBase64 = '<base64 of the UTF-8 JSON arguments>'
//   <operation>.ps1 list, get, create, import, enable, export or remove
//   XCERT-END <random>
// Values travel only inside the base64 arguments: nothing a user or a
// certificate supplies is ever interpolated into script text, and passwords
// never appear on a command line.
//
// The script answers with one line anywhere in its stdout (banners and
// warnings before or after are ignored), and the loop ends the answer with
// the marker line:
//   XCERT-RESULT: {"ok":true, ...}
//   XCERT-RESULT: {"ok":false,"error":"...","category":"<ErrorCategory>","command":"..."}
//   XCERT-END <random>
// The JSON is ASCII (non-ASCII escaped as \uXXXX), so it survives any console
// code page between the server and xcert. Closing stdin ends the loop and the
// shell.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/util/status.h"

namespace xcert::exchange {

enum class Operation : uint8_t { kList, kGet, kCreate, kImport, kEnable, kExport, kRemove };
inline constexpr Operation kAllOperations[] = {
    Operation::kList,   Operation::kGet,    Operation::kCreate, Operation::kImport,
    Operation::kEnable, Operation::kExport, Operation::kRemove};

// "list", "get", ... (also the script's file name without ".ps1").
std::string_view OperationName(Operation op);
std::optional<Operation> ParseOperation(std::string_view name);

// Where the scripts live in the source tree, and their key in the embedded files.
inline constexpr std::string_view kScriptDir = "resources/exchange/scripts/";
inline constexpr std::string_view kBootstrapScript = "bootstrap.ps1";
inline constexpr std::string_view kCommonScript = "common.ps1";
inline constexpr std::string_view kPreludeScript = "prelude.ps1";
inline constexpr std::string_view kPlanHelpersScript = "plan_helpers.ps1";
// "list.ps1", ...
std::string ScriptFile(Operation op);

// The embedded text of a script file ("prelude.ps1", "list.ps1", ...).
// Internal error when it was not embedded (a build problem).
Result<std::string_view> EmbeddedScript(std::string_view file);

inline constexpr std::string_view kArgsVariable = "$XcertArgsBase64";
inline constexpr std::string_view kOperationMarker = "# xcert-operation: ";
inline constexpr std::string_view kResultMarker = "XCERT-RESULT: ";

// "$XcertArgsBase64 = '<base64>'\n".
std::string ArgsLine(const nlohmann::json& args);

inline constexpr std::string_view kSessionMarkerPrefix = "XCERT-END ";

// "XCERT-END " and 32 random hex digits: a line no script or answer holds by
// chance.
std::string NewSessionMarker();

// What xcert writes first to a shell it starts: the marker assignment and
// bootstrap.ps1, each one line ending with a newline.
Result<std::string> SessionOpening(std::string_view marker);

// One request: common.ps1, prelude.ps1, the arguments line and the script of
// `op` (without the marker line, which the session adds).
Result<std::string> BuildPayload(Operation op, const nlohmann::json& args);

// The receiving side (the fake Exchange Management Shell of the tests): the
// marker of a session opening (InvalidArgument unless it is exactly what
// SessionOpening writes), and the operation and arguments of a payload,
// which must be exactly what BuildPayload produces (anything else is an InvalidArgument saying what
// differs).
struct Invocation {
  Operation op = Operation::kList;
  nlohmann::json args;
};
Result<std::string> ParseSessionOpening(std::string_view opening);
Result<Invocation> ParsePayload(std::string_view payload);

// "XCERT-RESULT: <ASCII JSON>\n", as the scripts print it.
std::string FormatResultLine(const nlohmann::json& result);

enum class AnswerFault : uint8_t {
  kNone,
  kNoResult,   // no XCERT-RESULT line at all
  kTruncated,  // the line is there but its JSON ends early (output cut off)
  kMalformed,  // the line is there but is not a JSON object with "ok"
};

struct Answer {
  AnswerFault fault = AnswerFault::kNone;
  nlohmann::json body;  // the object, when fault == kNone
  std::string detail;   // the parser's complaint, for messages
};

// Finds and parses the result line in a transport's stdout (CRLF line ends,
// a UTF-8 byte order mark and any other lines are tolerated; the last result
// line counts).
Answer FindAnswer(std::string_view out);

// The Status for an error category a script reported (PowerShell's
// ErrorCategory names: ObjectNotFound -> kNotFound, ResourceExists ->
// kAlreadyExists, PermissionDenied/SecurityError -> kPermissionDenied, ...).
Code CodeOfCategory(std::string_view category);

}  // namespace xcert::exchange
