#include "resources/exchange/ems_client.h"

#include <algorithm>

#include "engine/util/strings.h"
#include "resources/x509/digest.h"

namespace xcert::exchange {

using nlohmann::json;

namespace {

void ReplaceAll(std::string* s, std::string_view from, std::string_view to) {
  if (from.empty()) return;
  for (size_t pos = s->find(from); pos != std::string::npos; pos = s->find(from, pos + to.size())) {
    s->replace(pos, from.size(), to);
  }
}

bool ChangesServer(Operation op) {
  return op == Operation::kCreate || op == Operation::kImport || op == Operation::kEnable ||
         op == Operation::kRemove;
}

// What the operation is, in the words of the cmdlet it runs.
std::string_view Doing(Operation op) {
  switch (op) {
    case Operation::kList: return "reading the certificates (Get-ExchangeCertificate)";
    case Operation::kGet: return "reading a certificate (Get-ExchangeCertificate)";
    case Operation::kCreate: return "New-ExchangeCertificate";
    case Operation::kImport: return "Import-ExchangeCertificate";
    case Operation::kEnable: return "Enable-ExchangeCertificate";
    case Operation::kExport: return "Export-ExchangeCertificate";
    case Operation::kRemove: return "Remove-ExchangeCertificate";
  }
  return "?";
}

// The last few non-empty lines of `text`, trimmed, for quoting in an error.
std::string Tail(std::string_view text, const std::vector<std::string>& secrets) {
  std::string scrubbed(text);
  for (const std::string& s : secrets) ReplaceAll(&scrubbed, s, "<hidden>");
  std::vector<std::string> lines;
  for (const std::string& l : Split(scrubbed, '\n')) {
    std::string_view t = Trim(l);
    if (!t.empty()) lines.emplace_back(t);
  }
  if (lines.size() > 4) lines.erase(lines.begin(), lines.end() - 4);
  std::string out = Join(lines, " | ");
  if (out.size() > 400) out = "…" + out.substr(out.size() - 400);
  return out;
}

struct AuthFailure {
  std::string_view needle;
  std::string_view hint;
};

// Refusals that mean "this account may not do this", not "the server is down".
constexpr AuthFailure kAuthFailures[] = {
    {"Permission denied (",
     "check that the ssh user exists on the server and that this machine's key is in its "
     "authorized_keys "
     "(for administrators: C:\\ProgramData\\ssh\\administrators_authorized_keys); "
     "docs/exchange.md#ssh"},
    {"Access is denied",
     "the account the transport logs on as needs local administrator rights on the server and "
     "membership of "
     "the Exchange 'Organization Management' role group (or a group with the 'Exchange Server "
     "Certificates' "
     "role); docs/exchange.md#permissions"},
    {"isn't assigned to any management roles",
     "add the account to the Exchange 'Organization Management' role group (or a group with the "
     "'Exchange "
     "Server Certificates' role); docs/exchange.md#permissions"},
    {"Host key verification failed",
     "this machine does not know the server's ssh host key yet: connect once with ssh by hand and "
     "check the "
     "fingerprint; docs/exchange.md#ssh"},
};

const AuthFailure* FindAuthFailure(std::string_view text, std::string* line) {
  for (const AuthFailure& f : kAuthFailures) {
    const size_t at = text.find(f.needle);
    if (at == std::string_view::npos) continue;
    const size_t nl = text.rfind('\n', at);
    const size_t begin = nl == std::string_view::npos ? 0 : nl + 1;
    const size_t end = std::min(text.find('\n', at), text.size());
    *line = std::string(Trim(text.substr(begin, end - begin)));
    return &f;
  }
  return nullptr;
}

std::string MaybeDone(Operation op) {
  return ChangesServer(op)
             ? " The change may or may not have happened on the server: run `xcert plan` to see "
               "where it stands before applying again."
             : "";
}

}  // namespace

std::vector<std::string> ExpandTransport(const std::vector<std::string>& argv,
                                         const std::string& server, const std::string& fqdn) {
  // One pass, so that a value holding "{fqdn}" is not expanded again.
  std::vector<std::string> out;
  for (const std::string& item : argv) {
    std::string expanded;
    for (size_t i = 0; i < item.size();) {
      if (item.compare(i, 8, "{server}") == 0) {
        expanded += server;
        i += 8;
      } else if (item.compare(i, 6, "{fqdn}") == 0) {
        expanded += fqdn;
        i += 6;
      } else {
        expanded += item[i++];
      }
    }
    out.push_back(std::move(expanded));
  }
  return out;
}

std::string DisplayCommand(const std::vector<std::string>& argv) {
  std::vector<std::string> items;
  for (const std::string& a : argv) {
    items.push_back(a.find_first_of(" \t'\"") == std::string::npos ? a : Quote(a));
  }
  return Join(items, " ");
}

Result<json> InterpretRun(const EmsTarget& target, Operation op, const ProcessResult& run,
                          const std::vector<std::string>& secrets) {
  const std::string who = target.server + ": ";
  const std::string via = " (" + ScriptFile(op) + " via `" + DisplayCommand(target.argv) + "`)";
  if (run.timed_out) {
    return Unavailable(
        who + "no answer within " + FormatDuration(target.timeout) + via +
        "; xcert stopped the command. Check that the server is reachable and that Exchange "
        "Management Shell starts there; raise store.timeout for a slow server." +
        MaybeDone(op));
  }
  const Answer answer = FindAnswer(run.out);
  if (answer.fault == AnswerFault::kNone) {
    if (answer.body["ok"].get<bool>()) return answer.body;
    const std::string error = answer.body.value("error", std::string("(no message)"));
    const std::string category = answer.body.value("category", std::string());
    std::string line;
    if (const AuthFailure* f = FindAuthFailure(error, &line)) {
      return PermissionDenied(who + std::string(Doing(op)) + " was refused: " + error + "; " +
                              std::string(f->hint));
    }
    return Status(CodeOfCategory(category), who + std::string(Doing(op)) + " failed: " + error +
                                                (category.empty() ? "" : " [" + category + "]"));
  }
  const std::string all = run.err + "\n" + run.out;
  std::string line;
  if (const AuthFailure* f = FindAuthFailure(all, &line)) {
    return PermissionDenied(who + "authentication refused: " + Tail(line, secrets) + via + "; " +
                            std::string(f->hint));
  }
  const std::string output = Tail(run.err.empty() ? run.out : run.err, secrets);
  if (run.exit_code != 0 || run.signal != 0) {
    const std::string how = run.signal != 0 ? "was killed by signal " + std::to_string(run.signal)
                                            : "exited with code " + std::to_string(run.exit_code);
    return Unavailable(
        who + "the transport " + how + " before answering" + via +
        (output.empty() ? "" : ": " + output) +
        ". Check the transport command (store.transport or the server's transport) by running "
        "it by hand." +
        MaybeDone(op));
  }
  switch (answer.fault) {
    case AnswerFault::kNoResult:
      return Unavailable(
          who + "the transport answered without an XCERT-RESULT line" + via +
          (output.empty() ? "" : "; its output ended with: " + output) +
          ". The command must run Windows PowerShell on an Exchange server and read the script "
          "from stdin, e.g. [ssh, admin@{fqdn}, powershell, -NoProfile, -NonInteractive, "
          "-Command, -] (docs/exchange.md)." +
          MaybeDone(op));
    case AnswerFault::kTruncated:
      return DataLoss(who + "the answer was cut off (partial output, " +
                      std::to_string(run.out.size()) + " bytes)" + via +
                      "; the connection probably dropped. Run the command again." + MaybeDone(op));
    default:
      return DataLoss(
          who + "the answer is not valid JSON" + via + ": " + answer.detail +
          ". Something on the server printed into the result line; check the PowerShell profile "
          "(use -NoProfile)." +
          MaybeDone(op));
  }
}

Result<json> EmsClient::Call(Operation op, json args) {
  args["server"] = target_.server;
  XCERT_ASSIGN_OR_RETURN(std::string payload, BuildPayload(op, args));
  std::vector<std::string> secrets = {x509::Base64Encode(args.dump())};
  if (args.contains("password") && args["password"].is_string() &&
      !args["password"].get<std::string>().empty()) {
    secrets.push_back(args["password"].get<std::string>());
  }
  std::lock_guard<std::mutex> lock(mutex_);
  std::string input;
  if (!session_ || !session_->usable()) {
    session_.reset();
    // The opening is made before the shell starts, so that a shell is never
    // kept without it.
    const std::string marker = NewSessionMarker();
    XCERT_ASSIGN_OR_RETURN(input, SessionOpening(marker));
    Result<std::unique_ptr<ProcessSession>> started = ProcessSession::Start(target_.argv);
    if (!started.ok()) {
      return Unavailable(target_.server + ": " + started.status().message() +
                         "; check the transport command (store.transport or the server's "
                         "transport) in the manifest");
    }
    session_ = std::move(*started);
    ++started_;
    marker_ = marker;
  }
  input += payload;
  if (!input.ends_with('\n')) input += '\n';  // the marker must be a line of its own
  input += marker_ + "\n";
  ProcessOptions options;
  options.timeout = target_.timeout;
  return InterpretRun(target_, op, session_->Request(input, marker_, options), secrets);
}

void EmsClient::EndSession() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (session_) session_->CloseInput();
}

int EmsClient::shells_started() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return started_;
}

}  // namespace xcert::exchange
