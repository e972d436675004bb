// Real TLS servers for tests, on free loopback ports, configured in a folder
// the test owns and reading certificates from paths the test gives:
//
//   TempDir dir;
//   OpensslPki pki(dir.path() / "pki");
//   const ServiceFiles iis = ServiceFilesAt(dir.path(), "IIS");
//   const std::string thumbprint = pki.Issue(iis, {.names = {"mail.contoso.test"}});
//   if (auto why = NginxServer::Unavailable()) GTEST_SKIP() << *why;
//   NginxServer nginx(dir.path() / "nginx", {{{"mail.contoso.test"}, iis}});
//   ... probe 127.0.0.1:nginx.port() ...
//   pki.Issue(iis, {.names = {"mail.contoso.test"}});   // new files in place
//   nginx.Reload();                                    // what a reload hook runs
//
// Every server runs in the foreground in its own process group (nginx
// "daemon off;", Postfix's master -d, dovecot -F, openssl s_server) and is
// stopped by PID when the object goes away (tests/support/loopback.h). A
// constructor that cannot start its server throws std::runtime_error with
// the server's log, which gtest reports as the test's failure; a test
// checks Unavailable() first and skips with its one line when the program
// is missing.
//
// The certificate layout is the local store's per-service one:
// <root>/services/<SERVICE>/{cert.pem,key.pem,fullchain.pem}.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/loopback.h"

namespace xcert::testing {

namespace fs = std::filesystem;

// The files one service's server reads.
struct ServiceFiles {
  fs::path dir;
  fs::path cert() const { return dir / "cert.pem"; }            // the leaf alone
  fs::path key() const { return dir / "key.pem"; }              // its private key (0600)
  fs::path fullchain() const { return dir / "fullchain.pem"; }  // leaf, then intermediates
};

// <root>/services/<service>.
ServiceFiles ServiceFilesAt(const fs::path& root, const std::string& service);

// A root CA, an intermediate CA under it, and leaves, made with the openssl
// command line (`openssl req` and `openssl ca`), so that tests check xcert
// against certificates it did not make. Keys are ECDSA P-256; the CAs are
// valid from ten years ago to ten years ahead, so any leaf's period fits.
class OpensslPki {
 public:
  struct Leaf {
    std::vector<std::string> names;  // subjectAltName DNS names; the first is also the CN
    int valid_from_days = -1;        // NotBefore, in days from now
    int valid_to_days = 30;          // NotAfter, in days from now (negative: expired)
    bool self_signed = false;        // self-signed instead of issued by the intermediate
  };

  // Makes the two CAs in `dir`. Throws std::runtime_error when openssl fails.
  explicit OpensslPki(const fs::path& dir);

  // Writes a new key and certificate to `files` (cert.pem, key.pem,
  // fullchain.pem = leaf + intermediate, or the leaf alone when
  // self-signed), each replaced atomically as a store switch does. Returns
  // the SHA-1 thumbprint as `openssl x509 -fingerprint -sha1` prints it,
  // without colons.
  std::string Issue(const ServiceFiles& files, const Leaf& leaf);

  fs::path root_cert() const { return dir_ / "root.pem"; }  // the trust anchor
  fs::path intermediate_cert() const { return dir_ / "intermediate.pem"; }

  // `openssl x509 -fingerprint -sha1` of the first certificate in `pem`, as 40
  // upper-case hex digits.
  static std::string Thumbprint(const fs::path& pem);

 private:
  std::string Sign(const fs::path& csr, const fs::path& out, const std::string& extensions,
                   int from_days, int to_days, bool self_signed, const fs::path& issuer_cert,
                   const fs::path& issuer_key);
  fs::path dir_;
  std::string openssl_;
  int serial_ = 0;
};

// What the server classes share: the process, its logs, and its reload.
class LoopbackServer {
 public:
  virtual ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  pid_t pid() const { return process_->pid(); }
  // The command that makes the running server read its certificate files
  // again, as a reload hook would run it (argv, no shell); empty when the
  // server cannot reload (openssl s_server).
  const std::vector<std::string>& reload_command() const { return reload_; }
  // Runs reload_command() and waits for it; throws when it fails. The new
  // certificate is served once the server has switched workers (at once
  // for Dovecot's new logins, within a moment for nginx and Postfix).
  void Reload();
  // The process's output and the server's log files, for failure messages.
  std::string Log() const;
  // Stops the server (the destructor does too).
  void Stop();

