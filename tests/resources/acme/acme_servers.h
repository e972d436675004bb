// Real servers for the ACME tests, started on free loopback ports and
// stopped by PID (tests/support/loopback.h): Debian's pebble with
// pebble-challtestsrv as its DNS, BIND 9 (named) for RFC 2136, nginx for a
// webroot. Header-only: the test binary is built from *_test.cc files only.
#pragma once

#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/loopback.h"
#include "tests/support/test_util.h"

namespace xcert::acme::testing {

using xcert::testing::BackgroundProcess;
using xcert::testing::FindProgram;
using xcert::testing::FreeLoopbackPort;
using xcert::testing::NotInstalled;
using xcert::testing::RunResult;
using xcert::testing::TempDir;
namespace fs = std::filesystem;

// Runs a program found by FindProgram; fails the test when it is missing.
inline RunResult RunTool(const std::string& program, std::vector<std::string> args,
                         const std::string& stdin_data = {}) {
  const auto path = FindProgram(program);
  if (!path) {
    ADD_FAILURE() << NotInstalled(program);
    return {};
  }
  args.insert(args.begin(), path->string());
  return xcert::testing::Run(args, {}, {}, stdin_data);
}

// A self-signed TLS certificate for 127.0.0.1 and localhost made by the
// openssl command line: the ACME server's certificate and, as caBundle, its
// trust anchor.
struct TlsFiles {
  fs::path cert, key;
};
inline TlsFiles MakeLoopbackTls(const fs::path& dir) {
  TlsFiles f{dir / "tls-cert.pem", dir / "tls-key.pem"};
  const RunResult r = RunTool(
      "openssl", {"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                  "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                  "-days", "2", "-keyout", f.key.string(), "-out", f.cert.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return f;
}

// pebble-challtestsrv as a DNS server answering A 127.0.0.1 for every name,
// with its management API (set-txt, clear-txt) on another port.
class ChallTestSrv {
 public:
  explicit ChallTestSrv(const fs::path& dir)
      : dns_port_(FreeLoopbackPort()), management_port_(FreeLoopbackPort()) {
    const auto program = FindProgram("pebble-challtestsrv");
    if (!program) return;
    process_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{program->string(), "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
                                 "-dns01", "127.0.0.1:" + std::to_string(dns_port_), "-http01", "",
                                 "-https01", "", "-tlsalpn01", "", "-management",
                                 "127.0.0.1:" + std::to_string(management_port_)},
        dir / "challtestsrv.log");
    ready_ = process_->WaitForPort(management_port_);
  }
  bool ready() const { return ready_; }
  std::string Log() const { return process_ ? process_->Log() : "not installed"; }
  uint16_t dns_port() const { return dns_port_; }
  uint16_t management_port() const { return management_port_; }

 private:
  uint16_t dns_port_, management_port_;
  std::unique_ptr<BackgroundProcess> process_;
  bool ready_ = false;
};

struct PebbleOptions {
  bool eab_required = false;
  std::map<std::string, std::string> mac_keys;  // kid -> base64url MAC key
  std::string dns_server;                       // "127.0.0.1:PORT"
  uint16_t http_port = 0;                       // where http-01 is validated (0: a free port)
  std::map<std::string, std::string> env;       // PEBBLE_* switches
};

// Debian's pebble on a free loopback port; its directory is
// https://127.0.0.1:PORT/dir, trusted through tls().cert.
class Pebble {
 public:
  Pebble(const fs::path& dir, PebbleOptions options)
      : tls_(MakeLoopbackTls(dir)),
        port_(FreeLoopbackPort()),
        management_port_(FreeLoopbackPort()),
        http_port_(options.http_port != 0 ? options.http_port : FreeLoopbackPort()) {
    const auto program = FindProgram("pebble");
    if (!program) return;
    std::string keys = "{";
    for (const auto& [kid, key] : options.mac_keys) {
      keys += (keys.size() > 1 ? "," : "") + std::string("\"") + kid + "\":\"" + key + "\"";
    }
    keys += "}";
    const fs::path config = dir / "pebble.json";
    std::ofstream(config) << "{\"pebble\":{\"listenAddress\":\"127.0.0.1:" << port_
                          << "\",\"managementListenAddress\":\"127.0.0.1:" << management_port_
                          << "\",\"certificate\":\"" << tls_.cert.string() << "\",\"privateKey\":\""
                          << tls_.key.string() << "\",\"httpPort\":" << http_port_
                          << ",\"tlsPort\":" << FreeLoopbackPort()
                          << ",\"ocspResponderURL\":\"\",\"externalAccountBindingRequired\":"
                          << (options.eab_required ? "true" : "false")
                          << ",\"externalAccountMACKeys\":" << keys << "}}";
    std::map<std::string, std::string> env = {{"PEBBLE_VA_NOSLEEP", "1"},
                                              {"PEBBLE_WFE_NONCEREJECT", "0"}};
    for (const auto& [k, v] : options.env) env[k] = v;
    std::vector<std::string> argv = {program->string(), "-config", config.string()};
    if (!options.dns_server.empty()) {
      argv.push_back("-dnsserver");
      argv.push_back(options.dns_server);
    }
    process_ = std::make_unique<BackgroundProcess>(argv, dir / "pebble.log", env);
    ready_ = process_->WaitForPort(port_);
  }
  bool ready() const { return ready_; }
  std::string Log() const { return process_ ? process_->Log() : "not installed"; }
  std::string directory() const { return "https://127.0.0.1:" + std::to_string(port_) + "/dir"; }
  std::string management() const { return "https://127.0.0.1:" + std::to_string(management_port_); }
  const TlsFiles& tls() const { return tls_; }
  uint16_t http_port() const { return http_port_; }

 private:
  TlsFiles tls_;
  uint16_t port_, management_port_, http_port_;
  std::unique_ptr<BackgroundProcess> process_;
  bool ready_ = false;
};

// Debian's pebble validating against pebble-challtestsrv (every name is
// 127.0.0.1): what a test suite shares, started in SetUpTestSuite.
// Start() returns nullptr when either program is missing; the suite's SetUp
// then skips with NotInstalled("pebble").
class PebbleWithDns {
 public:
  static std::unique_ptr<PebbleWithDns> Start(std::map<std::string, std::string> env = {}) {
    if (!FindProgram("pebble") || !FindProgram("pebble-challtestsrv")) return nullptr;
    return std::unique_ptr<PebbleWithDns>(new PebbleWithDns(std::move(env)));
  }
  bool ready() const { return dns_.ready() && pebble_.ready(); }
  std::string Log() const { return dns_.Log() + "\n" + pebble_.Log(); }
  const Pebble& pebble() const { return pebble_; }
  const ChallTestSrv& dns() const { return dns_; }
  // Options for another pebble that validates against the same DNS.
  PebbleOptions Options() const {
    return {.dns_server = "127.0.0.1:" + std::to_string(dns_.dns_port())};
  }

 private:
  explicit PebbleWithDns(std::map<std::string, std::string> env)
      : dns_(dir_.path()),
        pebble_(dir_.path(), {.dns_server = "127.0.0.1:" + std::to_string(dns_.dns_port()),
                              .env = std::move(env)}) {}
  TempDir dir_;
  ChallTestSrv dns_;
  Pebble pebble_;
};

// BIND 9 serving zone `zone` (NS ns1.ZONE at 127.0.0.1) on a free loopback
// port, accepting updates signed with TSIG key `key_name` (hmac-sha256).
class Named {
 public:
  Named(const fs::path& dir, const std::string& zone, const std::string& key_name,
        const std::string& secret)
      : port_(FreeLoopbackPort()) {
    const auto program = FindProgram("named");
    if (!program) return;
    const fs::path work = dir / "named";
    fs::create_directories(work);
    std::ofstream(work / "zone.db")
        << "$TTL 60\n@ IN SOA ns1." << zone << ". admin." << zone
        << ". 1 60 60 600 60\n@ IN NS ns1." << zone << ".\nns1 IN A 127.0.0.1\n";
    std::ofstream(work / "named.conf")
        << "options { directory \"" << work.string() << "\"; listen-on port " << port_
        << " { 127.0.0.1; }; listen-on-v6 { none; }; pid-file none; recursion no;"
        << " dnssec-validation no; session-keyfile \"" << (work / "session.key").string()
        << "\"; };\n"
        << "controls { };\n"
        << "key \"" << key_name << "\" { algorithm hmac-sha256; secret \"" << secret << "\"; };\n"
        << "zone \"" << zone << "\" { type primary; file \"" << (work / "zone.db").string()
        << "\"; update-policy { grant " << key_name << " zonesub TXT; }; };\n";
    process_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{program->string(), "-g", "-4", "-n", "1", "-c",
                                 (work / "named.conf").string()},
        dir / "named.log");
    ready_ = process_->WaitForPort(port_);
  }
  bool ready() const { return ready_; }
  std::string Log() const { return process_ ? process_->Log() : "not installed"; }
  uint16_t port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  // dig's answer for NAME TXT (the independent oracle), "" when none.
  std::string DigTxt(const std::string& name) const {
    const RunResult r = RunTool(
        "dig", {"+short", "+norecurse", "-p", std::to_string(port_), "@127.0.0.1", name, "TXT"});
    return r.out;
  }

 private:
  uint16_t port_;
  std::unique_ptr<BackgroundProcess> process_;
  bool ready_ = false;
};

// nginx serving `root` on 127.0.0.1:port (the webroot the CA reaches).
class Nginx {
 public:
  Nginx(const fs::path& dir, const fs::path& root, uint16_t port) {
    const auto program = FindProgram("nginx");
    if (!program) return;
    const fs::path work = dir / "nginx";
    fs::create_directories(work);
    std::ofstream(work / "nginx.conf")
        << "daemon off; worker_processes 1; pid " << (work / "nginx.pid").string() << "; error_log "
        << (work / "error.log").string() << ";\n"
        << "events { worker_connections 64; }\n"
        << "http { access_log " << (work / "access.log").string() << "; client_body_temp_path "
        << work.string() << "; proxy_temp_path " << work.string() << "; fastcgi_temp_path "
        << work.string() << "; uwsgi_temp_path " << work.string() << "; scgi_temp_path "
        << work.string() << ";\n server { listen 127.0.0.1:" << port << "; root " << root.string()
        << "; default_type text/plain; } }\n";
    process_ = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{program->string(), "-e", (work / "error.log").string(), "-c",
                                 (work / "nginx.conf").string(), "-p", work.string()},
        dir / "nginx.log");
    ready_ = process_->WaitForPort(port);
  }
  bool ready() const { return ready_; }
  std::string Log() const { return process_ ? process_->Log() : "not installed"; }

 private:
  std::unique_ptr<BackgroundProcess> process_;
  bool ready_ = false;
};

}  // namespace xcert::acme::testing
