#include "resources/exchange/script_protocol.h"

#include <algorithm>
#include <random>

#include "engine/util/embedded.h"
#include "engine/util/strings.h"
#include "resources/x509/digest.h"

namespace xcert::exchange {

using nlohmann::json;

namespace {

constexpr std::pair<Operation, std::string_view> kNames[] = {
    {Operation::kList, "list"},     {Operation::kGet, "get"},       {Operation::kCreate, "create"},
    {Operation::kImport, "import"}, {Operation::kEnable, "enable"}, {Operation::kExport, "export"},
    {Operation::kRemove, "remove"},
};

bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/' || c == '=';
}

}  // namespace

std::string_view OperationName(Operation op) {
  for (const auto& [o, name] : kNames) {
    if (o == op) return name;
  }
  return "?";
}

std::optional<Operation> ParseOperation(std::string_view name) {
  for (const auto& [o, n] : kNames) {
    if (n == name) return o;
  }
  return std::nullopt;
}

std::string ScriptFile(Operation op) { return std::string(OperationName(op)) + ".ps1"; }

Result<std::string_view> EmbeddedScript(std::string_view file) {
  const std::string path = std::string(kScriptDir) + std::string(file);
  std::optional<std::string_view> text = embedded::Find(path);
  if (!text) {
    return Internal(
        path + " is not embedded in this xcert binary; add it to xcert_embed in CMakeLists.txt");
  }
  return *text;
}

std::string ArgsLine(const json& args) {
  // The base64 alphabet has no quote, so the single-quoted literal is safe
  // whatever the arguments hold.
  return std::string(kArgsVariable) + " = '" + x509::Base64Encode(args.dump()) + "'\n";
}

namespace {

// common.ps1 + prelude.ps1, each ending with a newline.
Result<std::string> PayloadHead() {
  std::string head;
  for (std::string_view file : {kCommonScript, kPreludeScript}) {
    XCERT_ASSIGN_OR_RETURN(std::string_view text, EmbeddedScript(file));
    head += text;
    if (!head.empty() && head.back() != '\n') head += '\n';
  }
  return head;
}

constexpr std::string_view kMarkerVariable = "$XcertSessionEnd = '";

}  // namespace

std::string NewSessionMarker() {
  std::random_device random;
  std::string marker(kSessionMarkerPrefix);
  constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) marker += kHex[random() % 16];
  return marker;
}

Result<std::string> SessionOpening(std::string_view marker) {
  XCERT_ASSIGN_OR_RETURN(std::string_view bootstrap, EmbeddedScript(kBootstrapScript));
  std::string opening = std::string(kMarkerVariable) + std::string(marker) + "'\n";
  opening += bootstrap;
  if (opening.back() != '\n') opening += '\n';
  return opening;
}

Result<std::string> ParseSessionOpening(std::string_view opening) {
  XCERT_ASSIGN_OR_RETURN(std::string_view bootstrap, EmbeddedScript(kBootstrapScript));
  if (!opening.starts_with(kMarkerVariable)) {
    return InvalidArgument("the session does not start with the $XcertSessionEnd line");
  }
  opening.remove_prefix(kMarkerVariable.size());
  const size_t end = opening.find("'\n");
  if (end == std::string_view::npos) return InvalidArgument("the marker line is not terminated");
  const std::string marker(opening.substr(0, end));
  if (!marker.starts_with(kSessionMarkerPrefix) ||
      marker.find_first_not_of("0123456789abcdef", kSessionMarkerPrefix.size()) !=
          std::string::npos) {
    return InvalidArgument("the marker is not 'XCERT-END ' and hex digits");
  }
  std::string_view rest = opening.substr(end + 2);
  if (rest.ends_with('\n') && !bootstrap.ends_with('\n')) rest.remove_suffix(1);
  if (rest != bootstrap) return InvalidArgument("the line after the marker is not bootstrap.ps1");
  return marker;
}

Result<std::string> BuildPayload(Operation op, const json& args) {
  XCERT_ASSIGN_OR_RETURN(std::string payload, PayloadHead());
  XCERT_ASSIGN_OR_RETURN(std::string_view script, EmbeddedScript(ScriptFile(op)));
  payload += ArgsLine(args);
  payload += script;
  return payload;
}

