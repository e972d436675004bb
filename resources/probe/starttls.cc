#include "resources/probe/starttls.h"

#include <cctype>

#include "engine/util/strings.h"

namespace xcert::probe {

namespace {

// RFC 5321 allows 512 octets per reply line; IMAP greetings with a long
// CAPABILITY list are longer. Anything beyond this is not one of these
// protocols.
constexpr size_t kMaxLine = 8192;

constexpr std::string_view kImapTag = "x1";

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

// An SMTP reply line: a three-digit code, then ' ' (last line), '-' (more
// lines follow) or nothing.
struct SmtpReplyLine {
  int code = 0;
  bool last = true;
  std::string_view text;
};

bool ParseSmtpLine(std::string_view line, SmtpReplyLine* out) {
  if (line.size() < 3) return false;
  for (int i = 0; i < 3; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(line[i]))) return false;
  }
  out->code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (line.size() == 3) return true;
  if (line[3] != ' ' && line[3] != '-') return false;
  out->last = line[3] == ' ';
  out->text = line.substr(4);
  return true;
}

std::string_view FirstWord(std::string_view s) {
  s = Trim(s);
  const size_t space = s.find(' ');
  return space == std::string_view::npos ? s : s.substr(0, space);
}

}  // namespace

std::string PrintableLine(std::string_view text, size_t max) {
  std::string out;
  for (char c : Trim(text)) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  return out;
}

StartTlsDialog::StartTlsDialog(Protocol protocol, std::string ehlo_name)
    : protocol_(protocol), ehlo_name_(std::move(ehlo_name)) {}

std::string StartTlsDialog::Awaiting() const {
  const std::string_view name = protocol_ == Protocol::kSmtp   ? "SMTP"
                                : protocol_ == Protocol::kImap ? "IMAP"
                                                               : "POP3";
  switch (state_) {
    case State::kGreeting: return "the " + std::string(name) + " greeting";
    case State::kEhlo: return "the answer to EHLO";
    case State::kStartTls:
      return protocol_ == Protocol::kPop3 ? "the answer to STLS" : "the answer to STARTTLS";
    case State::kDone: break;
  }
  return "nothing";
}

StartTlsDialog::Step StartTlsDialog::Finish(Action action, std::string text) {
  state_ = State::kDone;
  return {action, std::move(text)};
}

