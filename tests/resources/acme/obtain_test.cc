// The obtain driver end to end against Debian's pebble with real
// validation: http-01 through a webroot served by nginx and through xcert's
// own listener, dns-01 through BIND 9 with a TSIG-signed update and through
// an exec hook that feeds pebble-challtestsrv; issued chains checked with
// `openssl verify` against pebble's root.
#include "resources/acme/obtain.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "resources/acme/exec_hook.h"
#include "resources/acme/rfc2136.h"
#include "resources/acme/standalone.h"
#include "resources/acme/webroot.h"
#include "resources/x509/parse.h"
#include "tests/resources/acme/acme_test_util.h"
#include "tests/resources/acme/fake_acme.h"

namespace xcert::acme {
namespace {

using namespace xcert::acme::testing;  // NOLINT

// One pebble (validating against challtestsrv's DNS, so every name is
// 127.0.0.1) shared by the tests of this suite.
class PebbleHttp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!FindProgram("pebble") || !FindProgram("pebble-challtestsrv")) return;
    dir_ = new TempDir();
    dns_ = new ChallTestSrv(dir_->path());
    pebble_ =
        new Pebble(dir_->path(), {.dns_server = "127.0.0.1:" + std::to_string(dns_->dns_port()),
                                  .env = {{"PEBBLE_ALTERNATE_ROOTS", "1"}}});
  }
  static void TearDownTestSuite() {
    delete pebble_;
    delete dns_;
    delete dir_;
    pebble_ = nullptr;
  }
  void SetUp() override {
    if (pebble_ == nullptr) GTEST_SKIP() << NotInstalled("pebble");
    ASSERT_TRUE(dns_->ready()) << dns_->Log();
    ASSERT_TRUE(pebble_->ready()) << pebble_->Log();
    auto client = AcmeClient::Connect(PebbleClientOptions(*pebble_), NewKey());
    ASSERT_TRUE(client.ok()) << client.status().message();
    client_ = std::move(client).value();
  }
  std::string StandaloneAddress() const {
    return "127.0.0.1:" + std::to_string(pebble_->http_port());
  }

  static TempDir* dir_;
  static ChallTestSrv* dns_;
  static Pebble* pebble_;
  std::unique_ptr<AcmeClient> client_;
  TempDir tmp_;
};
TempDir* PebbleHttp::dir_ = nullptr;
ChallTestSrv* PebbleHttp::dns_ = nullptr;
Pebble* PebbleHttp::pebble_ = nullptr;

TEST_F(PebbleHttp, StandaloneHttp01IssuesAChainOpensslVerifies) {
  const std::vector<std::string> names = {"mail.example.com", "autodiscover.example.com"};
  const auto key = NewKey();
  StandaloneSolver solver(StandaloneAddress());
  std::string reported_order;
  ObtainRequest request{.label = "mail", .names = names, .csr_der = Csr(names, key)};
  request.on_order = [&](const std::string& url) { reported_order = url; };
  const auto got = ObtainCertificate(*client_, solver, request);
  ASSERT_TRUE(got.ok()) << got.status().message() << pebble_->Log();
  EXPECT_EQ(reported_order, got->order_url);
  EXPECT_FALSE(solver.listening()) << "the listener must close after the order";
  EXPECT_TRUE(key.Matches(got->certificate_der)) << "the certificate is for the caller's key";
  const std::string verified =
      OpensslVerify(tmp_.path(), got->chain_pem, PebbleRoot(*pebble_), "autodiscover.example.com");
  EXPECT_NE(verified.find(": OK"), std::string::npos) << verified;
  EXPECT_FALSE(got->ari_id.empty());
  EXPECT_FALSE(got->renewal_info.has_value()) << "pebble 2.4 offers no ARI";
}

TEST_F(PebbleHttp, WebrootHttp01ServedByNginxLeavesNothingBehind) {
  const fs::path root = tmp_.path() / "www";
  fs::create_directories(root);
  Nginx nginx(tmp_.path(), root, pebble_->http_port());
  if (!FindProgram("nginx")) GTEST_SKIP() << NotInstalled("nginx");
  ASSERT_TRUE(nginx.ready()) << nginx.Log();
  const std::vector<std::string> names = {"www.example.com"};
  WebrootSolver solver(root);
  const auto got =
      ObtainCertificate(*client_, solver, {.names = names, .csr_der = Csr(names, NewKey())});
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_FALSE(fs::exists(root / ".well-known")) << "token files and the directories made for them";
  const std::string verified =
      OpensslVerify(tmp_.path(), got->chain_pem, PebbleRoot(*pebble_), "www.example.com");
  EXPECT_NE(verified.find(": OK"), std::string::npos) << verified;
}

