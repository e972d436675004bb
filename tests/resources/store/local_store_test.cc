// The local store beyond the contract suite: its files (openssl reads them,
// SHA-1 equals the folder name, keys 0600), damaged and foreign files
// reported with their path while the rest is read, refusals of readable key
// files, atomic publication, and the store root.
#include "resources/store/local_store.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "resources/store/local_format.h"
#include "tests/resources/store/store_test_util.h"

namespace xcert::store {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using testing::Ca;
using testing::Ec;
using testing::IssueWithKey;
using testing::Mailbox;
using testing::PemBundle;
using testing::SeedThumbprint;
using testing::SetupSeed;
using testing::TempDir;

class LocalStoreTest : public ::testing::Test {
 protected:
  LocalStoreTest() : root_(dir_.path() / "store") {
    EXPECT_TRUE(LocalStore::EnsureRoot(root_).ok());
    EXPECT_TRUE(LocalStore::CreateServer(root_, SetupSeed(Mailbox())).ok());
    store_ = std::make_unique<LocalStore>(root_, "MailServer21");
  }

  fs::path CertDir(const std::string& t) const {
    return root_ / "MailServer21" / "certificates" / t;
  }
  std::string Default() const { return SeedThumbprint(SetupSeed(Mailbox()), kDefaultFriendlyName); }
  std::string Auth() const { return SeedThumbprint(SetupSeed(Mailbox()), kAuthFriendlyName); }
  std::string Wmsvc() const { return SeedThumbprint(SetupSeed(Mailbox()), kWmsvcFriendlyName); }

  ServerState List() {
    Result<ServerState> s = store_->List();
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? *s : ServerState{};
  }

