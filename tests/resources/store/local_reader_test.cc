// The reader over server folders written by hand, the way another program
// would write them from docs/store-format.md.
#include "resources/store/local_reader.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "resources/store/local_format.h"
#include "tests/resources/store/store_test_util.h"

namespace xcert::store::local {
namespace {

using store::testing::TempDir;

class LocalReaderTest : public ::testing::Test {
 protected:
  LocalReaderTest() : server_(dir_.path() / "S1") {
    dir_.Write(
        "S1/server.json",
        R"({"version":1,"name":"S1","fqdn":"s1.contoso.com","roles":["Mailbox"],"exchangeVersion":"2016"})");
    cert_ = store::testing::IssueWithKey("CN=s1.contoso.com", {"s1.contoso.com"});
    WriteCert(cert_, true);
    dir_.Write("S1/bindings.json", R"({"version":1,"IIS":")" + cert_.thumbprint + R"("})");
  }

  void WriteCert(const store::testing::Issued& c, bool with_key) {
    const std::string d = "S1/certificates/" + c.thumbprint + "/";
    dir_.Write(d + "cert.pem", x509::ToPem("CERTIFICATE", c.der));
    if (with_key) {
      const fs::path key = dir_.Write(d + "key.pem", c.key.ToPkcs8Pem());
      fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write,
                      fs::perm_options::replace);
    }
    dir_.Write(d + "chain.pem", x509::ToPem("CERTIFICATE", store::testing::Ca().der));
    dir_.Write(d + "meta.json", R"({"version":1,"friendlyName":"S1 mail","exportable":true})");
  }

  ServerView Read(bool chains = false) {
    Result<ServerView> v = ReadServer(server_, "S1", {chains});
    EXPECT_TRUE(v.ok()) << v.status().message();
    return v.ok() ? *v : ServerView{};
  }

