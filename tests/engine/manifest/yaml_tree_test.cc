#include "engine/manifest/yaml_tree.h"

#include <gtest/gtest.h>

namespace xcert::manifest {
namespace {

YamlNodePtr Root(std::string_view text) {
  YamlDocument doc = ParseYaml(text, "t.yaml");
  EXPECT_FALSE(doc.diagnostics.has_errors()) << doc.diagnostics.ToString();
  return doc.root;
}

std::string Errors(std::string_view text, const YamlLimits& limits = {}) {
  return ParseYaml(text, "t.yaml", limits).diagnostics.ToString();
}

const YamlNode& At(const YamlNodePtr& root, std::string_view pointer) {
  const YamlNode* node = LookUp(*root, pointer).value;
  EXPECT_NE(node, nullptr) << pointer;
  static const YamlNode kMissing;
  return node ? *node : kMissing;
}

TEST(YamlTreeTest, KeepsOneBasedPositionsOfEveryNode) {
  const YamlNodePtr root = Root("a: 1\nlist:\n  - x\n  - {k: v}\n");
  EXPECT_EQ(root->pos, (SourcePos{1, 1}));
  EXPECT_EQ(At(root, "/a").pos, (SourcePos{1, 4}));
  EXPECT_EQ(At(root, "/list/0").pos, (SourcePos{3, 5}));
  EXPECT_EQ(At(root, "/list/1/k").pos, (SourcePos{4, 9}));
  EXPECT_EQ(LookUp(*root, "/list/1/k").key->pos, (SourcePos{4, 6}));
  EXPECT_EQ(LookUp(*root, "/list/5").value, nullptr);
  EXPECT_EQ(LookUp(*root, "/nope").value, nullptr);
}

TEST(YamlTreeTest, EmptyValueIsNullAtItsKey) {
  const YamlNodePtr root = Root("a:\nb: ~\n");
  EXPECT_EQ(At(root, "/a").kind, YamlKind::kNull);
  EXPECT_EQ(At(root, "/a").pos, (SourcePos{1, 1}));
  EXPECT_EQ(At(root, "/b").kind, YamlKind::kNull);
  EXPECT_EQ(At(root, "/b").pos, (SourcePos{2, 4}));
}

TEST(YamlTreeTest, DistinguishesPlainQuotedAndTagged) {
  const YamlNodePtr root = Root("p: yes\nq: \"yes\"\ns: 'x'\nb: |\n  text\nt: !!int 5\nn: ! 5\n");
  EXPECT_TRUE(At(root, "/p").plain);
  EXPECT_FALSE(At(root, "/q").plain);
  EXPECT_FALSE(At(root, "/s").plain);
  EXPECT_FALSE(At(root, "/b").plain);
  EXPECT_EQ(At(root, "/b").text, "text\n");
  EXPECT_EQ(At(root, "/t").tag, "tag:yaml.org,2002:int");
  EXPECT_FALSE(At(root, "/n").plain);
  EXPECT_EQ(At(root, "/n").tag, "");
}

TEST(YamlTreeTest, DuplicateKeysAreErrorsAndTheFirstIsKept) {
  YamlDocument doc = ParseYaml("a: 1\nb: 2\na: 3\n", "t.yaml");
  EXPECT_EQ(doc.diagnostics.ToString(),
            "t.yaml:3:1: error: duplicate key 'a' (first at line 1); YAML keeps only one of them; "
            "remove or rename one\n");
  ASSERT_NE(doc.root, nullptr);
  EXPECT_EQ(doc.root->members.size(), 2u);
  EXPECT_EQ(At(doc.root, "/a").text, "1");
}

TEST(YamlTreeTest, DuplicateKeysAreFoundInFlowMappingsAndAfterQuoting) {
  EXPECT_EQ(Errors("x: {k: 1, \"k\": 2}\n"),
            "t.yaml:1:11: error: duplicate key 'k' (first at line 1); YAML keeps only one of "
            "them; remove or rename one\n");
}

TEST(YamlTreeTest, AliasesExpandAndScalarsKeepTheAliasPosition) {
  const YamlNodePtr root = Root("a: &v hello\nb: *v\nl: &l [1, 2]\nm: *l\n");
  EXPECT_EQ(At(root, "/b").text, "hello");
  EXPECT_EQ(At(root, "/b").pos, (SourcePos{2, 4}));
  EXPECT_EQ(At(root, "/m/1").text, "2");
  EXPECT_EQ(&At(root, "/m"), &At(root, "/l"));  // collections are shared, not copied
}

TEST(YamlTreeTest, MergeKeysExplicitWinsThenEarlierSources) {
  const YamlNodePtr root = Root(
      "d1: &d1 {a: 1, b: 1}\n"
      "d2: &d2 {b: 2, c: 2}\n"
      "x:\n"
      "  <<: [*d1, *d2]\n"
      "  a: explicit\n");
  EXPECT_EQ(At(root, "/x/a").text, "explicit");
  EXPECT_EQ(At(root, "/x/b").text, "1");
  EXPECT_EQ(At(root, "/x/c").text, "2");
  EXPECT_EQ(At(root, "/x").members.size(), 3u);
  EXPECT_EQ(At(root, "/x").FindMember("<<"), nullptr);
}

TEST(YamlTreeTest, QuotedLessThanLessThanIsAnOrdinaryKey) {
  const YamlNodePtr root = Root("\"<<\": 1\n");
  EXPECT_EQ(At(root, "/<<").text, "1");
}

TEST(YamlTreeTest, RefusesRecursiveAliases) {
  EXPECT_EQ(Errors("a: &x [1, *x]\n"),
            "t.yaml:1:11: error: alias '*x' is used inside the node it names; recursive "
            "structures are not supported; refer to the anchor after it ends\n");
}

TEST(YamlTreeTest, AliasBudgetStopsBillionLaughs) {
  YamlLimits limits;
  limits.max_nodes = 50;
  EXPECT_EQ(Errors("a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*a, *a, *a, *a, *a, *a]\n", limits),
            "t.yaml:2:17: error: alias '*a' expands the manifest beyond 50 values; anchors and "
            "aliases nested this deep (a \"billion laughs\" document) are refused; write the "
            "values out or use fewer levels of aliases\n");
  EXPECT_EQ(ParseYaml("a: &a [1, 2]\nb: [*a, *a]\n", "t.yaml", limits).diagnostics.ToString(), "");
}

TEST(YamlTreeTest, LimitsDepthAndValueSize) {
  YamlLimits limits;
  limits.max_depth = 3;
  limits.max_scalar_bytes = 5;
  EXPECT_EQ(Errors("a: [[[[1]]]]\n", limits),
            "t.yaml:1:6: error: lists and mappings are nested more than 3 levels deep; a manifest "
            "needs only a few levels; check the indentation\n");
  YamlDocument doc = ParseYaml("a: 123456\nb: 1234567\n", "t.yaml", limits);
  EXPECT_EQ(doc.root, nullptr);
  EXPECT_EQ(doc.diagnostics.error_count(), 2u);
  EXPECT_EQ(doc.diagnostics.items()[0].message,
            "this value is 6 bytes long; the longest value xcert accepts is 5 bytes");
}

TEST(YamlTreeTest, YamlCppDepthGuardIsAnError) {
  YamlLimits limits;
  limits.max_depth = 10000;  // let yaml-cpp's own guard trigger first
  EXPECT_EQ(Errors(std::string(3000, '['), limits),
            "t.yaml:1:1: error: lists and mappings are nested too deeply; a manifest needs "
            "only a few levels; check the brackets\n");
}

TEST(YamlTreeTest, OneDocumentOnly) {
  YamlDocument doc = ParseYaml("a: 1\n---\nb: 2\n", "t.yaml");
  EXPECT_EQ(doc.diagnostics.items().size(), 1u);
  EXPECT_EQ(doc.diagnostics.items()[0].location.line, 2);
  ASSERT_NE(doc.root, nullptr);  // the first document is still checked
  EXPECT_NE(doc.root->FindMember("a"), nullptr);
  EXPECT_EQ(Errors("---\na: 1\n...\n"), "");
}

TEST(YamlTreeTest, EmptyDocuments) {
  for (const char* text : {"", "\n\n", "# comment\n", "---\n", "~\n"}) {
    EXPECT_EQ(Errors(text),
              "t.yaml: error: the manifest is empty; start with 'version: 1' (see "
              "docs/manifest.md)\n")
        << text;
  }
}

TEST(YamlTreeTest, TextMustBeUtf8WithoutControlCharacters) {
  EXPECT_EQ(Errors("a: b\nc: \xC3\x28\n"),
            "t.yaml:2:4: error: the file is not valid UTF-8 (byte 0xC3); save it as UTF-8\n");
  EXPECT_EQ(Errors("a: \xC3\xA4\x01"),
            "t.yaml:1:5: error: control character U+0001 in the file; remove it; a manifest is "
            "plain text\n");
  EXPECT_EQ(Errors(std::string("a: 1\0", 5)),
            "t.yaml:1:5: error: control character U+0000 in the file; remove it; a manifest is "
            "plain text\n");
  EXPECT_EQ(Errors("\xEF\xBB\xBF"
                   "a: 1\r\n"),
            "");                          // BOM and CRLF are fine
  EXPECT_EQ(Errors("a: \xED\xA0\x80\n"),  // a UTF-16 surrogate
            "t.yaml:1:4: error: the file is not valid UTF-8 (byte 0xED); save it as UTF-8\n");
}

TEST(YamlTreeTest, TabsInIndentationAreNamed) {
  EXPECT_EQ(Errors("a:\n  - x\n\t- y\n"),
            "t.yaml:3:1: error: tab character in indentation; YAML forbids tabs for indentation; "
            "indent with spaces\n");
  EXPECT_EQ(Errors("a:\n  b: 1\n  \tc: 2\n"),
            "t.yaml:3:3: error: tab character in indentation; YAML forbids tabs for indentation; "
            "indent with spaces\n");
  EXPECT_EQ(Errors("a:\t1\n"), "");  // a tab after the colon is not indentation
}

TEST(YamlTreeTest, SyntaxErrorsGetAHint) {
  EXPECT_EQ(Errors("a: [1, 2\n"),
            "t.yaml:2:1: error: invalid YAML: end of sequence flow not found; a '[' is not "
            "closed; add the missing ']'\n");
  EXPECT_EQ(Errors("a: b: c\n"),
            "t.yaml:1:5: error: invalid YAML: illegal map value; a ':' appears where no key can "
            "start; put values that contain ': ' in quotes, or check the indentation\n");
  EXPECT_EQ(Errors("a: *nope\n"),
            "t.yaml:1:4: error: invalid YAML: the referenced anchor is not defined; define the "
            "anchor ('&name') before the alias ('*name')\n");
}

TEST(YamlTreeTest, PlaceholdersInFlowListsNeedQuotes) {
  EXPECT_EQ(Errors("names: [mail.{domain},\n  x]\n"),
            "t.yaml:1:14: error: invalid YAML: end of sequence flow not found; put values with "
            "placeholders in quotes inside [...] lists, e.g. [\"mail.{domain}\"]\n");
}

TEST(YamlTreeTest, KeysMustBeNames) {
  EXPECT_EQ(Errors("? [a, b]\n: 1\nc: 2\n"),
            "t.yaml:1:3: error: a key must be a name, not a list; write keys as plain names such "
            "as 'name:'\n");
}

TEST(YamlTreeTest, MergeSourceMustBeAMapping) {
  EXPECT_EQ(Errors("a:\n  <<: [1]\n"),
            "t.yaml:2:7: error: the merge key '<<' needs a mapping or a list of mappings; write "
            "e.g. '<<: *defaults' where '&defaults' names a mapping\n");
}

TEST(YamlTreeTest, KindNames) {
  EXPECT_EQ(KindName(YamlKind::kSequence), "a list");
  EXPECT_EQ(KindName(YamlKind::kMap), "a mapping");
}

}  // namespace
}  // namespace xcert::manifest
