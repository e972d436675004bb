// Crash safety of `xcert apply` with the real binary and a local store: apply
// is SIGKILLed at random moments, then run again until it reports complete.
// Whatever the moment, it must converge, never lose a certificate without a
// backup, never leave a key readable by others, never leave temporary files,
// a held lock or a damaged store behind (docs/commands/apply.md, "What apply
// guarantees"; docs/store-format.md, "Writing: atomic and durable").
//
// The kill moments come from a seed printed with every failure; rerun with
// XCERT_KILL_SEED=<seed> to get the same moments (timing still varies a
// little from run to run). XCERT_KILL_ITERATIONS overrides how many kills
// each phase gets.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <random>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/test_util.h"

namespace xcert::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Env = std::map<std::string, std::string>;

constexpr const char* kPassword = "e2e-backup-password";
constexpr const char* kOpenssl = "/usr/bin/openssl";

std::string Iso(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoi(v) : fallback;
}

// --- running xcert with a kill timer ---

struct KillResult {
  bool killed = false;  // the timer fired before xcert exited
  int exit_code = -1;
  pid_t pid = -1;
};

// Runs xcert `args` in `cwd` and SIGKILLs it after `delay` unless it exited
// first. Output goes to files in `cwd`/.. so a full pipe can never stall it.
KillResult RunAndKill(const std::vector<std::string>& args, const fs::path& cwd, const Env& env,
                      std::chrono::microseconds delay, const fs::path& log) {
  const std::string binary = XcertBinary().string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (out < 0 || in < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0) {
      ::_exit(126);
    }
    if (::chdir(cwd.c_str()) != 0) ::_exit(127);
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv = {const_cast<char*>(binary.c_str())};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  KillResult r;
  r.pid = pid;
  // Wait for the exit or the deadline, whichever comes first: a pidfd
  // becomes readable when the process exits.
  const int pidfd = int(::syscall(SYS_pidfd_open, pid, 0));
  const auto deadline = std::chrono::steady_clock::now() + delay;
  int status = 0;
  for (;;) {
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      r.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
      break;
    }
    if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      ::poll(&p, 1, int(std::min<long long>(left.count() + 1, 1000)));
    } else {
      ::usleep(1000);  // no pidfd (old kernel): poll the child every millisecond
    }
  }
  if (pidfd >= 0) ::close(pidfd);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// --- looking at a store ---

using Thumbs = std::set<std::pair<std::string, std::string>>;  // (server, thumbprint)

Thumbs CertificatesIn(const fs::path& store) {
  Thumbs out;
  for (const auto& server : fs::directory_iterator(store)) {
    const fs::path certs = server.path() / "certificates";
    if (!fs::is_directory(certs)) continue;
    for (const auto& c : fs::directory_iterator(certs)) {
      const std::string name = c.path().filename().string();
      if (name.size() == 40 && name[0] != '.') {
        out.insert({server.path().filename().string(), name});
      }
    }
  }
  return out;
}

mode_t ModeOf(const fs::path& p) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

bool IsTemporary(const std::string& name) {
  return name.starts_with(".tmp-") || name.starts_with(".trash-") ||
         name.find(".tmp.") != std::string::npos;
}

// The thumbprint a backup file holds, read by the openssl command line (the
// oracle): a PKCS#12 opened with the backup password, or a PEM certificate.
std::string BackupThumbprint(const fs::path& file, const fs::path& scratch);

// Problems that may exist at ANY moment, even right after a kill.
std::vector<std::string> AlwaysTrue(const fs::path& work, const Thumbs& before,
                                    const fs::path& scratch) {
  std::vector<std::string> bad;
  const fs::path store = work / "store";
  // No certificate is gone unless its backup is there and openssl reads that
  // very certificate from it (with the backup password).
  const Thumbs now = CertificatesIn(store);
  for (const auto& [server, thumb] : before) {
    if (now.count({server, thumb})) continue;
    std::string problems;
    bool backed_up = false;
    for (const char* ext : {".pfx", ".crt"}) {
      const fs::path backup = work / "backups" / server / (thumb + ext);
      if (backed_up || !fs::exists(backup)) continue;
      const std::string held = BackupThumbprint(backup, scratch);
      backed_up = held == thumb;
      if (!backed_up) problems += " " + backup.string() + " holds " + held + ";";
    }
    if (!backed_up) {
      bad.push_back(server + "/" + thumb + " is gone without a backup that holds it;" +
                    (problems.empty() ? std::string(" none is there") : problems));
    }
  }
  // Private keys (in the store, in work folders, in backups) are never
  // readable by others, not even for a moment.
  std::error_code ec;
  for (const fs::path& root : {store, work / "backups"}) {
    if (!fs::exists(root)) continue;
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      const std::string name = it->path().filename().string();
      const bool secret = name.starts_with("key.pem") || name.find(".pfx") != std::string::npos;
      if (secret && it->is_regular_file() && (ModeOf(it->path()) & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", unsigned(ModeOf(it->path())));
        bad.push_back(it->path().string() + " has mode " + mode);
      }
    }
  }
  // The lock died with its holder.
  const fs::path lock = store / "xcert.lock";
  if (fs::exists(lock)) {
    const int fd = ::open(lock.c_str(), O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
      if (::flock(fd, LOCK_EX | LOCK_NB) != 0) bad.push_back("xcert.lock is still held");
      ::close(fd);
    }
  }
  return bad;
}

