#include "resources/store/local_format.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/resources/store/store_test_util.h"

namespace xcert::store::local {
namespace {

using store::testing::TempDir;

const std::string kA(40, 'A');
const std::string kB(40, 'B');

TEST(LocalFormatTest, ServerRoundTripsAndStartsWithItsVersion) {
  const ServerIdentity id{"MailServer21",
                          "MailServer21.contoso.com",
                          {Role::kMailbox, Role::kClientAccess},
                          ExchangeVersion::k2013};
  const std::string text = EncodeServer(id);
  EXPECT_EQ(text.rfind("{\n  \"version\": 1,", 0), 0u) << text;
  Result<ServerIdentity> back = DecodeServer(text);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->name, id.name);
  EXPECT_EQ(back->fqdn, id.fqdn);
  EXPECT_EQ(back->roles, id.roles);
  EXPECT_EQ(back->version, id.version);
}

TEST(LocalFormatTest, ServerErrorsSayWhatIsWrong) {
  EXPECT_EQ(DecodeServer("{").status().message(), "not valid JSON");
  EXPECT_EQ(DecodeServer("[]").status().message(), "expected a JSON object");
  EXPECT_EQ(DecodeServer("{}").status().message(), "no 'version' field");
  EXPECT_EQ(DecodeServer(R"({"version":1,"roles":[]})").status().message(), "no 'name' field");
  EXPECT_EQ(DecodeServer(R"({"version":1,"name":"S","roles":["Hub"],"exchangeVersion":"2019"})")
                .status()
                .message(),
            "'roles': unknown role \"Hub\" (known: Mailbox, ClientAccess, EdgeTransport)");
  EXPECT_EQ(DecodeServer(R"({"version":1,"name":"S","roles":[],"exchangeVersion":"2010"})")
                .status()
                .message(),
            "'exchangeVersion': unknown version '2010' (known: 2013, 2016, 2019, SE)");
  EXPECT_EQ(DecodeServer(R"({"version":"1"})").status().message(), "'version' must be an integer");
  EXPECT_EQ(DecodeServer(R"({"version":0})").status().message(), "'version' must be 1");
}

TEST(LocalFormatTest, BindingsRoundTripAndUnknownFieldsAreIgnored) {
  Bindings b;
  b.iis = kA;
  b.iis_back_end = kA;
  b.smtp = {kA, kB};
  b.internal_transport = kB;
  b.auth_current = kB;
  b.connector_refs = {kA};
  Result<Bindings> back = DecodeBindings(EncodeBindings(b));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, b);
  Result<Bindings> extra =
      DecodeBindings(R"({"version":1,"IIS":")" + kA + R"(","FutureField":true})");
  ASSERT_TRUE(extra.ok());
  EXPECT_EQ(extra->iis, kA);
}

TEST(LocalFormatTest, BindingsSmtpIsSortedAndUnique) {
  Result<Bindings> b =
      DecodeBindings(R"({"version":1,"SMTP":[")" + kB + R"(",")" + kA + R"(",")" + kB + R"("]})");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->smtp, (std::vector<std::string>{kA, kB}));
  EXPECT_EQ(DecodeBindings(R"({"version":1,"SMTP":["x"]})").status().message(),
            "'SMTP': \"x\" is not a thumbprint (40 upper-case hexadecimal characters)");
  EXPECT_EQ(DecodeBindings(R"({"version":1,"SMTP":"x"})").status().message(),
            "'SMTP' must be an array");
}

TEST(LocalFormatTest, MetaRoundTrips) {
  const ItemMeta m{"Mail", true, "import", TimePoint(std::chrono::seconds(1800000000))};
  Result<ItemMeta> back = DecodeMeta(EncodeMeta(m));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, m);
  EXPECT_EQ(DecodeMeta(R"({"version":1,"createdAt":"yesterday"})")
                .status()
                .message()
                .rfind("'createdAt': ", 0),
            0u);
  EXPECT_EQ(DecodeMeta(R"({"version":1,"friendlyName":3})").status().message(),
            "'friendlyName' must be a string");
}

TEST(LocalFormatTest, ServerNames) {
  EXPECT_EQ(WhyInvalidServerName("MailServer21"), "");
  EXPECT_EQ(WhyInvalidServerName("mail_01.x"), "");
  EXPECT_EQ(WhyInvalidServerName(""), "the server name is empty");
  EXPECT_EQ(WhyInvalidServerName(".hidden"), "the server name starts with '.'");
  EXPECT_EQ(WhyInvalidServerName("journal"), "'journal' is reserved in a local store");
  EXPECT_EQ(WhyInvalidServerName("a b"),
            "the server name contains ' '; use letters, digits, '-', '_' and '.'");
  EXPECT_EQ(WhyInvalidServerName(std::string(65, 'a')),
            "the server name is longer than 64 characters");
}