  TempDir dir_;
  fs::path server_;
  store::testing::Issued cert_;
};

TEST_F(LocalReaderTest, ReadsAHandWrittenServer) {
  const ServerView v = Read(true);
  EXPECT_TRUE(v.state.problems.empty()) << ::testing::PrintToString(v.state.problems);
  EXPECT_EQ(v.state.identity.version, ExchangeVersion::k2016);
  ASSERT_EQ(v.state.certificates.size(), 1u);
  const CertificateInfo& c = v.state.certificates[0];
  EXPECT_EQ(c.thumbprint, cert_.thumbprint);
  EXPECT_EQ(c.friendly_name, "S1 mail");
  EXPECT_TRUE(c.exportable);
  EXPECT_TRUE(c.has_private_key);
  EXPECT_EQ(c.services.ToLetters(), "...W...");
  EXPECT_EQ(c.iis_services, std::vector<std::string>{"IIS://S1/W3SVC/1"});
  EXPECT_EQ(v.files[0].chain_der, std::vector<std::string>{store::testing::Ca().der});
  EXPECT_EQ(*v.files[0].key_mode, 0600u);
  EXPECT_TRUE(Read(false).files[0].chain_der.empty()) << "chains only when asked";
}

TEST_F(LocalReaderTest, ACertificateWithoutKeyFileHasNoPrivateKey) {
  fs::remove(server_ / "certificates" / cert_.thumbprint / "key.pem");
  const ServerView v = Read();
  EXPECT_TRUE(v.state.problems.empty());
  EXPECT_FALSE(v.state.certificates[0].has_private_key);
  EXPECT_FALSE(v.state.certificates[0].exportable);
  EXPECT_FALSE(v.files[0].key_mode.has_value());
}

TEST_F(LocalReaderTest, AMissingMetaJsonLeavesTheAttributesUnknown) {
  const fs::path meta = server_ / "certificates" / cert_.thumbprint / "meta.json";
  fs::remove(meta);
  const ServerView v = Read();
  EXPECT_EQ(v.state.problems, std::vector<std::string>{meta.string() + ": missing"});
  ASSERT_EQ(v.state.certificates.size(), 1u);
  EXPECT_FALSE(v.state.certificates[0].attributes_known);
  EXPECT_EQ(v.state.certificates[0].friendly_name, "");
}

TEST_F(LocalReaderTest, MissingServerAndBindingsFilesAreProblems) {
  fs::remove(server_ / "server.json");
  fs::remove(server_ / "bindings.json");
  const ServerView v = Read();
  EXPECT_EQ(v.state.problems,
            (std::vector<std::string>{(server_ / "server.json").string() + ": missing",
                                      (server_ / "bindings.json").string() + ": missing"}));
  EXPECT_EQ(v.state.certificates.size(), 1u);
}

TEST_F(LocalReaderTest, AServerFileNamingAnotherServerIsAProblem) {
  dir_.Write("S1/server.json",
             R"({"version":1,"name":"S2","roles":["Mailbox"],"exchangeVersion":"2019"})");
  const ServerView v = Read();
  ASSERT_EQ(v.state.problems.size(), 1u);
  EXPECT_EQ(v.state.problems[0], (server_ / "server.json").string() +
                                     ": names the server 'S2', not 'S1' (the folder name); correct "
                                     "the file or rename the folder");
}

TEST_F(LocalReaderTest, UnexpectedEntriesInTheServerFolderAreProblems) {
  dir_.Write("S1/notes.txt", "x");
  dir_.Write("S1/bindings.json.tmp.1.2", "{");  // a crashed WriteFileAtomic: ignored
  const ServerView v = Read();
  ASSERT_EQ(v.state.problems.size(), 1u);
  EXPECT_EQ(v.state.problems[0], (server_ / "notes.txt").string() +
                                     ": unexpected entry in a server folder; xcert does not know "
                                     "it: move it out of the store");
}

TEST_F(LocalReaderTest, ACertPemWithTwoCertificatesIsDamaged) {
  const fs::path cert = server_ / "certificates" / cert_.thumbprint / "cert.pem";
  dir_.Write(
      "S1/certificates/" + cert_.thumbprint + "/cert.pem",
      x509::ToPem("CERTIFICATE", cert_.der) + x509::ToPem("CERTIFICATE", store::testing::Ca().der));
  const ServerView v = Read();
  // One problem: the binding to the damaged folder is not reported again.
  ASSERT_EQ(v.state.problems.size(), 1u) << ::testing::PrintToString(v.state.problems);
  EXPECT_EQ(v.state.problems[0], cert.string() +
                                     ": expected exactly one CERTIFICATE PEM block, found 2 "
                                     "(CERTIFICATE, CERTIFICATE)");
  EXPECT_TRUE(v.state.certificates.empty());
}

TEST_F(LocalReaderTest, ARequestWithoutItsKeyIsAProblem) {
  CreateRequest r{"CN=r.contoso.com", {}, store::testing::Ec(), Seconds(0), "", true};
  Result<StoredRequest> req = MakeRequest(r, store::testing::Now());
  ASSERT_TRUE(req.ok());
  const std::string id = RequestId(req->csr_der);
  dir_.Write("S1/requests/" + id + "/request.csr",
             x509::ToPem("CERTIFICATE REQUEST", req->csr_der));
  dir_.Write("S1/requests/" + id + "/meta.json", R"({"version":1})");
  const ServerView v = Read();
  ASSERT_EQ(v.state.problems.size(), 1u);
  EXPECT_EQ(v.state.problems[0], (server_ / "requests" / id / "key.pem").string() +
                                     ": missing; a pending request without its key can never be "
                                     "completed: remove the request and create a new one");
  ASSERT_EQ(v.state.certificates.size(), 2u);
  EXPECT_NE(v.state.Find(id), nullptr);
}

TEST_F(LocalReaderTest, AMissingServerFolderIsNotFound) {
  Result<ServerView> v = ReadServer(dir_.path() / "S9", "S9", {});
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), Code::kNotFound);
}

