// The STARTTLS exchanges, fed replies as Postfix 3.7, Dovecot 2.3 and an
// Exchange receive connector write them; tests/resources/probe/probe_test.cc
// runs the same exchanges against real Postfix and Dovecot.
#include "resources/probe/starttls.h"

#include <gtest/gtest.h>

namespace xcert::probe {
namespace {

using Action = StartTlsDialog::Action;

TEST(StartTlsDialogTest, SmtpGreetsEhlosAndStartsTlsWhenOffered) {
  StartTlsDialog d(Protocol::kSmtp, "probe.contoso.test");
  EXPECT_EQ(d.Awaiting(), "the SMTP greeting");
  // A greeting may come in pieces and span several lines.
  EXPECT_EQ(d.Receive("220-mail.contoso.test Microsoft ESMTP MAIL Service ready\r\n220 ").action,
            Action::kWait);
  StartTlsDialog::Step s = d.Receive("at Mon, 7 Dec 2026 10:00:00 +0000\r\n");
  ASSERT_EQ(s.action, Action::kSend);
  EXPECT_EQ(s.text, "EHLO probe.contoso.test\r\n");
  EXPECT_EQ(d.Awaiting(), "the answer to EHLO");
  s = d.Receive(
      "250-mail.contoso.test Hello [10.0.0.5]\r\n250-SIZE 37748736\r\n250-PIPELINING\r\n"
      "250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250-AUTH NTLM\r\n"
      "250-8BITMIME\r\n250 CHUNKING\r\n");
  ASSERT_EQ(s.action, Action::kSend);
  EXPECT_EQ(s.text, "STARTTLS\r\n");
  EXPECT_EQ(d.Receive("220 2.0.0 SMTP server ready\r\n").action, Action::kStartTls);
}

TEST(StartTlsDialogTest, SmtpWithoutStartTlsInEhloIsRefusedNamingWhatItOffers) {
  StartTlsDialog d(Protocol::kSmtp, "localhost");
  ASSERT_EQ(d.Receive("220 mail.xcert.test ESMTP Postfix (Debian/GNU)\r\n").action, Action::kSend);
  const StartTlsDialog::Step s =
      d.Receive("250-mail.xcert.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 CHUNKING\r\n");
  EXPECT_EQ(s.action, Action::kRefused);
  EXPECT_EQ(s.text,
            "the server does not offer STARTTLS (its EHLO reply lists PIPELINING, SIZE, CHUNKING)");
}

TEST(StartTlsDialogTest, SmtpRefusalsQuoteTheServer) {
  {
    StartTlsDialog d(Protocol::kSmtp, "localhost");
    ASSERT_EQ(d.Receive("220 ok\r\n").action, Action::kSend);
    ASSERT_EQ(d.Receive("250-x\r\n250 STARTTLS\r\n").action, Action::kSend);
    const auto s = d.Receive("454 4.7.0 TLS not available due to local problem\r\n");
    EXPECT_EQ(s.action, Action::kRefused);
    EXPECT_EQ(s.text,
              "the server refused STARTTLS: '454 4.7.0 TLS not available due to local problem'");
  }
  {
    StartTlsDialog d(Protocol::kSmtp, "localhost");
    const auto s = d.Receive("554 5.7.1 no SMTP service here\r\n");
    EXPECT_EQ(s.action, Action::kRefused);
    EXPECT_NE(s.text.find("554 5.7.1 no SMTP service here"), std::string::npos);
  }
}

TEST(StartTlsDialogTest, AnotherProtocolOnTheSmtpPortIsAProtocolError) {
  StartTlsDialog d(Protocol::kSmtp, "localhost");
  const auto s = d.Receive("* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.\r\n");
  EXPECT_EQ(s.action, Action::kError);
  EXPECT_EQ(s.text,
            "not an SMTP reply while waiting for the SMTP greeting: '* OK [CAPABILITY IMAP4rev1 "
            "STARTTLS] Dovecot ready.'");
}

TEST(StartTlsDialogTest, BytesAfterTheStartTlsAnswerAreRefusedNotTakenAsTls) {
  // RFC 3207 §5 (CVE-2011-0411 style injection): whatever follows the 220 in
  // the same read would be taken as if it came through TLS.
  StartTlsDialog d(Protocol::kSmtp, "localhost");
  ASSERT_EQ(d.Receive("220 ok\r\n").action, Action::kSend);
  ASSERT_EQ(d.Receive("250-x\r\n250 STARTTLS\r\n").action, Action::kSend);
  const auto s = d.Receive("220 go ahead\r\n250 injected\r\n");
  EXPECT_EQ(s.action, Action::kError);
  EXPECT_EQ(s.text, "the server sent 14 bytes it was not asked for, after '220 go ahead'");
  EXPECT_EQ(d.Receive("more").action, Action::kError);
}

TEST(StartTlsDialogTest, ImapSkipsUntaggedDataAndFollowsTheTaggedAnswer) {
  StartTlsDialog d(Protocol::kImap, "unused");
  auto s = d.Receive(
      "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE "
      "LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.\r\n");
  ASSERT_EQ(s.action, Action::kSend);
  EXPECT_EQ(s.text, "x1 STARTTLS\r\n");
  EXPECT_EQ(d.Awaiting(), "the answer to STARTTLS");
  EXPECT_EQ(d.Receive("* CAPABILITY IMAP4rev1 STARTTLS\r\n").action, Action::kWait);
  EXPECT_EQ(d.Receive("x1 OK Begin TLS negotiation now.\r\n").action, Action::kStartTls);
}

TEST(StartTlsDialogTest, ImapRefusalsAndPreauth) {
  {
    StartTlsDialog d(Protocol::kImap, "unused");
    ASSERT_EQ(d.Receive("* OK Dovecot ready.\r\n").action, Action::kSend);
    const auto s = d.Receive("x1 BAD TLS support isn't enabled.\r\n");
    EXPECT_EQ(s.action, Action::kRefused);
    EXPECT_EQ(s.text, "the server refused STARTTLS: 'x1 BAD TLS support isn't enabled.'");
  }
  {
    StartTlsDialog d(Protocol::kImap, "unused");
    EXPECT_EQ(d.Receive("* PREAUTH welcome\r\n").action, Action::kRefused);
  }
  {
    StartTlsDialog d(Protocol::kImap, "unused");
    EXPECT_EQ(d.Receive("+OK Dovecot ready.\r\n").action, Action::kError);
  }
}

TEST(StartTlsDialogTest, Pop3Stls) {
  StartTlsDialog d(Protocol::kPop3, "unused");
  EXPECT_EQ(d.Awaiting(), "the POP3 greeting");
  auto s = d.Receive("+OK Dovecot (Debian) ready.\r\n");
  ASSERT_EQ(s.action, Action::kSend);
  EXPECT_EQ(s.text, "STLS\r\n");
  EXPECT_EQ(d.Awaiting(), "the answer to STLS");
  EXPECT_EQ(d.Receive("+OK Begin TLS negotiation now.\r\n").action, Action::kStartTls);

  StartTlsDialog refused(Protocol::kPop3, "unused");
  ASSERT_EQ(refused.Receive("+OK ready\n").action, Action::kSend);  // a bare LF is accepted
  s = refused.Receive("-ERR Unknown command: STLS\r\n");
  EXPECT_EQ(s.action, Action::kRefused);
  EXPECT_EQ(s.text, "the server refused STLS: '-ERR Unknown command: STLS'");
}

TEST(StartTlsDialogTest, EndlessLinesAndControlBytesAreContained) {
  StartTlsDialog d(Protocol::kPop3, "unused");
  const auto s = d.Receive(std::string(9000, 'A'));
  EXPECT_EQ(s.action, Action::kError);
  EXPECT_NE(s.text.find("longer than 8192 bytes"), std::string::npos);

  StartTlsDialog e(Protocol::kPop3, "unused");
  const auto bad = e.Receive("\x1b[31mhello\x07\r\n");
  EXPECT_EQ(bad.action, Action::kError);
  EXPECT_EQ(bad.text, "not a POP3 greeting: '?[31mhello?'");
  EXPECT_EQ(PrintableLine(std::string(200, 'x'), 10), "xxxxxxxxxx...");
}

}  // namespace
}  // namespace xcert::probe
