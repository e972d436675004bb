// The small HTTP server against the curl command line.
#include "resources/acme/http_responder.h"

#include <gtest/gtest.h>

#include "tests/resources/acme/acme_test_util.h"

namespace xcert::acme {
namespace {

using namespace xcert::acme::testing;  // NOLINT

TEST(HttpResponderTest, AnswersCurlAndPassesMethodTargetAndBody) {
  ServedRequest seen;
  auto responder = HttpResponder::Start("127.0.0.1:0", [&](const ServedRequest& r) {
    seen = r;
    return ServedReply{201, {{"X-Test", "yes"}}, "made " + r.body};
  });
  ASSERT_TRUE(responder.ok()) << responder.status().message();
  const std::string url = "http://127.0.0.1:" + std::to_string((*responder)->port()) + "/a/b?c=d";
  const RunResult r = RunTool("curl", {"-s", "-i", "-d", "payload", url});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("HTTP/1.1 201"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("X-Test: yes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("made payload"), std::string::npos) << r.out;
  responder->reset();
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.target, "/a/b?c=d");
  EXPECT_EQ(seen.body, "payload");
}

TEST(HttpResponderTest, AnAddressInUseIsAClearError) {
  auto first =
      HttpResponder::Start("127.0.0.1:0", [](const ServedRequest&) { return ServedReply{}; });
  ASSERT_TRUE(first.ok());
  const std::string address = "127.0.0.1:" + std::to_string((*first)->port());
  const auto second =
      HttpResponder::Start(address, [](const ServedRequest&) { return ServedReply{}; });
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Code::kUnavailable);
  EXPECT_NE(second.status().message().find(address), std::string::npos);
  EXPECT_FALSE(HttpResponder::Start("not-an-address", nullptr).ok());
}

TEST(HttpResponderTest, StopsListeningWhenDestroyed) {
  auto responder =
      HttpResponder::Start("127.0.0.1:0", [](const ServedRequest&) { return ServedReply{}; });
  ASSERT_TRUE(responder.ok());
  const uint16_t port = (*responder)->port();
  EXPECT_TRUE(xcert::testing::PortAccepts("127.0.0.1", port));
  responder->reset();
  EXPECT_FALSE(xcert::testing::PortAccepts("127.0.0.1", port));
}

}  // namespace
}  // namespace xcert::acme
