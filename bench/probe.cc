// Verify at fleet scale (issue 14): probe 2,000 servers x 4 services on
// loopback and check every answer as `xcert verify` will, then report
// verifications per second against the OpenSSL handshake limit measured in
// the same run (docs/performance.md, "Verify").
//
//   xcert_bench_probe [--servers N] [--workdir DIR] [--configs C:T,C:T,...]
//                     [--timeout-ms MS] [--limit-seconds S] [--rounds R] [--json FILE]
//
// The fleet: server i is srv<i>.bench.test. Its four services are
//   IIS   https on nginx, one server block and certificate per server (SNI)
//   SMTP  smtp + STARTTLS on Postfix        \  one *.bench.test certificate
//   IMAP  imaps on Dovecot                   > for the fleet's mail names
//   POP   pop3s on Dovecot                  /
// every certificate RSA-2048 issued by an RSA-2048 intermediate under an
// RSA-2048 root (as Exchange certificates usually are); the servers send the
// leaf and the intermediate. Postfix and Dovecot need root; without it only
// the IIS endpoints are probed (and the report says so).
//
// The limit: full TLS handshakes between a client and a server SSL object
// in memory (a BIO pair, no sockets), with the same chain, key, SNI, TLS
// version and key exchange as the servers negotiate, no session reuse, on
// every core at once. It is what OpenSSL alone needs for both ends of a
// handshake; the probes pay the same on this machine (the servers run here
// too) plus the kernel's TCP, the servers' own work and the checks.
//
// Each configuration ("C:T" = concurrency C on T event loops) runs R rounds
// of all probes + checks (Checker::CheckAll, a fresh checker per round); the
// limit is measured before and after each configuration, and each row is
// compared with the mean of those two.
#include "resources/probe/probe.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <time.h>

#include "engine/util/file_util.h"
#include "engine/util/strings.h"
#include "engine/util/time.h"
#include "resources/probe/check.h"
#include "resources/x509/builder.h"
#include "resources/x509/digest.h"
#include "resources/x509/key.h"
#include "resources/x509/pem.h"
#include "tests/support/servers.h"
#include "tests/support/test_util.h"

namespace {

namespace fs = std::filesystem;
using namespace xcert;
using namespace xcert::probe;
using SteadyClock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "xcert_bench_probe: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T OrDie(Result<T> r, const std::string& what) {
  if (!r.ok()) Die(what + ": " + r.status().message());
  return std::move(r).value();
}

void WriteOrDie(const fs::path& path, const std::string& data, mode_t mode = 0644) {
  const Status s = WriteFileAtomic(path, data, mode, DirSync::kDeferred);
  if (!s.ok()) Die(s.message());
}

double ToSeconds(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Busy and total jiffies of the whole machine (/proc/stat "cpu" line).
std::pair<long long, long long> MachineJiffies() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  long long v[10] = {};
  in >> cpu;
  for (long long& x : v) in >> x;
  const long long idle = v[3] + v[4];
  long long total = 0;
  for (int i = 0; i < 8; ++i) total += v[i];
  return {total - idle, total};
}

// CPU seconds (user + system) used so far by the processes of these process
// groups (the servers: each runs in its own group, tests/support/loopback.h).
// A process that exited is no longer counted; the bench's server settings
// keep their processes alive for the whole run.
double GroupCpuSeconds(pid_t group) {
  static const double tick = double(sysconf(_SC_CLK_TCK));
  double total = 0;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename();
    if (pid.empty() || !std::isdigit(static_cast<unsigned char>(pid[0]))) continue;
    std::ifstream in(entry.path() / "stat");
    std::string stat;
    if (!std::getline(in, stat)) continue;
    // "pid (comm) state ppid pgrp ... utime stime": comm may hold spaces.
    const size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    std::string state;
    long long ppid = 0, pgrp = 0, skip = 0, utime = 0, stime = 0;
    rest >> state >> ppid >> pgrp;
    for (int i = 0; i < 8; ++i) rest >> skip;  // session .. cmajflt
    rest >> utime >> stime;
    if (pid_t(pgrp) == group) total += double(utime + stime) / tick;
  }
  return total;
}

