#include "engine/manifest/load.h"

#include <sys/stat.h>
#include <unistd.h>

#include <regex>

#include <gtest/gtest.h>

#include "tests/engine/manifest/manifest_test_util.h"
#include "tests/support/test_util.h"

namespace xcert::manifest::testing {
namespace {

namespace fs = std::filesystem;
using xcert::testing::SourceDir;
using xcert::testing::TempDir;

TEST(LoadTest, PocketConsultantExampleIsValid) {
  const std::string path = (SourceDir() / "examples/pocket-consultant/xcert.yaml").string();
  const LoadResult r = LoadManifestFile(path);
  ASSERT_TRUE(r.manifest.has_value()) << r.diagnostics.ToString();
  // Self-signed on client-facing services: expected, and said.
  EXPECT_EQ(r.diagnostics.error_count(), 0u);
  EXPECT_EQ(r.diagnostics.warning_count(), 1u);
  const Manifest& m = *r.manifest;
  EXPECT_EQ(m.organization, (Organization{"pocket-consultant.com", true}));
  ASSERT_EQ(m.servers.size(), 1u);
  EXPECT_EQ(m.servers[0].name, "MailServer21");
  EXPECT_EQ(m.servers[0].roles, std::vector<Role>{Role::kMailbox});
  ASSERT_EQ(m.certificates.size(), 1u);
  EXPECT_EQ(m.certificates[0].services.ToString(), "IMAP, POP, IIS, SMTP");
  EXPECT_EQ(m.certificates[0].key.ToString(), "RSA 2048");
  EXPECT_TRUE(m.certificates[0].key.exportable);
  EXPECT_EQ(m.backup.password.env, "XCERT_BACKUP_PASSWORD");
  EXPECT_EQ(m.path, path);
  EXPECT_EQ(m.base_dir, (SourceDir() / "examples/pocket-consultant").lexically_normal().string());
  EXPECT_EQ(m.Resolve(m.store.path), m.base_dir + "/store");
}

// The complete examples in docs/manifest.md are manifests too.
TEST(LoadTest, DocumentationExamplesAreValid) {
  const std::string doc = xcert::testing::ReadFileOrDie(SourceDir() / "docs/manifest.md");
  const std::regex block("```yaml\n(# complete example[^\n]*\n[\\s\\S]*?)```");
  int examples = 0;
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), block); it != std::sregex_iterator();
       ++it, ++examples) {
    const LoadResult r = Load((*it)[1].str());
    EXPECT_FALSE(r.diagnostics.has_errors()) << r.diagnostics.ToString() << (*it)[1].str();
  }
  EXPECT_GE(examples, 2);
}

TEST(LoadTest, SourceMapPointsAtEveryValue) {
  const LoadResult r = Load(kBase);
  ASSERT_TRUE(r.manifest.has_value());
  const Manifest& m = *r.manifest;
  EXPECT_EQ(m.source.file(), kFile);
  EXPECT_EQ(m.WhereCertificate("mail", "dnsNames").ToString(), "m.yaml:12:15");
  EXPECT_EQ(m.source.Find("/certificates/0/dnsNames/1").ToString(), "m.yaml:12:34");
  EXPECT_EQ(m.WhereServer("EX2", "version").ToString(), "m.yaml:8:67");
  EXPECT_EQ(m.WhereIssuer("corp-ca").ToString(), "m.yaml:5:5");
  EXPECT_EQ(m.base_dir, "/base");
}

TEST(LoadTest, ErrorsAndWarningsAreSortedByPosition) {
  std::string yaml = Replace(kBase, "issuer: corp-ca", "issuer: self");  // warning + error
  yaml = Replace(yaml, "type: local", "type: exchange");
  const LoadResult r = Load(yaml);
  ASSERT_GE(r.diagnostics.items().size(), 3u);
  for (size_t i = 1; i < r.diagnostics.items().size(); ++i) {
    EXPECT_LE(r.diagnostics.items()[i - 1].location, r.diagnostics.items()[i].location);
  }
}

TEST(LoadTest, MissingFileNamesThePath) {
  const LoadResult r = LoadManifestFile("/nonexistent/xcert.yaml");
  EXPECT_FALSE(r.manifest.has_value());
  EXPECT_EQ(r.diagnostics.ToString(),
            "/nonexistent/xcert.yaml: error: cannot read the manifest: no such file; check the "
            "path, or pass the manifest with -f FILE\n");
}

TEST(LoadTest, DirectoryIsNotAManifest) {
  TempDir dir;
  EXPECT_EQ(LoadManifestFile(dir.path().string()).diagnostics.ToString(),
            dir.path().string() +
                ": error: cannot read the manifest: it is a directory; pass the "
                "manifest file itself, e.g. -f " +
                (dir.path() / "xcert.yaml").string() + "\n");
}

TEST(LoadTest, UnreadableFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads every file";
  TempDir dir;
  const fs::path p = dir.Write("xcert.yaml", std::string(kBase));
  ::chmod(p.c_str(), 0);
  EXPECT_EQ(LoadManifestFile(p.string()).diagnostics.ToString(),
            p.string() +
                ": error: cannot read the manifest: Permission denied; check the file's "
                "permissions\n");
}

TEST(LoadTest, RelativePathsResolveAgainstTheManifestDirectory) {
  TempDir dir;
  const fs::path p = dir.Write("site/xcert.yaml", std::string(kBase));
  const LoadResult r = LoadManifestFile(p.string());
  ASSERT_TRUE(r.manifest.has_value()) << r.diagnostics.ToString();
  EXPECT_EQ(r.manifest->Resolve(r.manifest->issuers[1].certificate),
            (dir.path() / "site" / "ca.pem").string());
}

TEST(LoadTest, LoadingWritesNothing) {
  TempDir dir;
  dir.Write("xcert.yaml", Replace(kBase, "issuer: corp-ca", "issuer: nope"));
  LoadManifestFile((dir.path() / "xcert.yaml").string());
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

}  // namespace
}  // namespace xcert::manifest::testing
