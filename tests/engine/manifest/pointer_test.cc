#include "engine/manifest/pointer.h"

#include <gtest/gtest.h>

namespace xcert::manifest {
namespace {

TEST(PointerTest, JoinEscapesTildeAndSlash) {
  EXPECT_EQ(JoinPointer("", "certificates"), "/certificates");
  EXPECT_EQ(JoinPointer("/certificates", 3), "/certificates/3");
  EXPECT_EQ(JoinPointer("/a", "b/c~d"), "/a/b~1c~0d");
  EXPECT_EQ(JoinPointer("/a", ""), "/a/");
}

TEST(PointerTest, SplitUnescapes) {
  EXPECT_EQ(SplitPointer(""), std::vector<std::string>{});
  EXPECT_EQ(SplitPointer("/a/b~1c~0d/0"), (std::vector<std::string>{"a", "b/c~d", "0"}));
  EXPECT_EQ(SplitPointer("/a/"), (std::vector<std::string>{"a", ""}));
  EXPECT_EQ(SplitPointer("/~2"), (std::vector<std::string>{"~2"}));
}

TEST(PointerTest, ParentAndLastToken) {
  EXPECT_EQ(ParentPointer("/a/b"), "/a");
  EXPECT_EQ(ParentPointer("/a"), "");
  EXPECT_EQ(ParentPointer(""), "");
  EXPECT_EQ(LastToken("/a/b~1c"), "b/c");
  EXPECT_EQ(LastToken(""), "");
}

TEST(PointerTest, AncestryIsByToken) {
  EXPECT_TRUE(IsSelfOrAncestor("/a/1", "/a/1"));
  EXPECT_TRUE(IsSelfOrAncestor("/a/1", "/a/1/x"));
  EXPECT_TRUE(IsSelfOrAncestor("", "/a"));
  EXPECT_FALSE(IsSelfOrAncestor("/a/1", "/a/10"));
  EXPECT_FALSE(IsSelfOrAncestor("/a/1/x", "/a/1"));
}

TEST(PointerTest, IndexTokens) {
  EXPECT_TRUE(IsIndexToken("0"));
  EXPECT_TRUE(IsIndexToken("42"));
  EXPECT_FALSE(IsIndexToken("01"));
  EXPECT_FALSE(IsIndexToken("-"));
  EXPECT_FALSE(IsIndexToken(""));
  EXPECT_FALSE(IsIndexToken("1a"));
  EXPECT_FALSE(IsIndexToken("9999999999"));
}

}  // namespace
}  // namespace xcert::manifest
