#include "resources/probe/protocol.h"

#include <gtest/gtest.h>

namespace xcert::probe {
namespace {

TEST(ProtocolTest, NamesPortsAndStartTlsAreTheIanaOnes) {
  EXPECT_EQ(DefaultPort(Protocol::kHttps), 443);
  EXPECT_EQ(DefaultPort(Protocol::kSmtp), 25);
  EXPECT_EQ(DefaultPort(Protocol::kSmtps), 465);
  EXPECT_EQ(DefaultPort(Protocol::kImap), 143);
  EXPECT_EQ(DefaultPort(Protocol::kImaps), 993);
  EXPECT_EQ(DefaultPort(Protocol::kPop3), 110);
  EXPECT_EQ(DefaultPort(Protocol::kPop3s), 995);
  for (Protocol p : kAllProtocols) {
    EXPECT_EQ(ParseProtocol(ProtocolName(p)), p);
    const std::string_view name = ProtocolName(p);
    // The STARTTLS protocols are the ones whose name does not end in 's'.
    EXPECT_EQ(UsesStartTls(p), name.back() != 's') << name;
  }
}

TEST(ProtocolTest, ParsingIgnoresCaseAndRefusesUnknownNames) {
  EXPECT_EQ(ParseProtocol("IMAPS"), Protocol::kImaps);
  EXPECT_EQ(ParseProtocol("Pop3"), Protocol::kPop3);
  EXPECT_FALSE(ParseProtocol("pop").has_value());
  EXPECT_FALSE(ParseProtocol("").has_value());
  EXPECT_FALSE(ParseProtocol("http").has_value());
}

}  // namespace
}  // namespace xcert::probe
