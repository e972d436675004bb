// The ACME client against Debian's pebble (account registration and lookup,
// EAB, RSA account keys, TLS trust) and against the tests' fake server for
// what pebble cannot do (scripted badNonce, 429, profiles, ARI).
#include "resources/acme/client.h"

#include <gtest/gtest.h>

#include "resources/acme/jws.h"
#include "resources/x509/parse.h"
#include "tests/resources/acme/acme_test_util.h"
#include "tests/resources/acme/fake_acme.h"

namespace xcert::acme {
namespace {

using namespace xcert::acme::testing;  // NOLINT

class PebbleClient : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!FindProgram("pebble")) GTEST_SKIP() << NotInstalled("pebble");
  }
  TempDir dir_;
};

TEST_F(PebbleClient, RegistersOnceThenFindsTheSameAccount) {
  Pebble pebble(dir_.path(), {});
  ASSERT_TRUE(pebble.ready()) << pebble.Log();
  const auto key = NewKey();
  auto first = AcmeClient::Connect(PebbleClientOptions(pebble), key);
  ASSERT_TRUE(first.ok()) << first.status().message();
  const auto created = (*first)->EnsureAccount();
  ASSERT_TRUE(created.ok()) << created.status().message();
  EXPECT_TRUE(created->created);
  auto second = AcmeClient::Connect(PebbleClientOptions(pebble), key);
  ASSERT_TRUE(second.ok());
  const auto found = (*second)->EnsureAccount();
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_FALSE(found->created);
  EXPECT_EQ(found->url, created->url);
}

TEST_F(PebbleClient, RsaAccountKeySignsRs256) {
  Pebble pebble(dir_.path(), {});
  ASSERT_TRUE(pebble.ready()) << pebble.Log();
  auto client =
      AcmeClient::Connect(PebbleClientOptions(pebble),
                          NewKey(KeySpec{KeyAlgorithm::kRsa, 2048, EcCurve::kNone, false}));
  ASSERT_TRUE(client.ok()) << client.status().message();
  const auto account = (*client)->EnsureAccount();
  ASSERT_TRUE(account.ok()) << account.status().message();
  const auto order = (*client)->NewOrder({"rsa.example.com"});
  ASSERT_TRUE(order.ok()) << order.status().message();
  EXPECT_EQ(order->status, "pending");
  EXPECT_EQ(order->authorizations.size(), 1u);
}

TEST_F(PebbleClient, TermsMustBeAcceptedBeforeRegistering) {
  Pebble pebble(dir_.path(), {});
  ASSERT_TRUE(pebble.ready()) << pebble.Log();
  ClientOptions options = PebbleClientOptions(pebble);
  options.accept_terms = false;
  auto client = AcmeClient::Connect(options, NewKey());
  ASSERT_TRUE(client.ok());
  ASSERT_FALSE((*client)->directory().terms_of_service.empty());
  const auto account = (*client)->EnsureAccount();
  ASSERT_FALSE(account.ok());
  EXPECT_EQ(account.status().code(), Code::kFailedPrecondition);
  EXPECT_NE(account.status().message().find("acceptTerms: true"), std::string::npos);
}

TEST_F(PebbleClient, ExternalAccountBindingRequiredWorksWithTheRightKeyOnly) {
  const std::string mac = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";
  Pebble pebble(dir_.path(), {.eab_required = true, .mac_keys = {{"kid-1", mac}}});
  ASSERT_TRUE(pebble.ready()) << pebble.Log();

  ClientOptions none = PebbleClientOptions(pebble);
  auto no_eab = AcmeClient::Connect(none, NewKey());
  ASSERT_TRUE(no_eab.ok());
  EXPECT_TRUE((*no_eab)->directory().external_account_required);
  const auto refused = (*no_eab)->EnsureAccount();
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("eab.keyId"), std::string::npos)
      << refused.status().message();

  ClientOptions wrong = PebbleClientOptions(pebble);
  const std::string wrong_key = "wrong-mac-key-wrong-mac-key-wrong-mac-key";
  wrong.eab = Eab{"kid-1", wrong_key};
  auto bad = AcmeClient::Connect(wrong, NewKey());
  ASSERT_TRUE(bad.ok());
  const auto denied = (*bad)->EnsureAccount();
  ASSERT_FALSE(denied.ok());
  EXPECT_NE(denied.status().message().find("registering an ACME account"), std::string::npos)
      << denied.status().message();
  EXPECT_EQ(denied.status().message().find(wrong_key), std::string::npos);
  EXPECT_EQ(denied.status().message().find(Base64UrlEncode(wrong_key)), std::string::npos);

  ClientOptions right = PebbleClientOptions(pebble);
  right.eab = Eab{"kid-1", Base64UrlDecode(mac).value()};
  auto good = AcmeClient::Connect(right, NewKey());
  ASSERT_TRUE(good.ok());
  const auto account = (*good)->EnsureAccount();
  ASSERT_TRUE(account.ok()) << account.status().message();
  EXPECT_TRUE(account->created);
}