// Work entries (".tmp-*", ".trash-*", "<file>.tmp.*") under `root`.
std::vector<std::string> TemporaryFiles(const fs::path& root) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::exists(root)) return out;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (IsTemporary(name)) out.push_back(it->path().string());
  }
  return out;
}

// Whether the journal of the run with `pid` exists and lacks its "end".
bool JournalInterrupted(const fs::path& store, pid_t pid) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(store / "journal", ec)) {
    const std::string name = e.path().filename().string();
    if (!name.ends_with("-" + std::to_string(pid) + ".jsonl")) continue;
    return ReadFileOrDie(e.path()).find("\"event\":\"end\"") == std::string::npos;
  }
  return false;
}

// The thumbprint a backup file holds (PKCS#12 opened with the password).
std::string BackupThumbprint(const fs::path& file, const fs::path& scratch) {
  fs::path pem = file;
  if (file.extension() == ".pfx") {
    pem = scratch / "backup.pem";
    RunResult r =
        Run({kOpenssl, "pkcs12", "-in", file.string(), "-passin", std::string("pass:") + kPassword,
             "-nokeys", "-clcerts", "-out", pem.string()});
    if (r.exit_code != 0) return "(cannot open: " + r.err + ")";
  }
  RunResult r = Run({kOpenssl, "x509", "-in", pem.string(), "-noout", "-fingerprint", "-sha1"});
  std::string hex;
  for (char c : r.out.substr(r.out.find('=') + 1)) {
    if (std::isxdigit(static_cast<unsigned char>(c))) hex += char(std::toupper(c));
  }
  return hex;
}

// --- the test ---

struct Phase {
  std::string name;
  fs::path start;  // a folder holding xcert.yaml, store/ (and pki/, backups/)
  Env env;
  // Before the phase: plant junk where the backup of every certificate in the
  // store belongs (backups/<server>/<T>.pfx); apply must prove backups, not
  // trust whatever file is there. Filled with the planted paths.
  bool plant_junk_backups = false;
  std::vector<fs::path> junk_backups;  // relative to backups/
};

constexpr const char* kJunk = "8 bytes!";

class ApplyKillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const char* s = std::getenv("XCERT_KILL_SEED"); s && *s) {
      seed_ = std::strtoull(s, nullptr, 10);
    } else {
      seed_ = std::random_device{}();
    }
    rng_.seed(seed_);
    iterations_ = EnvInt("XCERT_KILL_ITERATIONS", iterations_);
  }

  RunResult X(const fs::path& cwd, const std::vector<std::string>& args, const Env& env) {
    Env e = env;
    e.emplace("XCERT_BACKUP_PASSWORD", kPassword);
    e.emplace("NO_COLOR", "1");
    return RunXcert(args, cwd, e);
  }

  void InitServer(const fs::path& cwd, const Env& env, const std::string& server,
                  const std::string& fqdn, const std::string& roles, const std::string& domain) {
    std::vector<std::string> args = {"store", "init",   "--store", "./store", "--server",
                                     server,  "--fqdn", fqdn,      "--roles", roles};
    if (!domain.empty()) {
      args.push_back("--domain");
      args.push_back(domain);
    }
    RunResult r = X(cwd, args, env);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  static void CopyTree(const fs::path& from, const fs::path& to) {
    fs::create_directories(to);
    fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  }

  // Applies `phase` once without interruption into `out` (the next phase's
  // start); returns how long it took. Phases run at a fixed XCERT_NOW, some
  // ahead of the real time (a renewal a year later): --allow-clock-skew.
  std::chrono::microseconds Baseline(const Phase& phase, const fs::path& out) {
    CopyTree(phase.start, out);
    const auto t0 = std::chrono::steady_clock::now();
    RunResult r = X(out, {"apply", "--auto-approve", "--allow-clock-skew"}, phase.env);
    const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - t0);
    EXPECT_EQ(r.exit_code, 0) << phase.name << ": " << r.err << r.out;
    EXPECT_THAT(r.out, HasSubstr("Apply complete!")) << phase.name;
    EXPECT_EQ(X(out, {"plan", "--detailed-exitcode"}, phase.env).exit_code, 0) << phase.name;
    return took;
  }

  // Kills apply at random moments on copies of `phase.start`, then runs it
  // until it completes, checking every guarantee on the way.
  void KillAndRecover(const Phase& phase, std::chrono::microseconds baseline) {
    const Thumbs before = CertificatesIn(phase.start / "store");
    ASSERT_FALSE(before.empty());
    std::uniform_int_distribution<long long> moment(0, baseline.count());
    std::bernoulli_distribution twice(0.3);
    int killed = 0, mid_run = 0, removed = 0;
    for (int it = 0; it < iterations_; ++it) {
      const fs::path work = dir_.path() / (phase.name + "-" + std::to_string(it));
      SCOPED_TRACE(phase.name + " iteration " + std::to_string(it) + " in " + work.string());
      CopyTree(phase.start, work);
      Env env = phase.env;
      env.emplace("XCERT_BACKUP_PASSWORD", kPassword);
      env.emplace("NO_COLOR", "1");

      // One kill, sometimes a second one during the recovery.
      const int kills = twice(rng_) ? 2 : 1;
      pid_t last_killed = -1;
      for (int k = 0; k < kills; ++k) {
        const std::chrono::microseconds delay(moment(rng_));
        SCOPED_TRACE("kill after " + std::to_string(delay.count()) + "us");
        const KillResult r = RunAndKill({"apply", "--auto-approve", "--allow-clock-skew"}, work,
                                        env, delay, work / ("../" + phase.name + "-kill.log"));
        last_killed = r.killed ? r.pid : -1;
        if (!r.killed) {
          EXPECT_EQ(r.exit_code, 0)
              << "an apply that was not killed failed; see " << phase.name << "-kill.log";
        }
        for (const std::string& b : AlwaysTrue(work, before, dir_.path())) {
          ADD_FAILURE() << "after a kill: " << b;
        }
      }

      // Run apply until it says it is complete.
      const bool interrupted = last_killed > 0 && JournalInterrupted(work / "store", last_killed);
      killed += last_killed > 0;
      mid_run += interrupted;
      bool complete = false;
      for (int attempt = 0; attempt < 4 && !complete; ++attempt) {
        RunResult r = X(work, {"apply", "--auto-approve", "--allow-clock-skew"}, phase.env);
        EXPECT_THAT(r.err, Not(HasSubstr("locked by"))) << "a killed apply left its lock held";
        if (attempt == 0 && interrupted && r.out.find("Nothing to do.") == std::string::npos) {
          EXPECT_THAT(r.err, HasSubstr("the previous apply did not finish"))
              << "the run after an interrupted one does not say so";
        }
        complete = r.exit_code == 0 && (r.out.find("Apply complete!") != std::string::npos ||
                                        r.out.find("Nothing to do.") != std::string::npos);
        // The first run after a kill must complete; later attempts only tell
        // whether it would converge at all.
        if (!complete) {
          ADD_FAILURE() << "apply after the kill, attempt " << attempt + 1 << ":\n"
                        << r.err << r.out;
        }
      }
      ASSERT_TRUE(complete) << "apply does not converge after a kill";

      RunResult plan = X(work, {"plan", "--detailed-exitcode"}, phase.env);
      EXPECT_EQ(plan.exit_code, 0) << "not converged:\n" << plan.out << plan.err;
      for (const std::string& b : AlwaysTrue(work, before, dir_.path())) {
        ADD_FAILURE() << "converged: " << b;
      }
      EXPECT_THAT(TemporaryFiles(work / "store"), ::testing::IsEmpty())
          << "temporary files left in the store";
      EXPECT_THAT(TemporaryFiles(work / "backups"), ::testing::IsEmpty())
          << "temporary files left in the backups";
      CheckShow(work, phase.env);
      CheckJunkKeptAside(work, phase);
      for (const auto& t : before) removed += CertificatesIn(work / "store").count(t) == 0;
    }
    std::printf(
        "%s: apply took %lld ms; %d of %d runs killed, %d of them with steps under way; %d "
        "certificates removed (with their backups)\n",
        phase.name.c_str(), (long long)(baseline.count() / 1000), killed, iterations_, mid_run,
        removed);
  }

  // `xcert show` reads every server completely: no damaged or unknown file.
  void CheckShow(const fs::path& work, const Env& env) {
    RunResult show = X(work, {"show", "--format", "json"}, env);
    EXPECT_EQ(show.exit_code, 0) << show.err;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(show.out);
    } catch (const nlohmann::json::exception& e) {
      ADD_FAILURE() << "show --format json: " << e.what() << "\n" << show.out;
      return;
    }
    for (const nlohmann::json& s : j["servers"]) {
      EXPECT_TRUE(s["complete"].get<bool>()) << s["name"] << ": " << s["problems"].dump();
      EXPECT_TRUE(s["problems"].empty()) << s["name"] << ": " << s["problems"].dump();
    }
  }

  // Every junk file planted where a backup belongs (Phase::junk_backups) is
  // still there, kept aside under a new name, never silently replaced.
  void CheckJunkKeptAside(const fs::path& work, const Phase& phase) {
    for (const fs::path& junk : phase.junk_backups) {
      const fs::path at = work / "backups" / junk;
      bool kept = fs::exists(at) && ReadFileOrDie(at) == kJunk;
      for (int n = 1; !kept && n < 10; ++n) {
        const fs::path aside = at.string() + ".unproven." + std::to_string(n);
        kept = fs::exists(aside) && ReadFileOrDie(aside) == kJunk;
      }
      EXPECT_TRUE(kept) << "the junk planted at " << at << " was replaced";
    }
  }

  static void PlantJunkBackups(Phase& phase) {
    for (const auto& [server, thumb] : CertificatesIn(phase.start / "store")) {
      const fs::path rel = fs::path(server) / (thumb + ".pfx");
      if (fs::exists(phase.start / "backups" / rel)) continue;
      fs::create_directories(phase.start / "backups" / server);
      std::ofstream(phase.start / "backups" / rel) << kJunk;
      // 0600 like a real backup: the mode check holds for every ".pfx".
      fs::permissions(phase.start / "backups" / rel,
                      fs::perms::owner_read | fs::perms::owner_write);
      phase.junk_backups.push_back(rel);
    }
  }

  void RunPhases(std::vector<Phase> phases) {
    SCOPED_TRACE("XCERT_KILL_SEED=" + std::to_string(seed_));
    for (size_t i = 0; i < phases.size(); ++i) {
      if (phases[i].plant_junk_backups) PlantJunkBackups(phases[i]);
      const fs::path next = i + 1 < phases.size() ? phases[i + 1].start : dir_.path() / "done";
      const std::chrono::microseconds baseline = Baseline(phases[i], next);
      if (HasFailure()) return;
      KillAndRecover(phases[i], baseline);
    }
  }

  TempDir dir_;
  uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  int iterations_ = 4;
};

