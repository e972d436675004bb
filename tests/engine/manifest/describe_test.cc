#include "engine/manifest/describe.h"

#include <gtest/gtest.h>

namespace xcert::manifest {
namespace {

using json = nlohmann::json;

const json kDoc = json::parse(R"({
  "version": 1,
  "store": {"type": "local", "transport": ["a"]},
  "certificates": [{"name": "mail", "dnsNames": ["a", "b"], "key": {"size": 1}},
                   {"name": 5}, {"name": ""}],
  "servers": [{"name": "EX1"}]
})");

TEST(DescribeTest, NamesValues) {
  EXPECT_EQ(DescribeValue(kDoc, ""), "the manifest");
  EXPECT_EQ(DescribeValue(kDoc, "/store"), "section 'store'");
  EXPECT_EQ(DescribeValue(kDoc, "/version"), "field 'version'");
  EXPECT_EQ(DescribeValue(kDoc, "/store/type"), "field 'store.type'");
  EXPECT_EQ(DescribeValue(kDoc, "/store/transport/0"), "entry #1 of 'store.transport'");
  EXPECT_EQ(DescribeValue(kDoc, "/certificates"), "section 'certificates'");
  EXPECT_EQ(DescribeValue(kDoc, "/certificates/0"), "certificate 'mail'");
  EXPECT_EQ(DescribeValue(kDoc, "/certificates/0/key/size"),
            "field 'key.size' in certificate 'mail'");
  EXPECT_EQ(DescribeValue(kDoc, "/certificates/0/dnsNames/1"),
            "entry #2 of 'dnsNames' in certificate 'mail'");
  EXPECT_EQ(DescribeValue(kDoc, "/servers/0/roles"), "field 'roles' in server 'EX1'");
}

TEST(DescribeTest, EntriesWithoutUsableNamesAreNumbered) {
  EXPECT_EQ(DescribeOwner(kDoc, "/certificates/1/subject"), "certificate #2");
  EXPECT_EQ(DescribeOwner(kDoc, "/certificates/2"), "certificate #3");
  EXPECT_EQ(DescribeOwner(kDoc, "/certificates/9"), "certificate #10");
  EXPECT_EQ(DescribeOwner(kDoc, "/store/type"), "");
  // An entry whose name is the problem is not called by that name.
  EXPECT_EQ(DescribeValue(kDoc, "/certificates/0/name"), "field 'name' in certificate #1");
  EXPECT_EQ(DescribeValue(json(), "/issuers/0/type"), "field 'type' in issuer #1");
}

TEST(DescribeTest, NamesContainers) {
  EXPECT_EQ(DescribeContainer(kDoc, ""), "the manifest");
  EXPECT_EQ(DescribeContainer(kDoc, "/store"), "'store'");
  EXPECT_EQ(DescribeContainer(kDoc, "/certificates/0"), "certificate 'mail'");
  EXPECT_EQ(DescribeContainer(kDoc, "/certificates/0/key"), "'key' of certificate 'mail'");
}

TEST(DescribeTest, QuotesValues) {
  EXPECT_EQ(QuoteValue(json("yes")), "'yes'");
  EXPECT_EQ(QuoteValue(json(2048)), "2048");
  EXPECT_EQ(QuoteValue(json(true)), "true");
  EXPECT_EQ(QuoteValue(json::array()), "a list");
  EXPECT_EQ(QuoteValue(json::object()), "a mapping");
  EXPECT_EQ(QuoteValue(json()), "nothing");
  EXPECT_EQ(QuoteValue(json(std::numeric_limits<double>::infinity())), ".inf");
}

}  // namespace
}  // namespace xcert::manifest