std::vector<std::string> ToStrings(const std::vector<double>& values) {
  std::vector<std::string> out;
  for (double v : values) out.push_back(std::to_string(v));
  return out;
}

// `openssl s_time -new` against a server: full handshakes, one connection
// at a time, for `seconds`; connections per second of real time.
double STime(uint16_t port, double seconds) {
  auto openssl = testing::FindProgram("openssl");
  if (!openssl) return 0;
  const auto start = SteadyClock::now();
  const testing::RunResult r =
      testing::Run({openssl->string(), "s_time", "-connect", "127.0.0.1:" + std::to_string(port),
                    "-new", "-time", std::to_string(int(std::max(1.0, seconds)))});
  const double wall = ToSeconds(SteadyClock::now() - start);
  // "761 connections in 0.59s; 1289.83 connections/user sec, ..." (its
  // "in N real seconds" line is rounded to whole seconds: the wall time
  // measured here is used instead).
  const size_t at = r.out.find(" connections in ");
  if (at == std::string::npos) return 0;
  const size_t begin = r.out.rfind('\n', at);
  return std::atof(r.out.c_str() + (begin == std::string::npos ? 0 : begin + 1)) / wall;
}

// ---- the fleet's certificates ----

struct Pki {
  std::string root_der;
  std::string intermediate_der;
  std::vector<std::string> iis_thumbprints;  // per server
  std::string mail_thumbprint;
};

std::string Pem(const std::string& der) { return x509::ToPem("CERTIFICATE", der); }

Pki MakePki(const fs::path& dir, int servers) {
  KeySpec rsa;
  rsa.algorithm = KeyAlgorithm::kRsa;
  rsa.rsa_bits = 2048;
  const TimePoint now = SystemClock().Now();
  const auto day = std::chrono::hours(24);
  auto ca = [&](const std::string& cn) {
    x509::CertificateTemplate t;
    t.subject = "CN=" + cn;
    t.not_before = now - std::chrono::duration_cast<Seconds>(day * 30);
    t.not_after = now + std::chrono::duration_cast<Seconds>(day * 3650);
    t.is_ca = true;
    return t;
  };
  const x509::PrivateKey root_key = OrDie(x509::PrivateKey::Generate(rsa), "root key");
  const x509::PrivateKey int_key = OrDie(x509::PrivateKey::Generate(rsa), "intermediate key");
  // One key for every leaf: key generation is not what is measured, and a
  // handshake costs the same whatever the key's value.
  const x509::PrivateKey leaf_key = OrDie(x509::PrivateKey::Generate(rsa), "leaf key");
  Pki pki;
  pki.root_der = OrDie(x509::SelfSign(ca("xcert bench root"), root_key), "root");
  pki.intermediate_der =
      OrDie(x509::SignWithCa(ca("xcert bench intermediate"), int_key, pki.root_der, root_key),
            "intermediate");
  auto leaf = [&](const std::vector<std::string>& names, const testing::ServiceFiles& files) {
    x509::CertificateTemplate t;
    t.subject = "CN=" + names.front();
    t.dns_names = names;
    t.not_before = now - std::chrono::duration_cast<Seconds>(day);
    t.not_after = now + std::chrono::duration_cast<Seconds>(day * 365);
    const std::string der =
        OrDie(x509::SignWithCa(t, leaf_key, pki.intermediate_der, int_key), "leaf");
    fs::create_directories(files.dir);
    WriteOrDie(files.cert(), Pem(der));
    WriteOrDie(files.fullchain(), Pem(der) + Pem(pki.intermediate_der));
    WriteOrDie(files.key(), leaf_key.ToPkcs8Pem(), 0600);
    return x509::Sha1Hex(der);
  };
  for (int i = 0; i < servers; ++i) {
    const std::string name = "srv" + std::to_string(i) + ".bench.test";
    pki.iis_thumbprints.push_back(leaf({name}, testing::ServiceFilesAt(dir / name, "IIS")));
  }
  pki.mail_thumbprint =
      leaf({"mail.bench.test", "*.bench.test"}, testing::ServiceFilesAt(dir / "mail", "SMTP"));
  WriteOrDie(dir / "root.pem", Pem(pki.root_der));
  return pki;
}

// ---- the limit ----

