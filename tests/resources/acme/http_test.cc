// The HTTP client against openssl s_server -WWW (an independent HTTPS
// server), and the header parsers against the RFCs' own examples.
#include "resources/acme/http.h"

#include <gtest/gtest.h>

#include "tests/resources/acme/acme_test_util.h"

namespace xcert::acme {
namespace {

using namespace xcert::acme::testing;  // NOLINT

TEST(HttpClientTest, TrustsOnlyTheCaBundleGivenAndNamesItWhenItDoesNotMatch) {
  if (!FindProgram("openssl")) GTEST_SKIP() << NotInstalled("openssl");
  TempDir dir;
  const TlsFiles tls = MakeLoopbackTls(dir.path());
  dir.Write("www/hello.txt", "hello over TLS\n");
  const uint16_t port = FreeLoopbackPort();
  BackgroundProcess server(
      {FindProgram("openssl")->string(), "s_server", "-quiet", "-WWW", "-accept",
       "127.0.0.1:" + std::to_string(port), "-cert", tls.cert.string(), "-key", tls.key.string()},
      dir.path() / "s_server.log", {}, dir.path() / "www");
  ASSERT_TRUE(server.WaitForPort(port)) << server.Log();
  const std::string url = "https://127.0.0.1:" + std::to_string(port) + "/hello.txt";

  HttpClient trusted(HttpOptions{tls.cert.string()});
  const auto got = trusted.Send("GET", url);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->status, 200);
  EXPECT_EQ(got->body, "hello over TLS\n");

  fs::create_directories(dir.path() / "other");
  const TlsFiles other = MakeLoopbackTls(dir.path() / "other");
  HttpClient wrong(HttpOptions{other.cert.string()});
  const auto refused = wrong.Send("GET", url);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("does not chain to caBundle"), std::string::npos)
      << refused.status().message();
}

TEST(RetryAfterTest, DeltaSecondsAndHttpDate) {
  const TimePoint now = ParseIso8601("1999-12-31T23:59:00Z").value();
  EXPECT_EQ(ParseRetryAfter("120", now), std::chrono::seconds(120));
  // RFC 9110 §10.2.3's example date.
  EXPECT_EQ(ParseRetryAfter("Fri, 31 Dec 1999 23:59:59 GMT", now), std::chrono::seconds(59));
  EXPECT_EQ(ParseRetryAfter("Fri, 31 Dec 1999 23:00:00 GMT", now), std::chrono::seconds(0));
  EXPECT_FALSE(ParseRetryAfter("", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("soon", now).has_value());
}

TEST(LinkTest, AlternateLinksResolvedAgainstTheRequest) {
  // RFC 8555 §7.4.2's example shape, plus a relative and a multi-link header.
  const auto links =
      ParseLinks({"<https://example.com/acme/directory>;rel=\"index\"",
                  "<https://example.com/acme/cert/mAt3xBGaobw/1>;rel=\"alternate\"",
                  "</acme/cert/mAt3xBGaobw/2>; rel=alternate, <https://x.example/up>; rel=\"up\""},
                 "https://example.com/acme/cert/mAt3xBGaobw");
  ASSERT_EQ(links.size(), 4u);
  EXPECT_EQ(links[0].rel, "index");
  EXPECT_EQ(links[1].url, "https://example.com/acme/cert/mAt3xBGaobw/1");
  EXPECT_EQ(links[1].rel, "alternate");
  EXPECT_EQ(links[2].url, "https://example.com/acme/cert/mAt3xBGaobw/2");
  EXPECT_EQ(links[2].rel, "alternate");
  EXPECT_EQ(links[3].rel, "up");
}

TEST(LoopbackUrlTest, OnlyLoopbackHostsQualify) {
  EXPECT_TRUE(IsLoopbackHttpUrl("http://127.0.0.1:4000/dir"));
  EXPECT_TRUE(IsLoopbackHttpUrl("http://localhost/dir"));
  EXPECT_TRUE(IsLoopbackHttpUrl("http://[::1]:80/dir"));
  EXPECT_FALSE(IsLoopbackHttpUrl("http://127.evil.example/dir"));
  EXPECT_FALSE(IsLoopbackHttpUrl("http://127.0.0.1@evil.example/dir"));
  EXPECT_FALSE(IsLoopbackHttpUrl("https://127.0.0.1/dir"));
}

}  // namespace
}  // namespace xcert::acme
