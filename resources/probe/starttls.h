// The plaintext part of a STARTTLS probe as a pure state machine: it is fed
// what the server sends and answers what to send next, when TLS may start,
// or why it cannot. It does no I/O; resources/probe/probe.cc drives it over a
// socket. The exchanges are the shortest that reach TLS:
//   smtp  (RFC 3207): greeting 220, EHLO, the EHLO reply must list STARTTLS,
//                     STARTTLS, 220
//   imap  (RFC 3501): greeting "* OK", "x1 STARTTLS", "x1 OK"
//   pop3  (RFC 2595): greeting "+OK", "STLS", "+OK"
// A server that sends anything it was not asked for (bytes after a reply,
// which would be read as if they came through TLS) is a protocol error.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "resources/probe/protocol.h"

namespace xcert::probe {

class StartTlsDialog {
 public:
  enum class Action {
    kWait,      // a reply is incomplete: feed more bytes
    kSend,      // send `text` (a command line with CRLF), then feed the answer
    kStartTls,  // the server agreed: start the TLS handshake now
    kRefused,   // the server does not offer or refuses TLS; `text` says how
    kError,     // the server does not speak the protocol; `text` says what it sent
  };
  struct Step {
    Action action = Action::kWait;
    std::string text;
  };

  // REQUIRES: UsesStartTls(protocol). `ehlo_name` is the name sent with EHLO.
  StartTlsDialog(Protocol protocol, std::string ehlo_name);

  // Feeds bytes received from the server (possibly partial lines). After a
  // kStartTls, kRefused or kError step the dialog is over and further bytes
  // are an error.
  Step Receive(std::string_view bytes);

  // What the dialog waits for, for timeout messages: "the SMTP greeting",
  // "the answer to EHLO", "the answer to STARTTLS", "the IMAP greeting", ...
  std::string Awaiting() const;
  // Whether the server has not greeted yet (a silent server on a port that
  // expects TLS at once looks like this).
  bool AwaitingGreeting() const { return state_ == State::kGreeting; }

 private:
  enum class State { kGreeting, kEhlo, kStartTls, kDone };
  // One complete line (without its line end) in the current state.
  Step Line(std::string_view line);
  Step SmtpLine(std::string_view line);
  Step ImapLine(std::string_view line);
  Step Pop3Line(std::string_view line);
  Step Finish(Action action, std::string text);

  Protocol protocol_;
  std::string ehlo_name_;
  State state_ = State::kGreeting;
  std::string buffer_;
  int ehlo_lines_ = 0;                   // smtp: lines of the EHLO reply so far
  bool offers_starttls_ = false;         // smtp: STARTTLS is in the EHLO reply
  std::vector<std::string> extensions_;  // smtp: the EHLO keywords, for the refusal message
};

// `text` from a server made safe for one line of a message: control and
// non-ASCII bytes become '?', and more than `max` characters are cut with "...".
std::string PrintableLine(std::string_view text, size_t max = 160);

}  // namespace xcert::probe