TEST_F(ApplyKillTest, PocketConsultantExample) {
  const fs::path start = dir_.path() / "start";
  fs::create_directories(start);
  fs::copy_file(SourceDir() / "examples/pocket-consultant/xcert.yaml", start / "xcert.yaml");
  const Env first = {{"XCERT_NOW", "2026-11-25T10:00:00Z"}};
  InitServer(start, first, "MailServer21", "MailServer21.pocket-consultant.com", "Mailbox",
             "pocket-consultant.com");
  // First the initial apply, then the renewal a year later.
  RunPhases({{"pocket-initial", start, first},
             {"pocket-renewal", dir_.path() / "renewal", {{"XCERT_NOW", "2027-11-10T10:00:00Z"}}}});
}

// A removal renames the certificate's folder to ".trash-<pid>-<n>", then
// deletes it. Killed in between, the certificate is gone (and backed up), so
// the next apply has nothing to do on that server; the folder, with the
// private key of a certificate the user believes removed, must not stay.
TEST_F(ApplyKillTest, RemovalKilledAfterItsRenameLeavesNoKeyBehind) {
  const fs::path work = dir_.path() / "work";
  fs::create_directories(work);
  fs::copy_file(SourceDir() / "examples/pocket-consultant/xcert.yaml", work / "xcert.yaml");
  const Env env = {{"XCERT_NOW", "2026-11-25T10:00:00Z"}};
  InitServer(work, env, "MailServer21", "MailServer21.pocket-consultant.com", "Mailbox",
             "pocket-consultant.com");
  ASSERT_EQ(X(work, {"apply", "--auto-approve"}, env).exit_code, 0);

  // What the killed removal left: its trash folder, named after its pid.
  const pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ASSERT_EQ(::waitpid(dead, nullptr, 0), dead);
  const fs::path certs = work / "store/MailServer21/certificates";
  fs::path victim;
  for (const auto& e : fs::directory_iterator(certs)) {
    if (fs::exists(e.path() / "key.pem")) victim = e.path();
  }
  ASSERT_FALSE(victim.empty());
  const fs::path trash = certs / (".trash-" + std::to_string(dead) + "-7");
  fs::copy(victim, trash, fs::copy_options::recursive);
  ASSERT_TRUE(fs::exists(trash / "key.pem"));

  RunResult again = X(work, {"apply", "--auto-approve"}, env);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("Nothing to do."));
  CheckShow(work, env);  // readers ignore the folder...
  EXPECT_FALSE(fs::exists(trash)) << "...but the private key in " << trash
                                  << " outlives the run after the kill";
}

