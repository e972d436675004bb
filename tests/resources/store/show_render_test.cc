// std::regex (used by valijson) trips a false -Wmaybe-uninitialized in
// libstdc++ with GCC 12 at -O1 and above (see engine/manifest/schema_check.cc).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "resources/store/show_render.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "resources/store/local_store.h"
#include "tests/resources/store/store_test_util.h"

namespace xcert::store {
namespace {

using nlohmann::json;

const std::string kA(40, 'A');
const std::string kB(40, 'B');

ShowReport HandMade() {
  ShowReport r;
  r.store = "./store";
  r.at = TimePoint(std::chrono::seconds(1800000000));
  ShowServer m;
  m.name = "MailServer21";
  m.state.identity = {
      "MailServer21", "MailServer21.contoso.com", {Role::kMailbox}, ExchangeVersion::k2019};
  CertificateInfo a;
  a.thumbprint = kA;
  a.sha256 = std::string(64, 'A');
  a.subject = "CN=MailServer21";
  a.services = ServiceSet{Service::kImap, Service::kPop, Service::kIis, Service::kSmtp};
  CertificateInfo b;
  b.thumbprint = kB;
  b.sha256 = std::string(64, 'B');
  b.subject = "CN=owa.contoso.com";
  b.pending_request = true;
  m.state.certificates = {a, b};
  m.status = {{CertStatus::kValid, ""}, {CertStatus::kPendingRequest, ""}};
  m.state.problems = {"/store/MailServer21/x: damaged"};
  ShowServer e;
  e.name = "Edge01";
  e.error = "the store has no server Edge01";
  r.servers = {m, e};
  return r;
}

TEST(RenderShowTextTest, ATablePerServerLikeGetExchangeCertificate) {
  EXPECT_EQ(
      RenderShowText(HandMade()),
      "MailServer21 (MailServer21.contoso.com; Mailbox; Exchange 2019)\n"
      "\n"
      "Thumbprint                                Services  Subject\n"
      "----------                                --------  -------\n"
      "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA  IP.WS..   CN=MailServer21\n"
      "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB  .......   CN=owa.contoso.com  [PendingRequest]\n"
      "  ! /store/MailServer21/x: damaged\n"
      "\n"
      "Edge01\n"
      "  ! the store has no server Edge01\n");
}

TEST(RenderShowTextTest, AnEmptyStoreSaysHowToAddAServer) {
  ShowReport r;
  r.store = "./store";
  EXPECT_EQ(RenderShowText(r), "./store holds no servers yet; add one with xcert store init\n");
}

class ShowJsonTest : public ::testing::Test {
 protected:
  static json Schema() {
    return json::parse(xcert::testing::ReadFileOrDie(xcert::testing::SourceDir() / "schemas" /
                                                     "show.schema.json"));
  }
  static std::string Validate(const json& doc) {
    valijson::Schema schema;
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    const json s = Schema();
    valijson::adapters::NlohmannJsonAdapter schema_adapter(s);
    parser.populateSchema(schema_adapter, schema);
    valijson::Validator validator;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter doc_adapter(doc);
    if (validator.validate(schema, doc_adapter, &results)) return "";
    std::string out;
    valijson::ValidationResults::Error e;
    while (results.popError(e)) {
      for (const std::string& c : e.context) out += c;
      out += ": " + e.description + "\n";
    }
    return out;
  }
};

TEST_F(ShowJsonTest, ARealStoreValidatesAgainstTheSchema) {
  testing::TempDir dir;
  const fs::path root = dir.path() / "store";
  ASSERT_TRUE(LocalStore::EnsureRoot(root).ok());
  ASSERT_TRUE(LocalStore::CreateServer(root, testing::SetupSeed(testing::Mailbox())).ok());
  LocalStore store(root, "MailServer21");
  const testing::Issued c = testing::IssueWithKey();
  ASSERT_TRUE(store.Import({testing::PemBundle(c), "", true, "Mail"}).ok());
  ASSERT_TRUE(store.Enable(c.thumbprint, ServiceSet{Service::kIis}, {}).ok());
  ASSERT_TRUE(
      store.Create({"CN=owa.pocket-consultant.com", {}, testing::Ec(), Seconds(0), "", true}).ok());
  Result<ShowReport> report = CollectLocalShow(root, "store", {{}, true, testing::Now(), 1});
  ASSERT_TRUE(report.ok()) << report.status().message();
  const json doc = json::parse(RenderShowJson(*report));
  EXPECT_EQ(Validate(doc), "");

  EXPECT_EQ(doc["format_version"], 1);
  EXPECT_EQ(doc["store"], "store");
  const json& server = doc["servers"][0];
  EXPECT_EQ(server["name"], "MailServer21");
  EXPECT_EQ(server["exchange_version"], "2019");
  EXPECT_EQ(server["complete"], true);
  EXPECT_EQ(server["bindings"]["iis"], c.thumbprint);
  ASSERT_EQ(server["certificates"].size(), 5u);
  for (const json& cert : server["certificates"]) {
    if (cert["thumbprint"] == c.thumbprint) {
      EXPECT_EQ(cert["services_letters"], "...W...");
      EXPECT_EQ(cert["services"], json::array({"IIS"}));
      EXPECT_EQ(cert["services_value"], 8);
      EXPECT_EQ(cert["status"], "Valid");
      EXPECT_EQ(cert["chain_length"], 1);
      EXPECT_EQ(cert["key_file_mode"], "0600");
      EXPECT_EQ(cert["friendly_name"], "Mail");
      EXPECT_EQ(cert["private_key_exportable"], true);
      EXPECT_EQ(cert["path"], (root / "MailServer21" / "certificates" / c.thumbprint).string());
      EXPECT_EQ(cert["raw_data"], x509::Base64Encode(c.der));
      EXPECT_EQ(cert["iis_services"], json::array({"IIS://MailServer21/W3SVC/1"}));
    }
    if (cert["pending_request"] == true) {
      EXPECT_EQ(cert["status"], "PendingRequest");
      EXPECT_EQ(cert["not_after"], "");
      EXPECT_EQ(cert["raw_data"], "");
      EXPECT_EQ(cert["certificate_request"].get<std::string>().rfind(
                    "-----BEGIN CERTIFICATE REQUEST-----", 0),
                0u);
    }
  }
}

TEST_F(ShowJsonTest, ErrorsAndProblemsValidateToo) {
  const json doc = json::parse(RenderShowJson(HandMade()));
  EXPECT_EQ(Validate(doc), "");
  EXPECT_EQ(doc["servers"][1]["error"], "the store has no server Edge01");
  EXPECT_EQ(doc["servers"][1]["complete"], false);
  EXPECT_EQ(doc["servers"][1]["path"], nullptr);
  EXPECT_EQ(doc["servers"][0]["problems"], json::array({"/store/MailServer21/x: damaged"}));
}

TEST_F(ShowJsonTest, TheSchemaRefusesWhatTheOutputNeverHas) {
  json doc = json::parse(RenderShowJson(HandMade()));
  doc["servers"][0]["certificates"][0]["services_letters"] = "XX";
  EXPECT_NE(Validate(doc), "");
  doc = json::parse(RenderShowJson(HandMade()));
  doc["unexpected"] = 1;
  EXPECT_NE(Validate(doc), "");
}

}  // namespace
}  // namespace xcert::store