TEST_F(PebbleHttp, TokenNotServedNamesTheIdentifierAndLeavesNoTokenFile) {
  // The webroot is not the directory the (absent) web server serves: pebble
  // connects to the http port and finds nobody.
  const fs::path root = tmp_.path() / "www";
  fs::create_directories(root);
  WebrootSolver solver(root);
  const std::vector<std::string> names = {"unserved.example.com"};
  const auto got = ObtainCertificate(
      *client_, solver, {.label = "web", .names = names, .csr_der = Csr(names, NewKey())});
  ASSERT_FALSE(got.ok());
  const std::string& m = got.status().message();
  EXPECT_NE(m.find("certificate 'web'"), std::string::npos) << m;
  EXPECT_NE(m.find("token not served at http://unserved.example.com/.well-known/acme-challenge/"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("make port 80 of unserved.example.com reach"), std::string::npos) << m;
  EXPECT_FALSE(fs::exists(root / ".well-known"));
}

TEST_F(PebbleHttp, PreferredChainPicksTheAlternateWhoseTopIssuerMatches) {
  const std::string alternate_root = PebbleRoot(*pebble_, 1);
  const auto alt_der = x509::ReadCertificates(alternate_root);
  ASSERT_TRUE(alt_der.ok() && !alt_der->empty());
  const auto alt_info = x509::ParseCertificate(alt_der->front());
  ASSERT_TRUE(alt_info.ok());
  const std::string alt_cn = alt_info->subject.substr(3);  // "CN=..."
  const std::vector<std::string> names = {"chain.example.com"};
  StandaloneSolver solver(StandaloneAddress());
  const auto got = ObtainCertificate(
      *client_, solver,
      {.names = names, .csr_der = Csr(names, NewKey()), .preferred_chain = alt_cn});
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_TRUE(got->preferred_chain);
  const std::string verified =
      OpensslVerify(tmp_.path(), got->chain_pem, alternate_root, "chain.example.com");
  EXPECT_NE(verified.find(": OK"), std::string::npos) << verified;
}

TEST_F(PebbleHttp, ResumesAnOrderFromItsUrl) {
  const std::vector<std::string> names = {"resume.example.com"};
  // A run that was killed after placing the order.
  const auto order = client_->EnsureAccount().ok() ? client_->NewOrder(names)
                                                   : Result<Order>(Internal("no account"));
  ASSERT_TRUE(order.ok()) << order.status().message();
  StandaloneSolver solver(StandaloneAddress());
  const auto got = ObtainCertificate(
      *client_, solver,
      {.names = names, .csr_der = Csr(names, NewKey()), .resume_order_url = order->url});
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_TRUE(got->resumed);
  EXPECT_EQ(got->order_url, order->url);
}

TEST_F(PebbleHttp, ParallelOrdersShareOneClientAndOneListener) {
  StandaloneSolver solver(StandaloneAddress());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  std::vector<std::string> errors(3);
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      const std::vector<std::string> names = {"p" + std::to_string(i) + ".example.com",
                                              "q" + std::to_string(i) + ".example.com"};
      const auto got =
          ObtainCertificate(*client_, solver, {.names = names, .csr_der = Csr(names, NewKey())});
      if (got.ok()) {
        ++ok;
      } else {
        errors[i] = got.status().message();
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 3) << errors[0] << errors[1] << errors[2];
  EXPECT_FALSE(solver.listening());
}

TEST_F(PebbleHttp, ExecHookPublishesTheTxtValueItComputesFromKeyauth) {
  // The hook computes the TXT value from KEYAUTH with the openssl command
  // line (the independent oracle of RFC 8555 §8.4), checks the value xcert
  // put in its environment, and publishes it in pebble-challtestsrv.
  const std::string mgmt = "http://127.0.0.1:" + std::to_string(dns_->management_port());
  const fs::path hook = tmp_.path() / "hook.sh";
  std::ofstream(hook)
      << "#!/bin/sh\nset -e\n"
         "value=$(printf %s \"$4\" | openssl dgst -sha256 -binary | base64 | "
         "tr '+/' '-_' | tr -d '=')\n"
         "[ \"$value\" = \"$XCERT_ACME_TXT_VALUE\" ] || { echo value differs; exit 3; }\n"
         "echo \"$1 $2\" >> "
      << (tmp_.path() / "calls").string()
      << "\n"
         "if [ \"$1\" = add ]; then\n"
         "  curl -sf -d "
         "\"{\\\"host\\\":\\\"_acme-challenge.$2.\\\",\\\"value\\\":\\\"$value\\\"}\" "
      << mgmt
      << "/set-txt\nelse\n"
         "  curl -sf -d \"{\\\"host\\\":\\\"_acme-challenge.$2.\\\"}\" "
      << mgmt << "/clear-txt\nfi\n";
  fs::permissions(hook, fs::perms::owner_all);
  ExecHookSolver solver({hook.string()});
  const std::vector<std::string> names = {"hook.example.com", "*.hook.example.com"};
  const auto got =
      ObtainCertificate(*client_, solver, {.names = names, .csr_der = Csr(names, NewKey())});
  ASSERT_TRUE(got.ok()) << got.status().message();
  const std::string calls = xcert::testing::ReadFileOrDie(tmp_.path() / "calls");
  EXPECT_NE(calls.find("add hook.example.com"), std::string::npos) << calls;
  EXPECT_NE(calls.find("remove hook.example.com"), std::string::npos) << calls;
}

TEST(PebbleSleepsAndNonces, IssuesDespiteRejectedNoncesAndValidationSleeps) {
  if (!FindProgram("pebble") || !FindProgram("pebble-challtestsrv")) {
    GTEST_SKIP() << NotInstalled("pebble");
  }
  TempDir dir;
  ChallTestSrv dns(dir.path());
  ASSERT_TRUE(dns.ready()) << dns.Log();
  // Half of all valid nonces rejected; the VA sleeps up to 2 s before validating.
  Pebble pebble(dir.path(), {.dns_server = "127.0.0.1:" + std::to_string(dns.dns_port()),
                             .env = {{"PEBBLE_VA_NOSLEEP", "0"},
                                     {"PEBBLE_VA_SLEEPTIME", "2"},
                                     {"PEBBLE_WFE_NONCEREJECT", "50"}}});
  ASSERT_TRUE(pebble.ready()) << pebble.Log();
  ClientOptions options = PebbleClientOptions(pebble);
  options.max_bad_nonce_retries = 20;
  auto client = AcmeClient::Connect(options, NewKey());
  ASSERT_TRUE(client.ok()) << client.status().message();
  StandaloneSolver solver("127.0.0.1:" + std::to_string(pebble.http_port()));
  const std::vector<std::string> names = {"sleepy.example.com", "nonce.example.com"};
  const auto got =
      ObtainCertificate(**client, solver, {.names = names, .csr_der = Csr(names, NewKey())});
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_GT((*client)->bad_nonce_retries(), 0)
      << "pebble rejected no nonce: the retry went untested";
}

TEST(PebbleDns01, Rfc2136UpdateThroughBindWithTsig) {
  if (!FindProgram("pebble") || !FindProgram("named")) GTEST_SKIP() << NotInstalled("pebble/named");
  TempDir dir;
  const std::string secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=";
  Named named(dir.path(), "example.org", "acme-key", secret);
  ASSERT_TRUE(named.ready()) << named.Log();
  Pebble pebble(dir.path(), {.dns_server = named.address()});
  ASSERT_TRUE(pebble.ready()) << pebble.Log();
  auto client = AcmeClient::Connect(PebbleClientOptions(pebble), NewKey());
  ASSERT_TRUE(client.ok()) << client.status().message();
  Rfc2136Solver solver({.server = named.address(),
                        .zone = "example.org",
                        .tsig_key_name = "acme-key",
                        .tsig_secret = secret});
  const std::vector<std::string> names = {"dns.example.org", "*.example.org"};
  const auto got =
      ObtainCertificate(**client, solver, {.names = names, .csr_der = Csr(names, NewKey())});
  ASSERT_TRUE(got.ok()) << got.status().message() << named.Log();
  EXPECT_EQ(named.DigTxt("_acme-challenge.dns.example.org"), "") << "the TXT record was removed";
  EXPECT_EQ(named.DigTxt("_acme-challenge.example.org"), "");
  const std::string verified =
      OpensslVerify(dir.path(), got->chain_pem, PebbleRoot(pebble), "anything.example.org");
  EXPECT_NE(verified.find(": OK"), std::string::npos) << verified;
}

TEST(PebbleDns01, WrongTsigSecretNamesTheIdentifierAndLeavesNoRecord) {
  if (!FindProgram("pebble") || !FindProgram("named")) GTEST_SKIP() << NotInstalled("pebble/named");
  TempDir dir;
  Named named(dir.path(), "example.org", "acme-key",
              "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMzQ=");
  ASSERT_TRUE(named.ready()) << named.Log();
  Pebble pebble(dir.path(), {.dns_server = named.address()});
  ASSERT_TRUE(pebble.ready()) << pebble.Log();
  auto client = AcmeClient::Connect(PebbleClientOptions(pebble), NewKey());
  ASSERT_TRUE(client.ok()) << client.status().message();
  const std::string wrong = "d3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmctd3Jvbmc=";
  Rfc2136Solver solver({.server = named.address(),
                        .zone = "example.org",
                        .tsig_key_name = "acme-key",
                        .tsig_secret = wrong});
  const std::vector<std::string> names = {"bad.example.org"};
  const auto got = ObtainCertificate(
      **client, solver, {.label = "bad", .names = names, .csr_der = Csr(names, NewKey())});
  ASSERT_FALSE(got.ok());
  const std::string& m = got.status().message();
  EXPECT_NE(m.find("bad.example.org"), std::string::npos) << m;
  EXPECT_NE(m.find("acme-key"), std::string::npos) << m;
  EXPECT_EQ(m.find(wrong), std::string::npos) << "the secret must not be shown";
  EXPECT_EQ(named.DigTxt("_acme-challenge.bad.example.org"), "");
}

TEST(FakeAcmeObtain, OrderThatTurnsInvalidAtFinalizeIsAClearError) {
  FakeAcme server({.invalid_after_finalize = true});
  ClientOptions options;
  options.directory_url = server.directory();
  auto client = AcmeClient::Connect(options, NewKey());
  ASSERT_TRUE(client.ok()) << client.status().message();
  StandaloneSolver solver("127.0.0.1:0");
  const std::vector<std::string> names = {"refused.example.com"};
  const auto got = ObtainCertificate(
      **client, solver, {.label = "refused", .names = names, .csr_der = Csr(names, NewKey())});
  ASSERT_FALSE(got.ok());
  const std::string& m = got.status().message();
  EXPECT_NE(m.find("certificate 'refused' (refused.example.com)"), std::string::npos) << m;
  EXPECT_NE(m.find("is invalid"), std::string::npos) << m;
  EXPECT_NE(m.find("refused the request at issuance (badCSR)"), std::string::npos) << m;
}

TEST(FakeAcmeObtain, ReturnsTheRenewalWindowAndSendsReplacesAndProfile) {
  FakeAcme server({.ari = true, .profiles = {{"tlsserver", "90 days"}, {"shortlived", "6 days"}}});
  ClientOptions options;
  options.directory_url = server.directory();
  auto client = AcmeClient::Connect(options, NewKey());
  ASSERT_TRUE(client.ok()) << client.status().message();
  StandaloneSolver solver("127.0.0.1:0");
  const std::vector<std::string> names = {"ari.example.com"};
  const auto got = ObtainCertificate(**client, solver,
                                     {.names = names,
                                      .csr_der = Csr(names, NewKey()),
                                      .profile = "shortlived",
                                      .replaces = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"});
  ASSERT_TRUE(got.ok()) << got.status().message();
  const auto seen = server.seen();
  ASSERT_EQ(seen.new_orders.size(), 1u);
  EXPECT_EQ(seen.new_orders[0]["profile"], "shortlived");
  EXPECT_EQ(seen.new_orders[0]["replaces"], "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE");
  ASSERT_TRUE(got->renewal_info.has_value());
  EXPECT_EQ(FormatIso8601(got->renewal_info->window_start), "2030-01-01T00:00:00Z");
  ASSERT_EQ(seen.renewal_ids.size(), 1u);
  EXPECT_EQ(seen.renewal_ids[0], got->ari_id);
}

}  // namespace
}  // namespace xcert::acme