TEST(KeyFileTest, ModesAndRefusal) {
  EXPECT_EQ(KeyModeProblem("/k.pem", 0600), "");
  EXPECT_EQ(KeyModeProblem("/k.pem", 0400), "");
  EXPECT_EQ(KeyModeProblem("/k.pem", 0640),
            "/k.pem: the key file is readable by others (mode 0640); run chmod 600 /k.pem");
  TempDir dir;
  const fs::path key = dir.Write("key.pem", store::testing::NewEcKey().ToPkcs8Pem());
  fs::permissions(key, fs::perms(0640), fs::perm_options::replace);
  Result<x509::PrivateKey> k = ReadKeyFile(key);
  ASSERT_FALSE(k.ok());
  EXPECT_EQ(k.status().code(), Code::kPermissionDenied);
  fs::permissions(key, fs::perms(0600), fs::perm_options::replace);
  EXPECT_TRUE(ReadKeyFile(key).ok());
  dir.Write("bad.pem", "not a key");
  fs::permissions(dir.path() / "bad.pem", fs::perms(0600), fs::perm_options::replace);
  EXPECT_EQ(ReadKeyFile(dir.path() / "bad.pem").status().code(), Code::kDataLoss);
}

TEST(ListDirTest, SortedWithKinds) {
  TempDir dir;
  dir.Write("b", "");
  fs::create_directories(dir.path() / "a");
  Result<std::vector<DirEntry>> e = ListDir(dir.path());
  ASSERT_TRUE(e.ok());
  ASSERT_EQ(e->size(), 2u);
  EXPECT_EQ((*e)[0].name, "a");
  EXPECT_TRUE((*e)[0].is_dir);
  EXPECT_FALSE((*e)[1].is_dir);
  EXPECT_EQ(ListDir(dir.path() / "none").status().code(), Code::kNotFound);
}

TEST_F(LocalReaderTest, LinksAnywhereInAServerAreDamageNamedByPathAndNeverRead) {
  const fs::path item = server_ / "certificates" / cert_.thumbprint;
  // cert.pem a link to a copy outside the store: the certificate is not read.
  fs::rename(item / "cert.pem", dir_.path() / "cert-copy.pem");
  fs::create_symlink(dir_.path() / "cert-copy.pem", item / "cert.pem");
  // bindings.json a link too, and an item folder that is a link.
  fs::rename(server_ / "bindings.json", dir_.path() / "bindings-copy.json");
  fs::create_symlink(dir_.path() / "bindings-copy.json", server_ / "bindings.json");
  const std::string other(40, 'A');
  fs::create_directory_symlink(item, server_ / "certificates" / other);
  const ServerView v = Read();
  EXPECT_TRUE(v.state.certificates.empty()) << "read through a link";
  const std::string why = ": a symbolic link, which xcert does not follow";
  auto has = [&](const fs::path& p) {
    for (const std::string& problem : v.state.problems) {
      if (problem.starts_with(p.string() + why)) return true;  // "<path>: <reason>"
    }
    return false;
  };
  EXPECT_TRUE(has(item / "cert.pem")) << ::testing::PrintToString(v.state.problems);
  EXPECT_TRUE(has(server_ / "bindings.json")) << ::testing::PrintToString(v.state.problems);
  EXPECT_TRUE(has(server_ / "certificates" / other)) << ::testing::PrintToString(v.state.problems);
}

TEST_F(LocalReaderTest, ListDirTellsLinksApartAndRefusesALinkedFolderUnlessTold) {
  fs::create_directory_symlink(server_, dir_.path() / "S1-link");
  Result<std::vector<DirEntry>> root = ListDir(dir_.path());
  ASSERT_TRUE(root.ok());
  ASSERT_EQ(root->size(), 2u);
  EXPECT_EQ((*root)[1].name, "S1-link");
  EXPECT_TRUE((*root)[1].is_link);
  EXPECT_FALSE((*root)[1].is_dir);
  EXPECT_EQ(ListDir(dir_.path() / "S1-link").status().code(), Code::kDataLoss);
  EXPECT_TRUE(ListDir(dir_.path() / "S1-link", Links::kFollow).ok()) << "a root the user named";
}

}  // namespace
}  // namespace xcert::store::local
