// xcert show over stores made by xcert store init: the table, the JSON
// (validated against schemas/show.schema.json), damage reported with exit 1,
// the store of a manifest, and bad arguments.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // std::regex in valijson, GCC 12
#endif

#include <fstream>
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "tests/support/test_util.h"

namespace xcert::testing {
namespace {

using nlohmann::json;

class ShowE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RunResult r = RunXcert({"store", "init", "--store", "store", "--server", "MailServer21",
                            "--fqdn", "MailServer21.pocket-consultant.com", "--roles", "Mailbox"},
                           dir_.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    r = RunXcert({"store", "init", "--store", "store", "--server", "Edge01", "--fqdn",
                  "edge01.pocket-consultant.com", "--roles", "EdgeTransport"},
                 dir_.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::string DefaultThumbprint(const std::string& server) {
    const json b = json::parse(ReadFileOrDie(dir_.path() / "store" / server / "bindings.json"));
    return b["InternalTransport"];
  }

  static std::string Validate(const json& doc) {
    const json schema_json =
        json::parse(ReadFileOrDie(SourceDir() / "schemas" / "show.schema.json"));
    valijson::Schema schema;
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter schema_adapter(schema_json);
    parser.populateSchema(schema_adapter, schema);
    valijson::Validator validator;
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter doc_adapter(doc);
    if (validator.validate(schema, doc_adapter, &results)) return "";
    std::string out;
    valijson::ValidationResults::Error e;
    while (results.popError(e)) out += e.description + "\n";
    return out;
  }

  TempDir dir_;
};

TEST_F(ShowE2eTest, ATablePerServer) {
  RunResult r = RunXcert({"show", "--store", "store"}, dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const std::string edge = DefaultThumbprint("Edge01");
  EXPECT_EQ(
      r.out.rfind("Edge01 (edge01.pocket-consultant.com; EdgeTransport; Exchange 2019)\n"
                  "\n"
                  "Thumbprint                                Services  Subject\n"
                  "----------                                --------  -------\n" +
                      edge +
                      "  ....S..   CN=Edge01\n"
                      "\n"
                      "MailServer21 (MailServer21.pocket-consultant.com; Mailbox; Exchange 2019)\n",
                  0),
      0u)
      << r.out;
  EXPECT_NE(r.out.find(DefaultThumbprint("MailServer21") + "  IP.WS..   CN=MailServer21\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  .......   CN=Microsoft Exchange Server Auth Certificate\n"),
            std::string::npos);
  EXPECT_NE(r.out.find("  .......   CN=WMSvc-SHA2-MailServer21\n"), std::string::npos);
}

TEST_F(ShowE2eTest, JsonHasEveryFieldAndMatchesTheSchema) {
  RunResult r =
      RunXcert({"show", "--store", "store", "--server", "MailServer21", "--format", "json"},
               dir_.path(), {{"XCERT_NOW", "2027-01-01T00:00:00Z"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json doc = json::parse(r.out);
  EXPECT_EQ(Validate(doc), "");
  EXPECT_EQ(doc["at"], "2027-01-01T00:00:00Z");
  ASSERT_EQ(doc["servers"].size(), 1u);
  const json& s = doc["servers"][0];
  EXPECT_EQ(s["path"], "store/MailServer21");
  EXPECT_EQ(s["bindings"]["iis_back_end"], DefaultThumbprint("MailServer21"));
  ASSERT_EQ(s["certificates"].size(), 3u);
  for (const json& c : s["certificates"]) {
    EXPECT_EQ(c["status"], "Valid") << c["subject"];
    EXPECT_EQ(c["root_ca_type"], "None");
    EXPECT_EQ(c["key_file_mode"], "0600");
    EXPECT_EQ(c["has_private_key"], true);
    if (c["thumbprint"] == DefaultThumbprint("MailServer21")) {
      EXPECT_EQ(c["services_string"], "IMAP, POP, IIS, SMTP");
      EXPECT_EQ(c["services_value"], 27);
      EXPECT_EQ(c["private_key_exportable"], false);
      EXPECT_EQ(c["dns_names"],
                json::array({"MailServer21", "MailServer21.pocket-consultant.com"}));
      EXPECT_EQ(c["iis_services"],
                json::array({"IIS://MailServer21/W3SVC/1", "IIS://MailServer21/W3SVC/2"}));
    }
  }
}

TEST_F(ShowE2eTest, StatusFollowsTheClock) {
  RunResult r = RunXcert({"show", "--store", "store", "--server", "Edge01"}, dir_.path(),
                         {{"XCERT_NOW", "2040-01-01T00:00:00Z"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  ....S..   CN=Edge01  [Invalid]\n"), std::string::npos)
      << "an expired self-signed certificate shows Invalid, as in Exchange\n"
      << r.out;
}

TEST_F(ShowE2eTest, DamageIsShownAndFailsTheRunWhileTheRestIsListed) {
  const std::string t = DefaultThumbprint("MailServer21");
  const fs::path key = dir_.path() / "store" / "MailServer21" / "certificates" / t / "key.pem";
  fs::permissions(key, fs::perms(0644), fs::perm_options::replace);
  std::ofstream(dir_.path() / "store" / "Edge01" / "bindings.json", std::ios::trunc) << "{";
  RunResult r = RunXcert({"show", "--store", "store"}, dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  const std::string key_problem =
      "store/MailServer21/certificates/" + t +
      "/key.pem: the key file is readable by others (mode 0644); run chmod 600 "
      "store/MailServer21/certificates/" +
      t + "/key.pem";
  EXPECT_NE(r.out.find("  ! " + key_problem + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  ! store/Edge01/bindings.json: not valid JSON\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(t + "  IP.WS..   CN=MailServer21\n"), std::string::npos) << "still listed\n"
                                                                                << r.out;
  EXPECT_NE(r.err.find("error: MailServer21: " + key_problem + "\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("error: Edge01: store/Edge01/bindings.json: not valid JSON\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(
      r.err.find("\n2 problems (above); plan takes no destructive step on a server with problems "
                 "until they are fixed\n"),
      std::string::npos)
      << r.err;
}

TEST_F(ShowE2eTest, TheStoreOfAManifest) {
  std::ofstream(dir_.path() / "xcert.yaml")
      << ReadFileOrDie(SourceDir() / "examples" / "pocket-consultant" / "xcert.yaml");
  fs::create_directories(dir_.path() / "elsewhere");
  RunResult r = RunXcert({"show", "-f", "../xcert.yaml"}, dir_.path() / "elsewhere");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(
      r.out.rfind("MailServer21 (MailServer21.pocket-consultant.com; Mailbox; Exchange 2019)\n", 0),
      0u)
      << "only the manifest's servers, from the store next to the manifest\n"
      << r.out;
  EXPECT_EQ(r.out.find("Edge01"), std::string::npos);
  r = RunXcert({"show"}, dir_.path());
  EXPECT_EQ(r.exit_code, 0) << "xcert.yaml is the default\n" << r.err;
}

TEST_F(ShowE2eTest, BadArguments) {
  RunResult r = RunXcert({"show", "--store", "store", "--server", "MailServer12"}, dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: --server MailServer12: store has no such server; did you mean MailServer21? "
            "Servers there: Edge01, MailServer21\n");
  r = RunXcert({"show", "--store", "nowhere"}, dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "error: there is no local store at nowhere; create one with: xcert store init --store "
            "nowhere --server NAME --fqdn FQDN --roles Mailbox\n");
  r = RunXcert({"show", "--store", "store", "--format", "xml"}, dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  r = RunXcert({"show", "--store", "store", "-f", "xcert.yaml"}, dir_.path());
  EXPECT_EQ(r.exit_code, 1) << "--store and -f exclude each other";
}

}  // namespace
}  // namespace xcert::testing