TEST(LocalFormatTest, CheckRoot) {
  TempDir dir;
  EXPECT_EQ(CheckRoot(dir.path() / "none").code(), Code::kNotFound);
  EXPECT_EQ(CheckRoot(dir.path()).code(), Code::kFailedPrecondition);
  dir.Write("xcert-store.json", EncodeRootMarker());
  EXPECT_TRUE(CheckRoot(dir.path()).ok());
  dir.Write("xcert-store.json", R"({"format":"other","version":1})");
  EXPECT_EQ(CheckRoot(dir.path()).message(),
            (dir.path() / "xcert-store.json").string() +
                ": 'format' is not \"xcert-local-store\"; this folder belongs to another program");
  dir.Write("xcert-store.json", R"({"format":"xcert-local-store","version":7})");
  EXPECT_EQ(CheckRoot(dir.path()).message(),
            (dir.path() / "xcert-store.json").string() +
                ": format version 7 is newer than this xcert reads (1); upgrade xcert");
}

TEST(LocalFormatTest, WorkEntries) {
  const std::string mine = WorkName(kTempPrefix);
  EXPECT_EQ(mine.rfind(".tmp-" + std::to_string(::getpid()) + "-", 0), 0u);
  EXPECT_TRUE(IsWork(mine));
  EXPECT_FALSE(IsStaleWork(mine)) << "this process's own work is not stale";
  EXPECT_TRUE(IsStaleWork(".trash-1-5"));
  EXPECT_TRUE(IsStaleWork("bindings.json.tmp.1.77"));
  EXPECT_FALSE(IsWork("bindings.json"));
  EXPECT_FALSE(IsWork(kA));
  EXPECT_NE(WorkName(kTempPrefix), WorkName(kTempPrefix));
}

TEST(LocalFormatTest, OnlyNamesXcertMakesAreWork) {
  // What the cleanup after a crash may delete: nothing a user named.
  for (const char* name : {"notes.tmp.txt", ".tmp-notes", ".trash-12", ".tmp-12-", ".tmp-12-3x",
                           "x.tmp.12", "x.tmp.12.3.bak", ".tmp.1.2", "x.tmp..3"}) {
    EXPECT_FALSE(IsWork(name)) << name;
    EXPECT_FALSE(IsStaleWork(name)) << name;
  }
  for (const char* name :
       {".tmp-12-3", ".trash-12-18079269746165781498", "x.tmp.12.3", "a.b.tmp.12.3"}) {
    EXPECT_TRUE(IsWork(name)) << name;
  }
}

TEST(LocalFormatTest, DeadWorkIsWorkOfAProcessThatIsGone) {
  const pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(dead, nullptr, 0), dead);
  const std::string gone = std::to_string(dead);
  EXPECT_TRUE(IsDeadWork(".trash-" + gone + "-7"));
  EXPECT_TRUE(IsDeadWork("A.pfx.tmp." + gone + ".77"));
  EXPECT_FALSE(IsDeadWork(WorkName(kTempPrefix))) << "this process runs";
  EXPECT_FALSE(IsDeadWork(".tmp-" + std::to_string(::getppid()) + "-1")) << "the parent runs";
  EXPECT_FALSE(IsDeadWork("notes.tmp.txt")) << "no pid: not known to be work";
  EXPECT_FALSE(IsDeadWork(".tmp-99999999999-1")) << "not a pid";
  EXPECT_FALSE(IsDeadWork("bindings.json"));
}

TEST(LocalFormatTest, ChainIsOnePemBlockPerCertificate) {
  const std::string chain = EncodeChain({"\x30\x03\x02\x01\x01", "\x30\x03\x02\x01\x02"});
  Result<std::vector<x509::PemBlock>> blocks = x509::ParsePem(chain);
  ASSERT_TRUE(blocks.ok());
  ASSERT_EQ(blocks->size(), 2u);
  EXPECT_EQ((*blocks)[1].der, "\x30\x03\x02\x01\x02");
  EXPECT_EQ(EncodeChain({}), "");
}

}  // namespace
}  // namespace xcert::store::local