  std::string OpensslFingerprint(const fs::path& pem) {
    auto r = testing::Run(
        {testing::kOpenssl, "x509", "-noout", "-fingerprint", "-sha1", "-in", pem.string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    // "SHA1 Fingerprint=AB:CD:..." -> "ABCD..."
    std::string hex;
    for (char c : r.out.substr(r.out.find('=') + 1)) {
      if (std::isxdigit(static_cast<unsigned char>(c))) hex += char(std::toupper(c));
    }
    return hex;
  }

  static unsigned Mode(const fs::path& p) {
    struct stat st;
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
  }

  TempDir dir_;
  fs::path root_;
  std::unique_ptr<LocalStore> store_;
};

TEST_F(LocalStoreTest, WrittenFilesVerifyWithOpensslAndMatchTheirFolder) {
  Result<CreateResult> created = store_->Create({"CN=mail.pocket-consultant.com",
                                                 {"mail.pocket-consultant.com"},
                                                 Ec(true),
                                                 Seconds(86400),
                                                 "Mail",
                                                 false});
  ASSERT_TRUE(created.ok()) << created.status().message();
  const testing::Issued imported = IssueWithKey();
  ASSERT_TRUE(store_->Import({PemBundle(imported), "", false, ""}).ok());
  for (const std::string& t :
       {created->certificate.thumbprint, imported.thumbprint, Default(), Auth()}) {
    const fs::path dir = CertDir(t);
    EXPECT_EQ(OpensslFingerprint(dir / "cert.pem"), t);
    EXPECT_EQ(Mode(dir / "key.pem"), 0600u) << dir;
    EXPECT_EQ(Mode(dir / "cert.pem"), 0644u) << dir;
    auto key =
        testing::Run({testing::kOpenssl, "pkey", "-noout", "-in", (dir / "key.pem").string()});
    EXPECT_EQ(key.exit_code, 0) << key.err;
  }
  // The imported chain verifies with openssl: chain.pem holds the CA.
  const fs::path d = CertDir(imported.thumbprint);
  auto verify = testing::Run({testing::kOpenssl, "verify", "-CAfile", (d / "chain.pem").string(),
                              (d / "cert.pem").string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_FALSE(fs::exists(CertDir(created->certificate.thumbprint) / "chain.pem"));
}

TEST_F(LocalStoreTest, MetaJsonRecordsTheAttributes) {
  const std::string meta = xcert::testing::ReadFileOrDie(CertDir(Auth()) / "meta.json");
  Result<ItemMeta> m = local::DecodeMeta(meta);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->friendly_name, "Microsoft Exchange Server Auth Certificate");
  EXPECT_TRUE(m->exportable);
  EXPECT_EQ(m->created_by, "store-init");
}

TEST_F(LocalStoreTest, DamagedFilesAreProblemsNamingThePathAndTheRestIsRead) {
  const fs::path auth_cert = CertDir(Auth()) / "cert.pem";
  std::ofstream(auth_cert, std::ios::trunc)
      << "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n";
  const fs::path wmsvc_meta = CertDir(Wmsvc()) / "meta.json";
  std::ofstream(wmsvc_meta, std::ios::trunc) << "{\"version\": 1, \"exportable\": \"yes\"}";
  ServerState state = List();
  ASSERT_EQ(state.problems.size(), 2u) << ::testing::PrintToString(state.problems);
  std::partition(state.problems.begin(), state.problems.end(),
                 [&](const std::string& p) { return p.starts_with(auth_cert.string()); });
  EXPECT_EQ(state.problems[0],
            auth_cert.string() +
                ": PEM block 'CERTIFICATE' at line 1: invalid base64: the length "
                "or the '=' padding is wrong");
  EXPECT_EQ(state.problems[1], wmsvc_meta.string() + ": 'exportable' must be true or false");
  ASSERT_EQ(state.certificates.size(), 2u) << "the damaged certificate is left out, the rest read";
  EXPECT_EQ(state.Find(Auth()), nullptr);
  const CertificateInfo* wmsvc = state.Find(Wmsvc());
  ASSERT_NE(wmsvc, nullptr);
  EXPECT_FALSE(wmsvc->attributes_known);
  EXPECT_FALSE(state.complete());
  // Get of the damaged one is an error naming the file.
  Result<std::optional<CertificateInfo>> get = store_->Get(Auth());
  ASSERT_FALSE(get.ok());
  EXPECT_EQ(get.status().code(), Code::kDataLoss);
  EXPECT_EQ(get.status().message().rfind(auth_cert.string(), 0), 0u);
}

TEST_F(LocalStoreTest, AFolderNameNotMatchingTheSha1IsReported) {
  const std::string wrong(40, 'A');
  fs::rename(CertDir(Wmsvc()), CertDir(wrong));
  const ServerState state = List();
  ASSERT_EQ(state.problems.size(), 1u);
  EXPECT_EQ(state.problems[0],
            (CertDir(wrong) / "cert.pem").string() + ": holds the certificate " + Wmsvc() +
                ", not " + wrong +
                " (the folder name); the file was replaced or the folder renamed: restore it "
                "or move the folder out of the store");
  EXPECT_EQ(state.certificates.size(), 2u);
}

TEST_F(LocalStoreTest, ForeignFilesAreReported) {
  std::ofstream(root_ / "MailServer21" / "certificates" / "notes.txt") << "hello";
  std::ofstream(CertDir(Default()) / "cert.pem.bak") << "old";
  const ServerState state = List();
  ASSERT_EQ(state.problems.size(), 2u) << ::testing::PrintToString(state.problems);
  EXPECT_EQ(state.problems[0], (root_ / "MailServer21" / "certificates" / "notes.txt").string() +
                                   ": not an item folder (its name must be a 40-character "
                                   "upper-case SHA-1 thumbprint); move it out of the store");
  EXPECT_EQ(state.problems[1], (CertDir(Default()) / "cert.pem.bak").string() +
                                   ": unexpected file in a certificate folder; xcert does not "
                                   "know it: move it out of the store");
  EXPECT_EQ(state.certificates.size(), 3u);
}

TEST_F(LocalStoreTest, AKeyFileReadableByOthersIsAProblemAndRefusedForExport) {
  const fs::path key = CertDir(Auth()) / "key.pem";
  fs::permissions(key, fs::perms(0644));
  const ServerState state = List();
  ASSERT_EQ(state.problems.size(), 1u);
  EXPECT_EQ(state.problems[0],
            key.string() + ": the key file is readable by others (mode 0644); run chmod 600 " +
                key.string());
  ASSERT_NE(state.Find(Auth()), nullptr);
  EXPECT_TRUE(state.Find(Auth())->has_private_key);
  Result<std::string> pfx = store_->Export(Auth(), "pw");
  ASSERT_FALSE(pfx.ok());
  EXPECT_EQ(pfx.status().code(), Code::kPermissionDenied);
  EXPECT_EQ(pfx.status().message(), "refusing to use " + state.problems[0]);
}

TEST_F(LocalStoreTest, DamagedBindingsBlockWritesAndAreReported) {
  const fs::path bindings = root_ / "MailServer21" / "bindings.json";
  std::ofstream(bindings, std::ios::trunc) << "{\"version\": 1, \"IIS\": \"nope\"}";
  const ServerState state = List();
  ASSERT_EQ(state.problems.size(), 1u);
  EXPECT_EQ(state.problems[0], bindings.string() +
                                   ": 'IIS': 'nope' is not a thumbprint (40 upper-case "
                                   "hexadecimal characters)");
  EXPECT_EQ(state.certificates.size(), 3u);
  Status st = store_->Remove(Wmsvc());
  EXPECT_EQ(st.code(), Code::kDataLoss);
  EXPECT_TRUE(fs::exists(CertDir(Wmsvc())));
}

TEST_F(LocalStoreTest, ANewerFormatIsRefusedWithWhatToDo) {
  const fs::path bindings = root_ / "MailServer21" / "bindings.json";
  std::ofstream(bindings, std::ios::trunc) << "{\"version\": 2}";
  const ServerState state = List();
  ASSERT_EQ(state.problems.size(), 1u);
  EXPECT_EQ(
      state.problems[0],
      bindings.string() + ": format version 2 is newer than this xcert reads (1); upgrade xcert");
}

TEST_F(LocalStoreTest, ABindingToAMissingCertificateIsAProblem) {
  fs::remove_all(CertDir(Auth()));
  const ServerState state = List();
  ASSERT_EQ(state.problems.size(), 1u);
  EXPECT_EQ(state.problems[0], (root_ / "MailServer21" / "bindings.json").string() +
                                   ": AuthCurrent names " + Auth() +
                                   ", which is not in certificates/; restore that "
                                   "certificate or correct the file");
}

TEST_F(LocalStoreTest, WorkLeftByACrashedWriterIsIgnoredAndCleanedByTheNextWrite) {
  const fs::path certs = root_ / "MailServer21" / "certificates";
  fs::create_directories(certs / ".tmp-999999-1");
  std::ofstream(certs / ".tmp-999999-1" / "cert.pem") << "half";
  fs::create_directories(certs / ".trash-999999-2");
  std::ofstream(root_ / "MailServer21" / "bindings.json.tmp.999999.5") << "{";
  EXPECT_TRUE(List().problems.empty());
  ASSERT_TRUE(store_->Remove(Wmsvc()).ok());
  EXPECT_FALSE(fs::exists(certs / ".tmp-999999-1"));
  EXPECT_FALSE(fs::exists(certs / ".trash-999999-2"));
  EXPECT_FALSE(fs::exists(root_ / "MailServer21" / "bindings.json.tmp.999999.5"));
  // Nothing else is left behind by the removal itself.
  size_t entries = 0;
  for (const auto& e : fs::directory_iterator(certs))
    entries += e.path().filename().string()[0] == '.';
  EXPECT_EQ(entries, 0u);
}

// A removal killed after its rename leaves the certificate's folder, key and
// all, as ".trash-<pid>-<n>": a writer holding the lock deletes it without
// writing anything, in every server, with a half-made server of store init.
TEST_F(LocalStoreTest, CleanLeftoversDeletesWhatDeadWritersLeftInEveryServer) {
  ASSERT_TRUE(LocalStore::CreateServer(root_, SetupSeed(testing::Edge())).ok());
  const fs::path trash = root_ / "MailServer21" / "certificates" / ".trash-999999-7";
  fs::copy(CertDir(Default()), trash);
  ASSERT_TRUE(fs::exists(trash / "key.pem"));
  const fs::path edge_tmp = root_ / "Edge01" / "requests" / ".tmp-999999-8";
  fs::create_directories(edge_tmp);
  const fs::path half_server = root_ / ".tmp-999999-9";
  fs::create_directories(half_server / "certificates");
  const fs::path bindings_tmp = root_ / "Edge01" / "bindings.json.tmp.999999.1";
  std::ofstream(bindings_tmp) << "{";
  const fs::path mine =
      root_ / "MailServer21" / "certificates" / local::WorkName(local::kTempPrefix);
  fs::create_directories(mine);
  const fs::path users_file = root_ / "Edge01" / "notes.tmp.txt";  // not xcert's
  std::ofstream(users_file) << "change ticket 4711";

  LocalStoreSet set(root_);
  EXPECT_TRUE(set.CleanLeftovers().ok());
  EXPECT_FALSE(fs::exists(trash)) << "the private key of a removed certificate";
  EXPECT_FALSE(fs::exists(edge_tmp));
  EXPECT_FALSE(fs::exists(half_server));
  EXPECT_FALSE(fs::exists(bindings_tmp));
  EXPECT_TRUE(fs::exists(mine)) << "this process's own work";
  EXPECT_TRUE(fs::exists(users_file)) << "a name with .tmp. in it is not a work entry";
  EXPECT_TRUE(fs::exists(CertDir(Default())));
  EXPECT_TRUE(List().problems.empty());
}

TEST_F(LocalStoreTest, CleanLeftoversOfAFolderThatIsNotAStoreTouchesNothing) {
  const fs::path other = dir_.path() / "other";
  fs::create_directories(other / ".tmp-999999-1");
  LocalStoreSet missing(dir_.path() / "missing");
  EXPECT_TRUE(missing.CleanLeftovers().ok()) << "List reports it";
  EXPECT_FALSE(fs::exists(dir_.path() / "missing"));
  LocalStoreSet foreign(other);
  EXPECT_TRUE(foreign.CleanLeftovers().ok());
  EXPECT_TRUE(fs::exists(other / ".tmp-999999-1"));
}

TEST_F(LocalStoreTest, ARequestAnInterruptedImportCompletedIsHiddenAndCleaned) {
  Result<CreateResult> req =
      store_->Create({"CN=owa.pocket-consultant.com", {}, Ec(), Seconds(0), "", true});
  ASSERT_TRUE(req.ok()) << req.status().message();
  const fs::path request_dir = root_ / "MailServer21" / "requests" / req->certificate.thumbprint;
  // Simulate the crash window: the certificate is published, the request not yet deleted.
  const fs::path keep = dir_.path() / "keep";
  fs::copy(request_dir, keep);
  Result<x509::CsrInfo> csr = x509::ParseCsr(req->csr_pem);
  ASSERT_TRUE(csr.ok());
  const std::string answer =
      testing::IssueLeaf("CN=owa.pocket-consultant.com", {}, csr->public_key_der);
  ASSERT_TRUE(store_->Import({x509::ToPem("CERTIFICATE", answer), "", false, ""}).ok());
  fs::copy(keep, request_dir);
  ServerState state = List();
  EXPECT_TRUE(state.problems.empty());
  EXPECT_EQ(state.Find(req->certificate.thumbprint), nullptr);
  LocalStore fresh(root_, "MailServer21");
  ASSERT_TRUE(fresh.Remove(Wmsvc()).ok());
  EXPECT_FALSE(fs::exists(request_dir));
}

TEST_F(LocalStoreTest, AMissingServerIsAnErrorSayingHowToCreateIt) {
  LocalStore other(root_, "MailServer22");
  Result<ServerState> s = other.List();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kNotFound);
  EXPECT_EQ(s.status().message(),
            "the store has no server MailServer22 (" + (root_ / "MailServer22").string() +
                " does not exist); create it with: xcert store init --store " + root_.string() +
                " --server MailServer22 --fqdn FQDN --roles Mailbox");
}

TEST_F(LocalStoreTest, AFolderThatIsNotAStoreIsRefused) {
  const fs::path other = dir_.path() / "other";
  fs::create_directories(other / "x");
  LocalStore s(other, "MailServer21");
  Result<ServerState> r = s.List();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            other.string() + " is not an xcert store (" + (other / "xcert-store.json").string() +
                " is missing); point --store at the folder xcert store init created");
  Status e = LocalStore::EnsureRoot(other);
  EXPECT_EQ(
      e.message(),
      other.string() + " is not empty and not an xcert store; give --store a new or empty folder");
}

TEST_F(LocalStoreTest, CreateServerRefusesAnExistingServerAndLeavesItAlone) {
  const std::string before =
      xcert::testing::ReadFileOrDie(root_ / "MailServer21" / "bindings.json");
  Status s = LocalStore::CreateServer(root_, SetupSeed(Mailbox()));
  EXPECT_EQ(s.code(), Code::kAlreadyExists);
  EXPECT_EQ(xcert::testing::ReadFileOrDie(root_ / "MailServer21" / "bindings.json"), before);
}

TEST_F(LocalStoreTest, ListServersSkipsTheJournalAndWorkEntries) {
  fs::create_directories(root_ / "journal");
  fs::create_directories(root_ / ".tmp-1-2");
  ASSERT_TRUE(LocalStore::CreateServer(root_, SetupSeed(testing::Edge())).ok());
  Result<std::vector<std::string>> servers = LocalStore::ListServers(root_);
  ASSERT_TRUE(servers.ok()) << servers.status().message();
  EXPECT_EQ(*servers, (std::vector<std::string>{"Edge01", "MailServer21"}));
}

TEST_F(LocalStoreTest, ReadWithChainsGivesFilesAndModes) {
  const testing::Issued c = IssueWithKey();
  ASSERT_TRUE(store_->Import({PemBundle(c), "", false, ""}).ok());
  Result<local::ServerView> view = store_->Read({.chains = true});
  ASSERT_TRUE(view.ok()) << view.status().message();
  ASSERT_EQ(view->files.size(), view->state.certificates.size());
  for (size_t i = 0; i < view->files.size(); ++i) {
    const local::ItemFiles& f = view->files[i];
    EXPECT_EQ(f.thumbprint, view->state.certificates[i].thumbprint);
    EXPECT_EQ(f.dir, CertDir(f.thumbprint));
    ASSERT_TRUE(f.key_mode.has_value());
    EXPECT_EQ(*f.key_mode, 0600u);
    EXPECT_EQ(f.chain_der, f.thumbprint == c.thumbprint ? std::vector<std::string>{Ca().der}
                                                        : std::vector<std::string>{});
  }
}

TEST_F(LocalStoreTest, LocalStoreSetGivesOneStorePerServer) {
  LocalStoreSet set(root_);
  Store* a = set.Find("MailServer21");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a, set.Find("MailServer21"));
  EXPECT_EQ(a->server(), "MailServer21");
  Store* missing = set.Find("Nope");
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->List().status().code(), Code::kNotFound);
  EXPECT_EQ(set.Find("a/b")->List().status().message(),
            "server 'a/b': the server name contains '/'; use letters, digits, '-', '_' and '.'");
}