TEST_F(PebbleClient, UntrustedServerCertificateAsksForCaBundle) {
  Pebble pebble(dir_.path(), {});
  ASSERT_TRUE(pebble.ready()) << pebble.Log();
  ClientOptions options = PebbleClientOptions(pebble);
  options.ca_bundle.clear();
  const auto client = AcmeClient::Connect(options, NewKey());
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), Code::kUnavailable);
  EXPECT_NE(client.status().message().find("caBundle"), std::string::npos)
      << client.status().message();
}

TEST(AcmeClientTest, ServerDownNamesTheUrlAndWhatToCheck) {
  ClientOptions options;
  options.directory_url = "https://127.0.0.1:" + std::to_string(FreeLoopbackPort()) + "/dir";
  const auto client = AcmeClient::Connect(options, NewKey());
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), Code::kUnavailable);
  EXPECT_NE(client.status().message().find(options.directory_url), std::string::npos);
  EXPECT_NE(client.status().message().find("that the ACME server is up"), std::string::npos)
      << client.status().message();
}

TEST(AcmeClientTest, PlainHttpOnlyToLoopback) {
  ClientOptions options;
  options.directory_url = "http://acme.example.com/dir";
  const auto client = AcmeClient::Connect(options, NewKey());
  ASSERT_FALSE(client.ok());
  EXPECT_EQ(client.status().code(), Code::kInvalidArgument);
}

ClientOptions FakeOptions(const FakeAcme& server) {
  ClientOptions o;
  o.directory_url = server.directory();
  return o;
}

TEST(FakeAcmeClient, BadNonceIsRetriedWithTheNonceFromTheError) {
  FakeAcme server({.reject_nonces = 3});
  auto client = AcmeClient::Connect(FakeOptions(server), NewKey());
  ASSERT_TRUE(client.ok()) << client.status().message();
  const auto account = (*client)->EnsureAccount();
  ASSERT_TRUE(account.ok()) << account.status().message();
  EXPECT_EQ(server.seen().bad_nonces_sent, 3);
  EXPECT_EQ((*client)->bad_nonce_retries(), 3);
}

TEST(FakeAcmeClient, EndlessBadNonceStopsAfterTheBound) {
  FakeAcme server({.reject_nonces = 1000});
  ClientOptions options = FakeOptions(server);
  options.max_bad_nonce_retries = 4;
  auto client = AcmeClient::Connect(options, NewKey());
  ASSERT_TRUE(client.ok());
  const auto account = (*client)->EnsureAccount();
  ASSERT_FALSE(account.ok());
  EXPECT_EQ(server.seen().bad_nonces_sent, 5);  // the first try and 4 retries
  EXPECT_NE(account.status().message().find("(badNonce)"), std::string::npos);
}

TEST(FakeAcmeClient, RateLimitedOrderSaysWhenToRetry) {
  FakeAcme server({.rate_limit_orders = true});
  const FixedClock clock(ParseIso8601("2026-05-01T10:00:00Z").value());
  ClientOptions options = FakeOptions(server);
  options.clock = &clock;
  auto client = AcmeClient::Connect(options, NewKey());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->EnsureAccount().ok());
  const auto start = std::chrono::steady_clock::now();
  const auto order = (*client)->NewOrder({"busy.example.com"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5))
      << "no hour-long wait";
  ASSERT_FALSE(order.ok());
  const std::string& m = order.status().message();
  EXPECT_EQ(order.status().code(), Code::kUnavailable);
  EXPECT_NE(m.find("busy.example.com"), std::string::npos) << m;
  EXPECT_NE(m.find("rate limited"), std::string::npos) << m;
  EXPECT_NE(m.find("retry after 2026-05-01T11:00:00Z"), std::string::npos) << m;
}

