// Crash safety of the local store: a child process runs a series of writes
// (creates, enables, an import, a pending request and its completion,
// removes) and is killed with SIGKILL at random moments. After every kill the
// store must read back with no problems, and its content must be exactly the
// state after some prefix of the series (old or new state of the write that
// was interrupted, never a mix).
//
// Certificates are identified by subject across runs (fresh keys give fresh
// thumbprints), and the expected states come from running the same series
// on the in-memory store.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "resources/store/local_store.h"
#include "resources/store/memory_store.h"
#include "tests/resources/store/store_test_util.h"

namespace xcert::store {
namespace {

using testing::Ec;
using testing::Mailbox;
using testing::SetupSeed;
using testing::TempDir;

constexpr int kIterations = 80;

// The series of writes. Every step names certificates by subject.
struct Series {
  std::string import_bundle;  // made once, so both stores import the same certificate

  Status Run(Store& s, int steps) const {
    for (int i = 0; i < steps; ++i) XCERT_RETURN_IF_ERROR(Step(s, i));
    return Status::Ok();
  }
  static constexpr int kSteps = 14;

  Status Step(Store& s, int i) const {
    switch (i) {
      case 0: return Create(s, "CN=crash-a.example.com");
      case 1: return Enable(s, "CN=crash-a.example.com", {Service::kIis});
      case 2: return Create(s, "CN=crash-b.example.com");
      case 3: return Enable(s, "CN=crash-b.example.com", {Service::kSmtp}, true);
      case 4: return Enable(s, "CN=crash-b.example.com", {Service::kImap, Service::kPop});
      case 5: return Remove(s, "CN=WMSvc-SHA2-MailServer21");
      case 6: return Create(s, "CN=crash-c.example.com");
      case 7: return Enable(s, "CN=crash-c.example.com", {Service::kIis});
      case 8: return Remove(s, "CN=crash-a.example.com");
      case 9: return s.Import({import_bundle, "", true, "imported"}).status();
      case 10: return Enable(s, "CN=crash-d.example.com", {Service::kPop, Service::kIis});
      case 11: return CreateRequest(s, "CN=crash-e.example.com");
      case 12: return Complete(s, "CN=crash-e.example.com");
      case 13: return Remove(s, "CN=crash-c.example.com");
    }
    return Internal("no step " + std::to_string(i));
  }