Result<Invocation> ParsePayload(std::string_view payload) {
  XCERT_ASSIGN_OR_RETURN(std::string head, PayloadHead());
  if (!payload.starts_with(head)) {
    return InvalidArgument("the script does not start with xcert's common.ps1 and prelude.ps1");
  }
  std::string_view rest = payload.substr(head.size());
  const std::string prefix = std::string(kArgsVariable) + " = '";
  if (!rest.starts_with(prefix)) return InvalidArgument("no arguments line after the prelude");
  rest.remove_prefix(prefix.size());
  const size_t end = rest.find("'\n");
  if (end == std::string_view::npos) return InvalidArgument("the arguments line is not terminated");
  const std::string_view encoded = rest.substr(0, end);
  if (!std::all_of(encoded.begin(), encoded.end(), IsBase64Char)) {
    return InvalidArgument("the arguments line holds characters outside base64");
  }
  XCERT_ASSIGN_OR_RETURN(std::string text, x509::Base64Decode(encoded));
  Invocation inv;
  try {
    inv.args = json::parse(text);
  } catch (const json::exception& e) {
    return InvalidArgument(std::string("the arguments are not JSON: ") + e.what());
  }
  if (!inv.args.is_object()) return InvalidArgument("the arguments are not a JSON object");
  const std::string_view script = rest.substr(end + 2);
  if (!script.starts_with(kOperationMarker))
    return InvalidArgument("no '# xcert-operation:' line after the arguments");
  const std::string_view name =
      script.substr(kOperationMarker.size(), script.find('\n') - kOperationMarker.size());
  std::optional<Operation> op = ParseOperation(Trim(name));
  if (!op) return InvalidArgument("unknown operation '" + std::string(name) + "'");
  XCERT_ASSIGN_OR_RETURN(std::string_view expected, EmbeddedScript(ScriptFile(*op)));
  if (script != expected)
    return InvalidArgument(ScriptFile(*op) + " differs from the embedded script");
  inv.op = *op;
  return inv;
}

std::string FormatResultLine(const json& result) {
  return std::string(kResultMarker) + result.dump(-1, ' ', /*ensure_ascii=*/true) + "\n";
}

Answer FindAnswer(std::string_view out) {
  Answer answer;
  std::string_view line;
  bool found = false;
  size_t pos = 0;
  while (pos <= out.size()) {
    size_t nl = out.find('\n', pos);
    if (nl == std::string_view::npos) nl = out.size();
    std::string_view l = out.substr(pos, nl - pos);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.starts_with("\xEF\xBB\xBF")) l.remove_prefix(3);
    if (l.starts_with(kResultMarker)) {
      line = l.substr(kResultMarker.size());
      found = true;
    }
    pos = nl + 1;
  }
  if (!found) {
    answer.fault = AnswerFault::kNoResult;
    return answer;
  }
  try {
    answer.body = json::parse(line);
  } catch (const json::parse_error& e) {
    answer.fault = e.byte >= line.size() ? AnswerFault::kTruncated : AnswerFault::kMalformed;
    answer.detail = e.what();
    return answer;
  }
  if (!answer.body.is_object() || !answer.body.contains("ok") || !answer.body["ok"].is_boolean()) {
    answer.fault = AnswerFault::kMalformed;
    answer.detail = "the result is not a JSON object with a boolean \"ok\"";
  }
  return answer;
}

Code CodeOfCategory(std::string_view category) {
  static constexpr std::pair<std::string_view, Code> kCodes[] = {
      {"ObjectNotFound", Code::kNotFound},
      {"ResourceExists", Code::kAlreadyExists},
      {"PermissionDenied", Code::kPermissionDenied},
      {"SecurityError", Code::kPermissionDenied},
      {"AuthenticationError", Code::kPermissionDenied},
      {"InvalidArgument", Code::kInvalidArgument},
      {"InvalidData", Code::kInvalidArgument},
      {"InvalidType", Code::kInvalidArgument},
      {"ResourceUnavailable", Code::kUnavailable},
      {"ConnectionError", Code::kUnavailable},
      {"OperationTimeout", Code::kUnavailable},
      {"ResourceBusy", Code::kUnavailable},
  };
  for (const auto& [name, code] : kCodes) {
    if (EqualsIgnoreCase(name, category)) return code;
  }
  return Code::kFailedPrecondition;
}

}  // namespace xcert::exchange