// Four Mailbox servers and an Edge: a shared self-signed certificate copied
// from the first server to the others, a shared CA certificate issued once,
// one CA certificate per server; prune on, so a renewal removes what it
// replaces (after backing it up).
TEST_F(ApplyKillTest, FleetWithSharedCertificates) {
  const fs::path start = dir_.path() / "start";
  fs::create_directories(start / "pki");
  // The CA is made now, so "now" for xcert is a little later.
  const auto now = std::chrono::system_clock::now() + std::chrono::minutes(10);
  const Env first = {{"XCERT_NOW", Iso(now)}};
  const Env later = {{"XCERT_NOW", Iso(now + std::chrono::hours(24 * 340))}};
  RunResult ca = xcert::testing::Run({kOpenssl,
                                      "req",
                                      "-x509",
                                      "-newkey",
                                      "ec",
                                      "-pkeyopt",
                                      "ec_paramgen_curve:P-256",
                                      "-nodes",
                                      "-keyout",
                                      "pki/ca.key",
                                      "-out",
                                      "pki/ca.pem",
                                      "-days",
                                      "3650",
                                      "-subj",
                                      "/CN=Fleet Test CA/O=Fleet",
                                      "-addext",
                                      "basicConstraints=critical,CA:TRUE",
                                      "-addext",
                                      "keyUsage=critical,keyCertSign,cRLSign"},
                                     start);
  ASSERT_EQ(ca.exit_code, 0) << ca.err;
  fs::permissions(start / "pki/ca.key", fs::perms::owner_read | fs::perms::owner_write);

  std::string m = R"(version: 1
organization: {domain: fleet.example, autodiscover: true}
store: {type: local, path: ./store}
backup: {path: ./backups, passwordEnv: XCERT_BACKUP_PASSWORD}
prune: true
issuers:
  - {name: corp-ca, type: ca, certificate: pki/ca.pem, key: pki/ca.key}
  - {name: self, type: self-signed}
servers:
)";
  const std::vector<std::string> mailbox = {"Mx1", "Mx2", "Mx3", "Mx4"};
  for (const std::string& s : mailbox) {
    m += "  - {name: " + s + ", fqdn: " + s + ".fleet.example, roles: [Mailbox]}\n";
    InitServer(start, first, s, s + ".fleet.example", "Mailbox", "fleet.example");
  }
  m += "  - {name: Edge1, fqdn: edge1.fleet.example, roles: [EdgeTransport]}\n";
  InitServer(start, first, "Edge1", "edge1.fleet.example", "EdgeTransport", "");
  m += R"(certificates:
  - name: mail
    subject: CN=mail.{domain}
    dnsNames: ["mail.{domain}", "autodiscover.{domain}"]
    issuer: self
    key: {algorithm: RSA, size: 2048, exportable: true}
    servers: [Mx1, Mx2, Mx3, Mx4]
    services: [IIS, IMAP, POP, SMTP]
  - name: relay
    subject: CN=relay.{domain}
    dnsNames: ["relay.{domain}"]
    issuer: corp-ca
    key: {algorithm: ECDSA, exportable: true}
    servers: [Mx1, Mx2, Mx3, Mx4]
    services: [SMTP]
  - name: host
    perServer: true
    subject: CN={fqdn}
    dnsNames: ["{fqdn}", "{server}"]
    issuer: corp-ca
    key: {algorithm: ECDSA}
    servers: [Mx1, Mx2, Mx3, Mx4, Edge1]
    services: [SMTP]
)";
  std::ofstream(start / "xcert.yaml") << m;
  RunResult valid = X(start, {"validate"}, first);
  ASSERT_EQ(valid.exit_code, 0) << valid.out << valid.err;

  // The renewal removes (prune) what it replaces, where junk sits in the
  // backups' place: each removal needs a backup that decrypts to it.
  RunPhases({{"fleet-initial", start, first},
             {"fleet-renewal", dir_.path() / "renewal", later, /*plant_junk_backups=*/true}});
}

}  // namespace
}  // namespace xcert::testing