  static Result<std::string> ThumbprintOf(Store& s, const std::string& subject) {
    XCERT_ASSIGN_OR_RETURN(ServerState state, s.List());
    for (const CertificateInfo& c : state.certificates) {
      if (c.subject == subject) return c.thumbprint;
    }
    return NotFound("no certificate " + subject);
  }
  static Status Create(Store& s, const std::string& subject) {
    return s.Create({subject, {}, Ec(true), Seconds(86400), "", false}).status();
  }
  static Status CreateRequest(Store& s, const std::string& subject) {
    return s.Create({subject, {}, Ec(true), Seconds(0), "", true}).status();
  }
  static Status Enable(Store& s, const std::string& subject,
                       std::initializer_list<Service> services, bool replace_default_smtp = false) {
    XCERT_ASSIGN_OR_RETURN(std::string t, ThumbprintOf(s, subject));
    return s.Enable(t, ServiceSet(services), EnableOptions{replace_default_smtp});
  }
  static Status Remove(Store& s, const std::string& subject) {
    XCERT_ASSIGN_OR_RETURN(std::string t, ThumbprintOf(s, subject));
    return s.Remove(t);
  }
  static Status Complete(Store& s, const std::string& subject) {
    XCERT_ASSIGN_OR_RETURN(std::string t, ThumbprintOf(s, subject));
    XCERT_ASSIGN_OR_RETURN(std::optional<CertificateInfo> request, s.Get(t));
    XCERT_ASSIGN_OR_RETURN(x509::CsrInfo csr, x509::ParseCsr(request->csr_pem));
    const std::string answer = testing::IssueLeaf(subject, {}, csr.public_key_der);
    return s.Import({x509::ToPem("CERTIFICATE", answer), "", false, ""}).status();
  }
};

// A store's content with certificates named by subject.
std::string Snapshot(const ServerState& state) {
  std::map<std::string, std::string> subject_of;
  std::set<std::string> lines;
  for (const CertificateInfo& c : state.certificates) {
    subject_of[c.thumbprint] = c.subject;
    lines.insert(c.subject + " " + c.services.ToLetters() + (c.pending_request ? " pending" : "") +
                 (c.has_private_key ? "" : " no-key") + (c.exportable ? " exportable" : ""));
  }
  auto name = [&](const std::string& t) {
    return t.empty() ? "-" : subject_of.count(t) ? subject_of[t] : "?" + t;
  };
  const Bindings& b = state.bindings;
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  out += "IIS=" + name(b.iis) + " backend=" + name(b.iis_back_end) + " IMAP=" + name(b.imap) +
         " POP=" + name(b.pop) + " internal=" + name(b.internal_transport) +
         " auth=" + name(b.auth_current);
  std::set<std::string> smtp;
  for (const std::string& t : b.smtp) smtp.insert(name(t));
  for (const std::string& n : smtp) out += " smtp:" + n;
  return out;
}

TEST(LocalStoreCrashTest, AKilledWriterLeavesTheOldOrTheNewStateNeverAMix) {
  const ServerSeed& seed = SetupSeed(Mailbox());
  const testing::Issued d =
      testing::IssueWithKey("CN=crash-d.example.com", {"crash-d.example.com"});
  const Series series{testing::PemBundle(d)};

  // Expected states: after 0, 1, ..., kSteps steps.
  std::map<std::string, int> expected;
  {
    MemoryStore model(seed);
    for (int k = 0; k <= Series::kSteps; ++k) {
      if (k > 0) {
        ASSERT_TRUE(series.Step(model, k - 1).ok()) << "step " << k - 1;
      }
      Result<ServerState> state = model.List();
      ASSERT_TRUE(state.ok());
      expected.emplace(Snapshot(*state), k);
    }
    ASSERT_EQ(expected.size(), size_t(Series::kSteps + 1)) << "every step must change the state";
  }

  TempDir dir;
  const fs::path base = dir.path() / "base";
  ASSERT_TRUE(LocalStore::EnsureRoot(base).ok());
  ASSERT_TRUE(LocalStore::CreateServer(base, seed).ok());

  // How long the whole series takes uninterrupted (also checks it succeeds).
  auto run_child = [&](const fs::path& root) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      LocalStore store(root, "MailServer21");
      ::_exit(series.Run(store, Series::kSteps).ok() ? 0 : 3);
    }
    return pid;
  };
  auto fresh_copy = [&](int i) {
    const fs::path root = dir.path() / ("run" + std::to_string(i));
    fs::copy(base, root, fs::copy_options::recursive);
    return root;
  };
  const auto start = std::chrono::steady_clock::now();
  {
    const fs::path root = fresh_copy(-1);
    const pid_t pid = run_child(root);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the series failed: " << status;
    Result<ServerState> state = LocalStore(root, "MailServer21").List();
    ASSERT_TRUE(state.ok());
    ASSERT_EQ(expected.at(Snapshot(*state)), Series::kSteps) << Snapshot(*state);
  }
  const auto full = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);

  std::mt19937 rng(20260101);
  std::uniform_int_distribution<long long> delay(0, full.count());
  std::set<int> reached;
  for (int i = 0; i < kIterations; ++i) {
    const fs::path root = fresh_copy(i);
    const pid_t pid = run_child(root);
    std::this_thread::sleep_for(std::chrono::microseconds(delay(rng)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    if (WIFEXITED(status)) {
      ASSERT_EQ(WEXITSTATUS(status), 0) << "iteration " << i;
    }

    Result<ServerState> state = LocalStore(root, "MailServer21").List();
    ASSERT_TRUE(state.ok()) << state.status().message();
    EXPECT_TRUE(state->problems.empty())
        << "iteration " << i << ": " << ::testing::PrintToString(state->problems);
    const std::string snapshot = Snapshot(*state);
    auto it = expected.find(snapshot);
    ASSERT_NE(it, expected.end()) << "iteration " << i << ": a torn state:\n" << snapshot;
    reached.insert(it->second);
  }
  // The kills landed at many different points of the series.
  EXPECT_GE(reached.size(), 5u) << ::testing::PrintToString(reached);
  std::printf("crash test: %d kills over a %lld ms series reached %zu distinct states\n",
              kIterations, static_cast<long long>(full.count() / 1000), reached.size());
}

}  // namespace
}  // namespace xcert::store
