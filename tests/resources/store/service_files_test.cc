// The per-service files of the local store (services/<SERVICE>/), written
// through the store as apply writes them (Import, Enable, Remove), checked
// with the openssl command line: the thumbprint of cert.pem, the key that
// matches it, a fullchain that verifies, key mode 0600, and a switch that
// replaces the folder as a whole.
#include "resources/store/service_files.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "resources/store/local_store.h"
#include "tests/resources/store/store_test_util.h"

namespace xcert::store {
namespace {

using testing::IssueWithKey;
using testing::Mailbox;
using testing::Now;
using testing::PemBundle;
using testing::SetupSeed;
using testing::TempDir;

class ServiceFilesTest : public ::testing::Test {
 protected:
  ServiceFilesTest() : root_(dir_.path() / "store"), server_dir_(root_ / "MailServer21") {
    EXPECT_TRUE(LocalStore::EnsureRoot(root_).ok());
    EXPECT_TRUE(LocalStore::CreateServer(root_, SetupSeed(Mailbox())).ok());
    store_ = std::make_unique<LocalStore>(root_, "MailServer21");
  }

  std::string ImportAndEnable(const testing::Issued& c, ServiceSet services) {
    Result<CertificateInfo> imported = store_->Import({PemBundle(c), "", true, ""});
    EXPECT_TRUE(imported.ok()) << imported.status().message();
    Status enabled = store_->Enable(c.thumbprint, services, {});
    EXPECT_TRUE(enabled.ok()) << enabled.message();
    return c.thumbprint;
  }

  fs::path Service(const std::string& name) const { return server_dir_ / "services" / name; }

  std::string Fingerprint(const fs::path& pem) {
    auto r = testing::Run(
        {testing::kOpenssl, "x509", "-noout", "-fingerprint", "-sha1", "-in", pem.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::string hex;
    for (char c : r.out.substr(r.out.find('=') + 1)) {
      if (std::isxdigit(static_cast<unsigned char>(c))) hex += char(std::toupper(c));
    }
    return hex;
  }
  // The public key of a certificate or of a private key, as openssl prints it.
  std::string PublicKey(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {testing::kOpenssl};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = testing::Run(argv);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }
  static ino_t Inode(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_ino;
  }
  static unsigned Mode(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
  }
  // Entries of services/ other than the service folders: work left behind.
  std::vector<std::string> Leftovers() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(server_dir_ / "services")) {
      const std::string name = e.path().filename().string();
      if (name != "IIS" && name != "SMTP" && name != "IMAP" && name != "POP") out.push_back(name);
    }
    return out;
  }

