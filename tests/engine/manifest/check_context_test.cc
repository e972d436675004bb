#include "engine/manifest/check_context.h"

#include <gtest/gtest.h>

#include "engine/manifest/build.h"
#include "engine/manifest/json_typing.h"

namespace xcert::manifest {
namespace {

TEST(CheckContextTest, IndexesNamesAndFindsListEntries) {
  YamlDocument doc = ParseYaml(
      "servers: [{name: A}, {name: B}, {name: A}]\nissuers: [{name: s}, {type: x}]\n"
      "certificates: [{services: [IIS, SMTP]}]\n",
      "t.yaml");
  Reporter r("t.yaml", doc.root);
  const nlohmann::json j = ToJson(*doc.root, r);
  const Manifest m = BuildManifest(j, r);
  const CheckContext c(m, j, r);
  EXPECT_EQ(c.FindServer("B"), &m.servers[1]);
  EXPECT_EQ(c.FindServer("A"), &m.servers[0]);  // the first of a repeated name
  EXPECT_EQ(c.FindServer("a"), nullptr);
  EXPECT_TRUE(c.all_server_names_known());
  EXPECT_FALSE(c.all_issuer_names_known());  // the second issuer has no name
  EXPECT_EQ(c.EntryPointer("/certificates/0/services", "SMTP"), "/certificates/0/services/1");
  EXPECT_EQ(c.EntryPointer("/certificates/0/services", "POP"), "/certificates/0/services");
  EXPECT_EQ(c.EntryPointer("/nope/0", "x"), "/nope/0");
  EXPECT_EQ(CheckContext::Certificate(2, "subject"), "/certificates/2/subject");
  EXPECT_EQ(CheckContext::Server(1), "/servers/1");
  EXPECT_EQ(CheckContext::Issuer(0, "name"), "/issuers/0/name");
  EXPECT_EQ(c.LineOf("/certificates/0"), 3);
}

TEST(CheckContextTest, KnownNamesAreCapped) {
  EXPECT_EQ(KnownNames({"a", "b"}), "'a', 'b'");
  EXPECT_EQ(KnownNames({}), "(none)");
  EXPECT_EQ(KnownNames({"a", "b", "c", "d"}, 2), "'a', 'b' and 2 more");
}

}  // namespace
}  // namespace xcert::manifest