 protected:
  LoopbackServer() = default;
  // Starts `argv` and waits until every port in `ports` accepts.
  bool Start(const std::vector<std::string>& argv, const std::vector<uint16_t>& ports,
             const fs::path& dir);
  // Start with fresh ports: `configure` writes the configuration for the
  // ports it is given and returns the argv; tried up to three times when a
  // port was taken between FreeLoopbackPort and the bind. Throws with the
  // log when the server does not come up.
  template <typename Configure>
  void StartOnFreePorts(const std::string& name, size_t port_count, const fs::path& dir,
                        Configure configure);

  std::unique_ptr<BackgroundProcess> process_;
  std::vector<std::string> reload_;
  std::vector<fs::path> logs_;
  std::vector<uint16_t> ports_;
};

// nginx serving HTTPS for several sites on one port, each with its own
// certificate chosen by SNI; the first site is the default server (what a
// client without SNI gets).
struct NginxSite {
  std::vector<std::string> names;  // server_name
  ServiceFiles files;              // ssl_certificate fullchain.pem, ssl_certificate_key key.pem
};
struct NginxOptions {
  int workers = 1;
  int worker_connections = 1024;
};
class NginxServer : public LoopbackServer {
 public:
  // Why nginx cannot run here, or nullopt.
  static std::optional<std::string> Unavailable();
  NginxServer(const fs::path& dir, std::vector<NginxSite> sites, NginxOptions options = {});
  uint16_t port() const { return ports_[0]; }
};

// Postfix's smtpd on a loopback port, offering STARTTLS with `files`
// (smtpd_tls_chain_files = key.pem, fullchain.pem), or no TLS at all, as
// its own instance: a private configuration folder, queue and data
// directory in `dir`, started as `master -c CONF -d` (foreground, in the
// test's process group). Postfix needs root: its queue directories belong
// to the postfix user and its daemons drop privileges to it.
struct PostfixOptions {
  bool tls = true;                  // false: smtpd_tls_security_level = none (no STARTTLS)
  std::string main_cf;              // extra main.cf lines
  std::string process_limit = "-";  // master.cf maxproc of smtpd ("-": default_process_limit)
};
class PostfixServer : public LoopbackServer {
 public:
  static std::optional<std::string> Unavailable();
  PostfixServer(const fs::path& dir, const ServiceFiles& files, PostfixOptions options = {});
  uint16_t port() const { return ports_[0]; }
};

// Dovecot serving IMAP (143 STARTTLS, 993 implicit TLS) with `imap` and POP3
// (110 STLS, 995 implicit TLS) with `pop` on four loopback ports, with a
// private base_dir, state_dir and configuration; logins are not needed to
// probe and succeed for anyone (static passdb). Run as `dovecot -F -c CONF`.
struct DovecotOptions {
  bool tls = true;    // false: ssl = no (STARTTLS refused, no implicit TLS ports)
  std::string extra;  // extra dovecot.conf text
};
class DovecotServer : public LoopbackServer {
 public:
  static std::optional<std::string> Unavailable();
  DovecotServer(const fs::path& dir, const ServiceFiles& imap, const ServiceFiles& pop,
                DovecotOptions options = {});
  uint16_t imap_port() const { return ports_[0]; }   // STARTTLS
  uint16_t pop3_port() const { return ports_[1]; }   // STLS
  uint16_t imaps_port() const { return ports_[2]; }  // 0 without TLS
  uint16_t pop3s_port() const { return ports_[3]; }  // 0 without TLS
};

// `openssl s_server` with implicit TLS, for what real servers are not
// configured to do: send no chain (`chain` empty), a self-signed leaf, any
// certificate at all. It cannot reload.
class OpensslServer : public LoopbackServer {
 public:
  static std::optional<std::string> Unavailable();
  // Serves `cert` (the leaf) with `key`, and the certificates in `chain`
  // after it (none when empty: s_server is kept from completing a chain
  // from the system store).
  OpensslServer(const fs::path& dir, const fs::path& cert, const fs::path& key,
                const fs::path& chain = {});
  uint16_t port() const { return ports_[0]; }
};

// A loopback port whose connections the kernel accepts but nobody ever
// reads or answers: a hung server, for timeouts.
class SilentListener {
 public:
  SilentListener();
  ~SilentListener();
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

}  // namespace xcert::testing