StartTlsDialog::Step StartTlsDialog::Receive(std::string_view bytes) {
  if (state_ == State::kDone) {
    return {Action::kError, "the server sent data after the exchange was over"};
  }
  buffer_.append(bytes);
  for (;;) {
    const size_t end = buffer_.find('\n');
    if (end == std::string::npos) {
      if (buffer_.size() > kMaxLine) {
        return Finish(Action::kError, "the server sent a line longer than " +
                                          std::to_string(kMaxLine) + " bytes while waiting for " +
                                          Awaiting());
      }
      return {Action::kWait, ""};
    }
    std::string line = buffer_.substr(0, end);
    buffer_.erase(0, end + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    Step step = Line(line);
    if (step.action == Action::kWait) continue;
    // The server must wait for our next command (RFC 5321 §4.3, RFC 3207 §4,
    // RFC 3501 §6.2.1): bytes already here would be taken as if they had
    // come through TLS.
    if ((step.action == Action::kSend || step.action == Action::kStartTls) && !buffer_.empty()) {
      return Finish(Action::kError, "the server sent " + CountNoun(buffer_.size(), "byte") +
                                        " it was not asked for, after '" + PrintableLine(line) +
                                        "'");
    }
    return step;
  }
}

StartTlsDialog::Step StartTlsDialog::Line(std::string_view line) {
  switch (protocol_) {
    case Protocol::kSmtp: return SmtpLine(line);
    case Protocol::kImap: return ImapLine(line);
    case Protocol::kPop3: return Pop3Line(line);
    default: break;
  }
  return Finish(Action::kError, std::string(ProtocolName(protocol_)) + " has no STARTTLS step");
}

StartTlsDialog::Step StartTlsDialog::SmtpLine(std::string_view line) {
  SmtpReplyLine reply;
  if (!ParseSmtpLine(line, &reply)) {
    return Finish(Action::kError, "not an SMTP reply while waiting for " + Awaiting() + ": '" +
                                      PrintableLine(line) + "'");
  }
  switch (state_) {
    case State::kGreeting:
      if (reply.code != 220) {
        return Finish(Action::kRefused,
                      "the server refused the SMTP session: '" + PrintableLine(line) + "'");
      }
      if (!reply.last) return {Action::kWait, ""};
      state_ = State::kEhlo;
      return {Action::kSend, "EHLO " + ehlo_name_ + "\r\n"};
    case State::kEhlo:
      if (reply.code != 250) {
        return Finish(Action::kRefused,
                      "the server refused EHLO " + ehlo_name_ + ": '" + PrintableLine(line) + "'");
      }
      // The first line names the server; the others are extension keywords.
      if (ehlo_lines_++ > 0) {
        const std::string_view keyword = FirstWord(reply.text);
        if (EqualsIgnoreCase(keyword, "STARTTLS")) offers_starttls_ = true;
        extensions_.push_back(PrintableLine(keyword, 40));
      }
      if (!reply.last) return {Action::kWait, ""};
      if (!offers_starttls_) {
        return Finish(
            Action::kRefused,
            "the server does not offer STARTTLS (its EHLO reply lists " +
                (extensions_.empty() ? std::string("no extensions") : Join(extensions_, ", ")) +
                ")");
      }
      state_ = State::kStartTls;
      return {Action::kSend, "STARTTLS\r\n"};
    case State::kStartTls:
      if (reply.code != 220) {
        return Finish(Action::kRefused,
                      "the server refused STARTTLS: '" + PrintableLine(line) + "'");
      }
      if (!reply.last) return {Action::kWait, ""};
      return Finish(Action::kStartTls, "");
    case State::kDone: break;
  }
  return Finish(Action::kError, "unexpected SMTP reply: '" + PrintableLine(line) + "'");
}

StartTlsDialog::Step StartTlsDialog::ImapLine(std::string_view line) {
  if (state_ == State::kGreeting) {
    if (StartsWithIgnoreCase(line, "* OK")) {
      state_ = State::kStartTls;
      return {Action::kSend, std::string(kImapTag) + " STARTTLS\r\n"};
    }
    if (StartsWithIgnoreCase(line, "* PREAUTH")) {
      return Finish(Action::kRefused,
                    "the server pre-authenticated the session (PREAUTH), so STARTTLS is not "
                    "allowed: '" +
                        PrintableLine(line) + "'");
    }
    if (StartsWithIgnoreCase(line, "* BYE")) {
      return Finish(Action::kRefused,
                    "the server refused the IMAP session: '" + PrintableLine(line) + "'");
    }
    return Finish(Action::kError, "not an IMAP greeting: '" + PrintableLine(line) + "'");
  }
  // Untagged data (a CAPABILITY list) may come before the tagged answer.
  if (StartsWithIgnoreCase(line, "* ")) return {Action::kWait, ""};
  const std::string tag = std::string(kImapTag) + " ";
  if (StartsWithIgnoreCase(line, tag + "OK")) return Finish(Action::kStartTls, "");
  if (StartsWithIgnoreCase(line, tag + "NO") || StartsWithIgnoreCase(line, tag + "BAD")) {
    return Finish(Action::kRefused, "the server refused STARTTLS: '" + PrintableLine(line) + "'");
  }
  return Finish(Action::kError, "not an IMAP answer to STARTTLS: '" + PrintableLine(line) + "'");
}

StartTlsDialog::Step StartTlsDialog::Pop3Line(std::string_view line) {
  const bool ok = StartsWithIgnoreCase(line, "+OK");
  const bool err = StartsWithIgnoreCase(line, "-ERR");
  if (state_ == State::kGreeting) {
    if (ok) {
      state_ = State::kStartTls;
      return {Action::kSend, "STLS\r\n"};
    }
    if (err) {
      return Finish(Action::kRefused,
                    "the server refused the POP3 session: '" + PrintableLine(line) + "'");
    }
    return Finish(Action::kError, "not a POP3 greeting: '" + PrintableLine(line) + "'");
  }
  if (ok) return Finish(Action::kStartTls, "");
  if (err)
    return Finish(Action::kRefused, "the server refused STLS: '" + PrintableLine(line) + "'");
  return Finish(Action::kError, "not a POP3 answer to STLS: '" + PrintableLine(line) + "'");
}

}  // namespace xcert::probe