  TempDir dir_;
  fs::path root_;
  fs::path server_dir_;
  std::unique_ptr<LocalStore> store_;
};

TEST_F(ServiceFilesTest, StoreInitAlreadyGivesTheSetupCertificateItsServices) {
  const ServerState state = *store_->List();
  ASSERT_FALSE(state.bindings.iis.empty());
  EXPECT_EQ(Fingerprint(Service("IIS") / "cert.pem"), state.bindings.iis);
  // Setup binds its certificate to IMAP and POP too (on roles that have them).
  for (const auto& [name, bound] :
       {std::pair<std::string, std::string>{"IMAP", state.bindings.imap},
        {"POP", state.bindings.pop}}) {
    if (bound.empty()) {
      EXPECT_FALSE(fs::exists(Service(name))) << name << " is bound to nothing";
    } else {
      EXPECT_EQ(Fingerprint(Service(name) / "cert.pem"), bound) << name;
    }
  }
  EXPECT_TRUE(state.complete()) << state.problems.front();
}

TEST_F(ServiceFilesTest, EnabledServicesGetTheCertificateItsKeyAndItsFullChain) {
  const std::string t = ImportAndEnable(
      IssueWithKey("CN=mail.contoso.test", {"mail.contoso.test"}),
      ServiceSet{::xcert::Service::kIis, ::xcert::Service::kImap, ::xcert::Service::kPop});
  for (const char* service : {"IIS", "IMAP", "POP"}) {
    SCOPED_TRACE(service);
    const fs::path d = Service(service);
    EXPECT_EQ(Fingerprint(d / "cert.pem"), t);
    EXPECT_EQ(Fingerprint(d / "fullchain.pem"), t) << "the leaf comes first";
    EXPECT_EQ(Mode(d / "key.pem"), 0600u);
    EXPECT_EQ(Mode(d / "cert.pem"), 0644u);
    EXPECT_EQ(PublicKey({"pkey", "-pubout", "-in", (d / "key.pem").string()}),
              PublicKey({"x509", "-noout", "-pubkey", "-in", (d / "cert.pem").string()}));
    // fullchain.pem: the leaf, then the CA that issued it (its chain).
    auto verify = testing::Run({testing::kOpenssl, "verify", "-CAfile",
                                (d / "fullchain.pem").string(), (d / "cert.pem").string()});
    EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  }
  EXPECT_TRUE(Leftovers().empty());
  const ServerState state = *store_->List();
  EXPECT_TRUE(state.complete()) << "the reader knows services/";
}

TEST_F(ServiceFilesTest, ASwitchReplacesTheFolderAndAnUnchangedServiceIsLeftAlone) {
  const std::string a =
      ImportAndEnable(IssueWithKey("CN=a.contoso.test", {"a.contoso.test"}),
                      ServiceSet{::xcert::Service::kIis, ::xcert::Service::kImap});
  const ino_t imap_before = Inode(Service("IMAP") / "cert.pem");
  const ino_t iis_before = Inode(Service("IIS") / "key.pem");
  const std::string b = ImportAndEnable(IssueWithKey("CN=b.contoso.test", {"b.contoso.test"}),
                                        ServiceSet{::xcert::Service::kIis});
  EXPECT_EQ(Fingerprint(Service("IIS") / "cert.pem"), b);
  EXPECT_NE(Inode(Service("IIS") / "key.pem"), iis_before);
  EXPECT_EQ(Fingerprint(Service("IMAP") / "cert.pem"), a);
  EXPECT_EQ(Inode(Service("IMAP") / "cert.pem"), imap_before) << "IMAP did not change";
  EXPECT_TRUE(Leftovers().empty()) << Leftovers().front();

  bool changed = true;
  ASSERT_TRUE(SyncServiceFiles(server_dir_, store_->List()->bindings, &changed).ok());
  EXPECT_FALSE(changed) << "in sync: nothing to switch";
}

// store init bound the self-signed setup certificate (valid five years) to
// SMTP as the internal transport certificate: it is not chosen over these.
TEST_F(ServiceFilesTest, SmtpHoldsTheBoundCertificateValidLongestButNotTheDefaultOne) {
  const std::string longer = ImportAndEnable(
      IssueWithKey("CN=s1.contoso.test", {"s1.contoso.test"}, Now() - std::chrono::hours(1),
                   Now() + std::chrono::hours(24 * 400)),
      ServiceSet{::xcert::Service::kSmtp});
  ImportAndEnable(IssueWithKey("CN=s2.contoso.test", {"s2.contoso.test"},
                               Now() - std::chrono::hours(1), Now() + std::chrono::hours(24 * 90)),
                  ServiceSet{::xcert::Service::kSmtp});
  EXPECT_EQ(Fingerprint(Service("SMTP") / "cert.pem"), longer);
}

TEST_F(ServiceFilesTest, AServiceNoLongerBoundLosesItsFolder) {
  const std::string a = ImportAndEnable(IssueWithKey("CN=a.contoso.test", {"a.contoso.test"}),
                                        ServiceSet{::xcert::Service::kPop});
  ASSERT_TRUE(fs::exists(Service("POP")));
  Bindings b = store_->List()->bindings;
  b.pop.clear();
  bool changed = false;
  ASSERT_TRUE(SyncServiceFiles(server_dir_, b, &changed).ok());
  EXPECT_TRUE(changed);
  EXPECT_FALSE(fs::exists(Service("POP")));
  EXPECT_TRUE(Leftovers().empty());
  (void)a;
}

TEST_F(ServiceFilesTest, FoldersBehindTheBindingsCatchUpOnTheNextWrite) {
  // A writer killed after bindings.json, before the switch: services/ is old.
  const std::string a = ImportAndEnable(IssueWithKey("CN=a.contoso.test", {"a.contoso.test"}),
                                        ServiceSet{::xcert::Service::kImap});
  fs::remove_all(Service("IMAP"));
  LocalStore next(root_, "MailServer21");
  ASSERT_TRUE(next.PrepareWrite().ok());
  EXPECT_EQ(Fingerprint(Service("IMAP") / "cert.pem"), a);
}

}  // namespace
}  // namespace xcert::store