TEST(FakeAcmeClient, ProfilesComeFromTheDirectoryAndUnknownOnesAreRefused) {
  FakeAcme server({.profiles = {{"classic", "90 days"}, {"tlsserver", "45 days"}}});
  auto client = AcmeClient::Connect(FakeOptions(server), NewKey());
  ASSERT_TRUE(client.ok());
  EXPECT_EQ((*client)->directory().profiles.size(), 2u);
  ASSERT_TRUE((*client)->EnsureAccount().ok());
  const auto refused = (*client)->NewOrder({"p.example.com"}, "shortlived");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("(it offers 'classic', 'tlsserver')"),
            std::string::npos)
      << refused.status().message();
  EXPECT_TRUE(server.seen().new_orders.empty()) << "refused before asking the server";
  const auto order = (*client)->NewOrder({"p.example.com"}, "tlsserver");
  ASSERT_TRUE(order.ok()) << order.status().message();
  EXPECT_EQ(order->profile, "tlsserver");
}

TEST(FakeAcmeClient, ReplacesIsSentOnlyWhereTheDirectoryOffersAri) {
  FakeAcme plain({});
  auto client = AcmeClient::Connect(FakeOptions(plain), NewKey());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->EnsureAccount().ok());
  ASSERT_TRUE(
      (*client)->NewOrder({"r.example.com"}, "", "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE").ok());
  EXPECT_FALSE(plain.seen().new_orders.at(0).contains("replaces"));
  const auto no_ari = (*client)->GetRenewalInfo("x");
  EXPECT_EQ(no_ari.status().code(), Code::kFailedPrecondition);
}

TEST(FakeAcmeClient, RenewalInfoIsFetchedByTheIdOpensslShowsForTheCertificate) {
  FakeAcme server({.ari = true, .renewal_retry_after = "30"});
  const FixedClock clock(ParseIso8601("2029-12-31T00:00:00Z").value());
  ClientOptions options = FakeOptions(server);
  options.clock = &clock;
  auto client = AcmeClient::Connect(options, NewKey());
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->EnsureAccount().ok());
  auto order = (*client)->NewOrder({"ari.example.com"});
  ASSERT_TRUE(order.ok());
  const auto key = NewKey();
  ASSERT_TRUE((*client)->Finalize(*order, Csr({"ari.example.com"}, key)).ok());
  const std::string der = server.seen().issued_der.at(0);
  const auto info = (*client)->GetRenewalInfo(der);
  ASSERT_TRUE(info.ok()) << info.status().message();
  EXPECT_EQ(FormatIso8601(info->window_end), "2030-01-03T00:00:00Z");
  // Retry-After 30 s is below RFC 9773 §4.3's one-minute floor.
  EXPECT_EQ(FormatIso8601(info->next_check), "2029-12-31T00:01:00Z");
  // The identifier, rebuilt from what the openssl command line prints.
  TempDir dir;
  std::ofstream(dir.path() / "c.der", std::ios::binary) << der;
  const RunResult shown =
      RunTool("openssl", {"x509", "-inform", "DER", "-in", (dir.path() / "c.der").string(),
                          "-noout", "-serial", "-ext", "authorityKeyIdentifier"});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  auto hex_of = [](std::string s) {
    std::string out;
    for (char c : s) {
      if (std::isxdigit(static_cast<unsigned char>(c))) out += c;
    }
    return out;
  };
  const size_t serial_at = shown.out.find("serial=") + 7;
  std::string serial_hex =
      hex_of(shown.out.substr(serial_at, shown.out.find('\n', serial_at) - serial_at));
  if (serial_hex.size() % 2) serial_hex = "0" + serial_hex;
  if (std::stoi(serial_hex.substr(0, 1), nullptr, 16) >= 8) serial_hex = "00" + serial_hex;
  const size_t aki_line = shown.out.find('\n', shown.out.find("Authority Key Identifier")) + 1;
  std::string aki_text = shown.out.substr(aki_line, shown.out.find('\n', aki_line) - aki_line);
  if (const size_t k = aki_text.find("keyid:"); k != std::string::npos) aki_text.erase(k, 6);
  const std::string aki_hex = hex_of(aki_text);
  auto bytes = [](const std::string& hex) {
    std::string out;
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
      out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    }
    return out;
  };
  ASSERT_EQ(server.seen().renewal_ids.size(), 1u);
  EXPECT_EQ(server.seen().renewal_ids[0],
            Base64UrlEncode(bytes(aki_hex)) + "." + Base64UrlEncode(bytes(serial_hex)))
      << shown.out;
}

}  // namespace
}  // namespace xcert::acme