struct Limit {
  double per_second = 0;
  long long handshakes = 0;
  long long failures = 0;
  double client_ms = 0;  // CPU per handshake in the client's calls
  double server_ms = 0;  // ... and in the server's
};

double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

Limit HandshakeLimit(const testing::ServiceFiles& files, const std::string& sni, int threads,
                     double seconds) {
  SSL_CTX* server = SSL_CTX_new(TLS_server_method());
  SSL_CTX* client = SSL_CTX_new(TLS_client_method());
  if (server == nullptr || client == nullptr ||
      SSL_CTX_use_certificate_chain_file(server, files.fullchain().c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(server, files.key().c_str(), SSL_FILETYPE_PEM) != 1) {
    Die("cannot set up the in-memory handshake");
  }
  SSL_CTX_set_session_cache_mode(server, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(server, 0);
  SSL_CTX_set_session_cache_mode(client, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_verify(client, SSL_VERIFY_NONE, nullptr);
  std::atomic<long long> done{0}, failed{0};
  std::mutex mu;
  double client_cpu = 0, server_cpu = 0;
  const auto deadline = SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                                 std::chrono::duration<double>(seconds));
  auto work = [&] {
    long long n = 0, bad = 0;
    double in_client = 0, in_server = 0;
    while (SteadyClock::now() < deadline) {
      SSL* c = SSL_new(client);
      SSL* s = SSL_new(server);
      BIO* bc = nullptr;
      BIO* bs = nullptr;
      BIO_new_bio_pair(&bc, 0, &bs, 0);
      SSL_set_bio(c, bc, bc);
      SSL_set_bio(s, bs, bs);
      SSL_set_tlsext_host_name(c, sni.c_str());
      SSL_set_connect_state(c);
      SSL_set_accept_state(s);
      bool ok = false;
      for (int i = 0; i < 16 && !ok; ++i) {
        const double t0 = ThreadCpuSeconds();
        const int a = SSL_do_handshake(c);
        const double t1 = ThreadCpuSeconds();
        const int b = SSL_do_handshake(s);
        in_client += t1 - t0;
        in_server += ThreadCpuSeconds() - t1;
        ok = a == 1 && b == 1;
      }
      ok ? ++n : ++bad;
      SSL_free(c);
      SSL_free(s);
      ERR_clear_error();
    }
    done += n;
    failed += bad;
    std::lock_guard<std::mutex> lock(mu);
    client_cpu += in_client;
    server_cpu += in_server;
  };
  const auto start = SteadyClock::now();
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  const double took = ToSeconds(SteadyClock::now() - start);
  SSL_CTX_free(server);
  SSL_CTX_free(client);
  const double n = double(std::max<long long>(1, done));
  return {double(done) / took, done, failed, 1000 * client_cpu / n, 1000 * server_cpu / n};
}

// ---- one configuration ----

struct Run {
  size_t concurrency = 0;
  size_t threads = 0;
  double probe_s = 0;
  double check_s = 0;
  double cpu_s = 0;                  // this process: probes and checks
  std::vector<double> server_cpu_s;  // per server group
  double machine_busy = 0;           // share of all cores busy, whatever ran on them
  size_t failures = 0;
  std::string first_failure;
};

Run RunOnce(const std::vector<Target>& targets, const std::vector<Expectation>& expected,
            const Checker& checker, size_t concurrency, size_t threads,
            std::chrono::milliseconds timeout, const std::vector<pid_t>& server_groups) {
  ProbeOptions options;
  options.concurrency = concurrency;
  options.threads = threads;
  options.timeout = timeout;
  Run run;
  run.concurrency = concurrency;
  run.threads = threads;
  const auto [busy0, total0] = MachineJiffies();
  const double cpu0 = CpuSeconds();
  std::vector<double> server0;
  for (pid_t g : server_groups) server0.push_back(GroupCpuSeconds(g));
  const auto t0 = SteadyClock::now();
  const std::vector<ProbeResult> results = ProbeAll(targets, options);
  const auto t1 = SteadyClock::now();
  const std::vector<Verdict> verdicts =
      checker.CheckAll(targets, results, expected, SystemClock().Now());
  for (size_t i = 0; i < verdicts.size(); ++i) {
    if (!verdicts[i].ok() && run.failures++ == 0) {
      run.first_failure = targets[i].Describe() + ": " + verdicts[i].findings.front().message;
    }
  }
  const auto t2 = SteadyClock::now();
  const auto [busy1, total1] = MachineJiffies();
  run.probe_s = ToSeconds(t1 - t0);
  run.check_s = ToSeconds(t2 - t1);
  run.cpu_s = CpuSeconds() - cpu0;
  for (size_t i = 0; i < server_groups.size(); ++i) {
    run.server_cpu_s.push_back(GroupCpuSeconds(server_groups[i]) - server0[i]);
  }
  run.machine_busy = total1 > total0 ? double(busy1 - busy0) / double(total1 - total0) : 0;
  return run;
}

std::vector<std::pair<size_t, size_t>> ParseConfigs(const std::string& text) {
  std::vector<std::pair<size_t, size_t>> out;
  for (const std::string& item : Split(text, ',')) {
    const std::vector<std::string> ct = Split(item, ':');
    if (ct.size() != 2) Die("--configs wants CONCURRENCY:THREADS,...: " + item);
    out.emplace_back(std::stoul(ct[0]), std::stoul(ct[1]));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int servers = 2000;
  fs::path workdir;
  std::string configs = "8:2,64:1,64:2,256:2,32:32";
  long timeout_ms = 10000;
  double limit_seconds = 2;
  int rounds = 2;
  std::string json_path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die(a + " wants a value");
      return argv[++i];
    };
    if (a == "--servers") {
      servers = std::stoi(next());
    } else if (a == "--workdir") {
      workdir = next();
    } else if (a == "--configs") {
      configs = next();
    } else if (a == "--timeout-ms") {
      timeout_ms = std::stol(next());
    } else if (a == "--limit-seconds") {
      limit_seconds = std::stod(next());
    } else if (a == "--rounds") {
      rounds = std::stoi(next());
    } else if (a == "--json") {
      json_path = next();
    } else {
      Die("unknown argument " + a + " (see the comment at the top of bench/probe.cc)");
    }
  }
  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  std::optional<testing::TempDir> temp;
  if (workdir.empty()) {
    temp.emplace();
    workdir = temp->path();
  }
  fs::create_directories(workdir);

  std::fprintf(stderr, "making %d RSA-2048 server certificates...\n", servers);
  const Pki pki = MakePki(workdir / "certs", servers);
  if (!SyncDir(workdir).ok()) Die("sync");
  const testing::ServiceFiles mail = testing::ServiceFilesAt(workdir / "certs" / "mail", "SMTP");

  std::fprintf(stderr, "starting nginx, Postfix and Dovecot...\n");
  if (auto why = testing::NginxServer::Unavailable()) Die(*why);
  std::vector<testing::NginxSite> sites;
  for (int i = 0; i < servers; ++i) {
    const std::string name = "srv" + std::to_string(i) + ".bench.test";
    sites.push_back({{name}, testing::ServiceFilesAt(workdir / "certs" / name, "IIS")});
  }
  testing::NginxServer nginx(workdir / "nginx", sites,
                             {.workers = cores, .worker_connections = 4096});
  std::optional<testing::PostfixServer> postfix;
  std::optional<testing::DovecotServer> dovecot;
  std::string missing;
  if (auto why = testing::PostfixServer::Unavailable()) {
    missing += " SMTP (" + *why + ")";
  } else {
    // Every probe comes from 127.0.0.1: no per-client limits, enough smtpd
    // processes for the widest configuration, each reused many times.
    postfix.emplace(workdir / "postfix", mail,
                    testing::PostfixOptions{
                        .tls = true,
                        .main_cf = "smtpd_client_connection_count_limit = 0\n"
                                   "smtpd_client_connection_rate_limit = 0\nmax_use = 10000\n"
                                   "smtpd_tls_loglevel = 0\n",
                        .process_limit = "400"});
  }
  if (auto why = testing::DovecotServer::Unavailable()) {
    missing += " IMAP and POP (" + *why + ")";
  } else {
    // Dovecot's "high-performance" login mode: long-lived login processes,
    // one per core, each serving many connections.
    std::string login_tuning;
    for (const char* service : {"imap-login", "pop3-login"}) {
      login_tuning += "service " + std::string(service) + " {\n  service_count = 0\n" +
                      "  process_min_avail = " + std::to_string(cores) +
                      "\n  client_limit = 2000\n}\n";
    }
    dovecot.emplace(workdir / "dovecot", mail, mail,
                    testing::DovecotOptions{.tls = true,
                                            .extra = "default_client_limit = 5000\n"
                                                     "info_log_path = /dev/null\n" +
                                                     login_tuning});
  }

  std::vector<Target> targets;
  std::vector<Expectation> expected;
  for (int i = 0; i < servers; ++i) {
    const std::string name = "srv" + std::to_string(i) + ".bench.test";
    targets.push_back({"127.0.0.1", nginx.port(), Protocol::kHttps, name});
    expected.push_back({pki.iis_thumbprints[size_t(i)], {name}});
    if (postfix) {
      targets.push_back({"127.0.0.1", postfix->port(), Protocol::kSmtp, name});
      expected.push_back({pki.mail_thumbprint, {name}});
    }
    if (dovecot) {
      targets.push_back({"127.0.0.1", dovecot->imaps_port(), Protocol::kImaps, name});
      expected.push_back({pki.mail_thumbprint, {name}});
      targets.push_back({"127.0.0.1", dovecot->pop3s_port(), Protocol::kPop3s, name});
      expected.push_back({pki.mail_thumbprint, {name}});
    }
  }

  // What the servers negotiate, for the limit loop to do the same.
  const std::vector<ProbeResult> sample =
      ProbeAll({targets.begin(), targets.begin() + std::min<size_t>(targets.size(), 4)}, {});
  std::map<std::string, int> negotiated;
  for (const ProbeResult& r : sample) {
    if (!r.ok()) Die("warm-up probe failed: " + r.reason);
    ++negotiated[r.tls_version + " " + r.cipher];
  }

  std::vector<pid_t> server_groups = {nginx.pid()};
  std::vector<std::string> server_names = {"nginx (https)"};
  std::vector<double> server_endpoints = {double(servers)};
  if (postfix) {
    server_groups.push_back(postfix->pid());
    server_names.push_back("Postfix (smtp STARTTLS)");
    server_endpoints.push_back(servers);
  }
  if (dovecot) {
    server_groups.push_back(dovecot->pid());
    server_names.push_back("Dovecot (imaps + pop3s)");
    server_endpoints.push_back(2.0 * servers);
  }

  const testing::ServiceFiles srv0 =
      testing::ServiceFilesAt(workdir / "certs" / "srv0.bench.test", "IIS");
  // The machine may be shared and its speed drift: the limit is measured
  // around every configuration, and each row is compared with the mean of
  // the limits just before and just after it.
  auto limit_now = [&] {
    std::fprintf(stderr, "measuring the handshake limit (%d threads, %.1f s)...\n", cores,
                 limit_seconds);
    return HandshakeLimit(srv0, "srv0.bench.test", cores, limit_seconds).per_second;
  };
  const Limit one_core = HandshakeLimit(srv0, "srv0.bench.test", 1, limit_seconds);
  const double s_time = STime(nginx.port(), limit_seconds);
  std::vector<double> limits = {limit_now()};
  std::vector<Run> runs;
  std::vector<double> row_limits;
  for (const auto& [c, t] : ParseConfigs(configs)) {
    const size_t first = runs.size();
    for (int r = 0; r < rounds; ++r) {
      std::fprintf(stderr, "probing %zu endpoints, concurrency %zu on %zu loops (round %d)...\n",
                   targets.size(), c, t, r + 1);
      // A fresh checker per round: nothing is remembered from the last one.
      const Checker checker({pki.root_der});
      runs.push_back(RunOnce(targets, expected, checker, c, t,
                             std::chrono::milliseconds(timeout_ms), server_groups));
    }
    limits.push_back(limit_now());
    for (size_t k = first; k < runs.size(); ++k) {
      row_limits.push_back((limits[limits.size() - 2] + limits.back()) / 2);
    }
  }
  double limit = 0;
  for (double l : limits) limit += l / double(limits.size());

  // ---- report ----
  std::ostringstream out;
  out << "endpoints: " << servers << " servers x " << (targets.size() / size_t(servers))
      << " services = " << targets.size() << " (IIS https/nginx";
  if (postfix) out << ", SMTP STARTTLS/Postfix";
  if (dovecot) out << ", IMAP imaps + POP pop3s/Dovecot";
  out << ")";
  if (!missing.empty()) out << "; not probed:" << missing;
  out << "\nnegotiated:";
  for (const auto& [what, n] : negotiated) out << " " << what;
  out << "; RSA-2048 leaf + intermediate\n";
  std::string measured;
  for (double l : limits) measured += (measured.empty() ? "" : ", ") + std::to_string(int(l));
  char line[512];
  std::snprintf(line, sizeof line,
                "limit: %.0f handshakes/s on %d cores, both ends in memory (mean of %s; one "
                "core alone %.0f/s, CPU per handshake %.3f ms client + %.3f ms server)\n\n",
                limit, cores, measured.c_str(), one_core.per_second, one_core.client_ms,
                one_core.server_ms);
  out << line;
  const double limit_cpu_ms = one_core.client_ms + one_core.server_ms;
  out << "| concurrency:loops | endpoints | probe s | check s | verify/s | limit/s | of limit "
         "(wall) | CPU ms/endpoint: xcert + servers | of limit (CPU) | machine busy | failures "
         "|\n|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (size_t k = 0; k < runs.size(); ++k) {
    const Run& r = runs[k];
    const double n = double(targets.size());
    const double rate = n / (r.probe_s + r.check_s);
    const double xcert_ms = 1000 * r.cpu_s / n;
    double server_ms = 0;
    for (double cpu : r.server_cpu_s) server_ms += 1000 * cpu / n;
    std::snprintf(line, sizeof line,
                  "| %zu:%zu | %zu | %.2f | %.3f | %.0f | %.0f | %.0f%% | %.3f + %.3f = %.3f | "
                  "%.0f%% | %.0f%% | %zu |\n",
                  r.concurrency, r.threads, targets.size(), r.probe_s, r.check_s, rate,
                  row_limits[k], 100 * rate / row_limits[k], xcert_ms, server_ms,
                  xcert_ms + server_ms, 100 * limit_cpu_ms / (xcert_ms + server_ms),
                  100 * r.machine_busy, r.failures);
    out << line;
  }
  out << "\nservers' CPU per endpoint they served (mean of the rows):";
  for (size_t g = 0; g < server_groups.size(); ++g) {
    double total = 0;
    for (const Run& r : runs) total += r.server_cpu_s[g];
    std::snprintf(line, sizeof line, " %s %.3f ms;", server_names[g].c_str(),
                  1000 * total / double(runs.size()) / server_endpoints[g]);
    out << line;
  }
  std::snprintf(line, sizeof line,
                "\nopenssl s_time -new against nginx (one connection at a time): %.0f/s\n", s_time);
  out << line;
  for (const Run& r : runs) {
    if (r.failures) {
      out << "first failure (" << r.concurrency << ":" << r.threads << "): " << r.first_failure
          << "\n";
    }
  }
  std::fputs(out.str().c_str(), stdout);
  if (!json_path.empty()) {
    std::ofstream j(json_path);
    j << "{\"endpoints\":" << targets.size() << ",\"servers\":" << servers
      << ",\"limit_per_s\":" << limit << ",\"limit_one_core_per_s\":" << one_core.per_second
      << ",\"limit_client_ms\":" << one_core.client_ms
      << ",\"limit_server_ms\":" << one_core.server_ms << ",\"cores\":" << cores << ",\"runs\":[";
    for (size_t k = 0; k < runs.size(); ++k) {
      const Run& r = runs[k];
      j << (k ? "," : "") << "{\"concurrency\":" << r.concurrency << ",\"threads\":" << r.threads
        << ",\"probe_s\":" << r.probe_s << ",\"check_s\":" << r.check_s << ",\"cpu_s\":" << r.cpu_s
        << ",\"server_cpu_s\":[" << Join(ToStrings(r.server_cpu_s), ",") << "]"
        << ",\"machine_busy\":" << r.machine_busy << ",\"limit_per_s\":" << row_limits[k]
        << ",\"failures\":" << r.failures << "}";
    }
    j << "]}\n";
  }
  for (const Run& r : runs) {
    if (r.failures) return 2;
  }
  return 0;
}