TEST_F(LocalStoreTest, AServerFolderThatIsALinkIsListedReportedAndNeverWritten) {
  const fs::path outside = dir_.path() / "outside";
  fs::rename(root_ / "MailServer21", outside);
  fs::create_directory_symlink(outside, root_ / "MailServer21");
  Result<std::vector<std::string>> servers = LocalStore::ListServers(root_);
  ASSERT_TRUE(servers.ok());
  EXPECT_EQ(*servers, std::vector<std::string>{"MailServer21"}) << "show must not hide it";
  LocalStore linked(root_, "MailServer21");
  Result<ServerState> s = linked.List();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Code::kDataLoss);
  EXPECT_THAT(s.status().message(),
              HasSubstr((root_ / "MailServer21").string() + ": a symbolic link"));
  const std::string before = xcert::testing::ReadFileOrDie(outside / "bindings.json");
  EXPECT_FALSE(linked.Enable(Default(), ServiceSet{Service::kImap}, {}).ok());
  EXPECT_EQ(xcert::testing::ReadFileOrDie(outside / "bindings.json"), before);
}

TEST_F(LocalStoreTest, ACertificatesFolderThatIsALinkIsDamageAndWritesAreRefused) {
  const fs::path outside = dir_.path() / "outside";
  fs::rename(root_ / "MailServer21/certificates", outside);
  fs::create_directory_symlink(outside, root_ / "MailServer21/certificates");
  const ServerState state = List();
  ASSERT_FALSE(state.problems.empty());
  EXPECT_THAT(state.problems[0], HasSubstr((root_ / "MailServer21/certificates").string() +
                                           ": a symbolic link, which xcert does not follow"));
  const size_t before = std::distance(fs::directory_iterator(outside), fs::directory_iterator());
  const testing::Issued c = IssueWithKey();
  EXPECT_FALSE(store_->Import({PemBundle(c), "", false, ""}).ok());
  EXPECT_EQ(std::distance(fs::directory_iterator(outside), fs::directory_iterator()), before);
}

TEST_F(LocalStoreTest, AServerWhoseNameDiffersOnlyInCaseIsTheSameServer) {
  const Status s = LocalStore::CreateServer(root_, SetupSeed(Mailbox("mailserver21")));
  EXPECT_EQ(s.code(), Code::kFailedPrecondition);
  EXPECT_THAT(s.message(), HasSubstr("which is the same Exchange server"));
  EXPECT_FALSE(fs::exists(root_ / "mailserver21"));
  LocalStore other(root_, "mailserver21");
  Result<ServerState> listed = other.List();
  ASSERT_FALSE(listed.ok());
  EXPECT_THAT(listed.status().message(), HasSubstr("has " + (root_ / "MailServer21").string()));
  EXPECT_THAT(listed.status().message(), Not(HasSubstr("store init")))
      << "never a hint to create a duplicate";
}

}  // namespace
}  // namespace xcert::store
