#include "tests/support/servers.h"

#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <fstream>
#include <stdexcept>
#include <tuple>

#include <arpa/inet.h>
#include <grp.h>
#include <netinet/in.h>

#include "engine/util/file_util.h"
#include "engine/util/strings.h"
#include "tests/support/test_util.h"

namespace xcert::testing {

namespace {

void WriteText(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

RunResult RunOrThrow(const std::vector<std::string>& argv) {
  RunResult r = Run(argv);
  if (r.exit_code != 0) {
    throw std::runtime_error(Join(argv, " ") + " failed (exit " + std::to_string(r.exit_code) +
                             "): " + r.out + r.err);
  }
  return r;
}

std::string ProgramOrThrow(const std::string& name) {
  auto p = FindProgram(name);
  if (!p) throw std::runtime_error(NotInstalled(name));
  return p->string();
}

// Daemons that drop privileges (Postfix, Dovecot's login processes) must
// reach their folders: a test's temporary folder is 0700. Gives search
// permission to `dir` and the parents we own up to the first one others can
// already search (the folder under $TMPDIR, not $TMPDIR itself).
void MakeTraversable(const fs::path& dir) {
  for (fs::path p = fs::absolute(dir); p.has_relative_path(); p = p.parent_path()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0 || st.st_uid != ::geteuid() || (st.st_mode & S_IXOTH)) break;
    ::chmod(p.c_str(), (st.st_mode & 07777) | S_IXGRP | S_IXOTH);
  }
}

// "20261206183000Z" for now + `days`.
std::string AsnTime(int days) {
  const std::time_t t = std::time(nullptr) + static_cast<std::time_t>(days) * 86400;
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d%H%M%SZ", &tm);
  return buf;
}

std::optional<std::string> NeedsRoot(const std::string& program) {
  if (::geteuid() == 0) return std::nullopt;
  return "skipped: " + program +
         " needs root to run its own instance (it switches to its system users); CI runs as root";
}

}  // namespace

ServiceFiles ServiceFilesAt(const fs::path& root, const std::string& service) {
  return {root / "services" / service};
}

// ---- OpensslPki ----

OpensslPki::OpensslPki(const fs::path& dir) : dir_(dir), openssl_(ProgramOrThrow("openssl")) {
  fs::create_directories(dir_ / "new");
  WriteText(dir_ / "index.txt", "");
  WriteText(dir_ / "serial", "1000\n");
  WriteText(dir_ / "ca.cnf",
            "[ca]\ndefault_ca = xca\n"
            "[xca]\n"
            "database = " +
                (dir_ / "index.txt").string() + "\n" + "new_certs_dir = " +
                (dir_ / "new").string() + "\n" + "serial = " + (dir_ / "serial").string() + "\n" +
                "default_md = sha256\npolicy = any\nunique_subject = no\n"
                "copy_extensions = none\nemail_in_dn = no\n"
                "[any]\ncommonName = supplied\n");
  const std::string ca_ext =
      "basicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\n"
      "subjectKeyIdentifier = hash\n";
  for (const char* name : {"root", "intermediate"}) {
    const fs::path key = dir_ / (std::string(name) + ".key");
    const fs::path csr = dir_ / (std::string(name) + ".csr");
    RunOrThrow({openssl_, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-subj", std::string("/CN=xcert test ") + name + " CA", "-keyout",
                key.string(), "-out", csr.string()});
    const bool root = std::string(name) == "root";
    Sign(csr, dir_ / (std::string(name) + ".pem"),
         ca_ext + (root ? "" : "authorityKeyIdentifier = keyid\n"), -3650, 3650, root, root_cert(),
         root ? key : dir_ / "root.key");
  }
}

std::string OpensslPki::Sign(const fs::path& csr, const fs::path& out,
                             const std::string& extensions, int from_days, int to_days,
                             bool self_signed, const fs::path& issuer_cert,
                             const fs::path& issuer_key) {
  const fs::path ext = dir_ / "ext.cnf";
  WriteText(ext, extensions);
  std::vector<std::string> argv = {openssl_,     "ca",
                                   "-batch",     "-notext",
                                   "-config",    (dir_ / "ca.cnf").string(),
                                   "-in",        csr.string(),
                                   "-out",       out.string(),
                                   "-startdate", AsnTime(from_days),
                                   "-enddate",   AsnTime(to_days),
                                   "-extfile",   ext.string(),
                                   "-keyfile",   issuer_key.string()};
  if (self_signed) {
    argv.push_back("-selfsign");
  } else {
    argv.insert(argv.end(), {"-cert", issuer_cert.string()});
  }
  RunOrThrow(argv);
  return ReadFileOrDie(out);
}

std::string OpensslPki::Issue(const ServiceFiles& files, const Leaf& leaf) {
  const fs::path work = dir_ / ("leaf" + std::to_string(++serial_));
  fs::create_directories(work);
  const std::string cn = leaf.names.empty() ? "xcert test leaf" : leaf.names.front();
  RunOrThrow({openssl_, "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
              "-nodes", "-subj", "/CN=" + cn, "-keyout", (work / "key.pem").string(), "-out",
              (work / "req.csr").string()});
  std::string ext =
      "basicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature\n"
      "extendedKeyUsage = serverAuth\nsubjectKeyIdentifier = hash\n"
      "authorityKeyIdentifier = keyid\n";
  if (!leaf.names.empty()) {
    std::vector<std::string> dns;
    for (const std::string& n : leaf.names) dns.push_back("DNS:" + n);
    ext += "subjectAltName = " + Join(dns, ", ") + "\n";
  }
  const std::string cert = Sign(work / "req.csr", work / "cert.pem", ext, leaf.valid_from_days,
                                leaf.valid_to_days, leaf.self_signed, intermediate_cert(),
                                leaf.self_signed ? work / "key.pem" : dir_ / "intermediate.key");
  const std::string fullchain = leaf.self_signed ? cert : cert + ReadFileOrDie(intermediate_cert());
  fs::create_directories(files.dir);
  for (const auto& [path, data, mode] :
       {std::tuple{files.key(), ReadFileOrDie(work / "key.pem"), mode_t{0600}},
        std::tuple{files.cert(), cert, mode_t{0644}},
        std::tuple{files.fullchain(), fullchain, mode_t{0644}}}) {
    const Status s = WriteFileAtomic(path, data, mode);
    if (!s.ok()) throw std::runtime_error(s.message());
  }
  return Thumbprint(files.cert());
}

std::string OpensslPki::Thumbprint(const fs::path& pem) {
  const RunResult r = RunOrThrow(
      {ProgramOrThrow("openssl"), "x509", "-in", pem.string(), "-noout", "-fingerprint", "-sha1"});
  // "SHA1 Fingerprint=AB:CD:..."
  const size_t eq = r.out.find('=');
  if (eq == std::string::npos) throw std::runtime_error("unexpected openssl output: " + r.out);
  std::string hex;
  for (char c : r.out.substr(eq + 1)) {
    if (std::isxdigit(static_cast<unsigned char>(c))) hex += c;
  }
  return ToUpper(hex);
}

// ---- LoopbackServer ----

LoopbackServer::~LoopbackServer() { Stop(); }

void LoopbackServer::Stop() {
  if (process_) process_->Stop();
}

bool LoopbackServer::Start(const std::vector<std::string>& argv, const std::vector<uint16_t>& ports,
                           const fs::path& dir) {
  process_ = std::make_unique<BackgroundProcess>(argv, dir / "process.log");
  for (uint16_t port : ports) {
    if (port != 0 && !process_->WaitForPort(port)) return false;
  }
  return true;
}

template <typename Configure>
void LoopbackServer::StartOnFreePorts(const std::string& name, size_t port_count,
                                      const fs::path& dir, Configure configure) {
  fs::create_directories(dir);
  std::string last_log;
  for (int attempt = 0; attempt < 3; ++attempt) {
    ports_.clear();
    for (size_t i = 0; i < port_count; ++i) ports_.push_back(FreeLoopbackPort());
    const std::vector<std::string> argv = configure(ports_);
    if (Start(argv, ports_, dir)) return;
    last_log = Log();
    process_->Stop();
  }
  throw std::runtime_error(name + " did not start on loopback (see " + dir.string() + "):\n" +
                           last_log);
}

void LoopbackServer::Reload() {
  if (reload_.empty()) throw std::runtime_error("this server cannot reload");
  RunOrThrow(reload_);
}

std::string LoopbackServer::Log() const {
  std::string out = process_ ? process_->Log() : "";
  for (const fs::path& log : logs_) {
    const std::string text = fs::exists(log) ? ReadFileOrDie(log) : "";
    if (!text.empty()) out += "--- " + log.string() + "\n" + text;
  }
  return out;
}

// ---- nginx ----

std::optional<std::string> NginxServer::Unavailable() {
  if (!FindProgram("nginx")) return NotInstalled("nginx");
  return std::nullopt;
}

NginxServer::NginxServer(const fs::path& dir, std::vector<NginxSite> sites, NginxOptions options) {
  const std::string nginx = ProgramOrThrow("nginx");
  const fs::path conf = dir / "nginx.conf";
  const fs::path error_log = dir / "error.log";
  logs_ = {error_log};
  size_t names = 0;
  for (const NginxSite& s : sites) names += s.names.size();
  fs::create_directories(dir / "tmp");
  StartOnFreePorts("nginx", 1, dir, [&](const std::vector<uint16_t>& ports) {
    std::string c = "daemon off;\nmaster_process on;\nworker_processes " +
                    std::to_string(options.workers) + ";\npid " + (dir / "nginx.pid").string() +
                    ";\nerror_log " + error_log.string() + " notice;\n" +
                    "events { worker_connections " + std::to_string(options.worker_connections) +
                    "; }\nhttp {\n  access_log off;\n";
    for (const char* temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
      c += "  " + std::string(temp) + "_temp_path " + (dir / "tmp" / temp).string() + ";\n";
    }
    // nginx 1.22 still offers TLS 1.0 and 1.1 and not 1.3 by default; these
    // are the defaults of nginx 1.23.4 and later.
    c += "  ssl_protocols TLSv1.2 TLSv1.3;\n";
    c += "  server_names_hash_bucket_size 128;\n  server_names_hash_max_size " +
         std::to_string(std::max<size_t>(512, 4 * names)) + ";\n";
    const std::string listen = "127.0.0.1:" + std::to_string(ports[0]);
    for (size_t i = 0; i < sites.size(); ++i) {
      c += "  server {\n    listen " + listen + " ssl" + (i == 0 ? " default_server" : "") +
           ";\n    server_name " + (sites[i].names.empty() ? "\"\"" : Join(sites[i].names, " ")) +
           ";\n    ssl_certificate " + sites[i].files.fullchain().string() +
           ";\n    ssl_certificate_key " + sites[i].files.key().string() +
           ";\n    return 200 \"ok\\n\";\n  }\n";
    }
    c += "}\n";
    WriteText(conf, c);
    return std::vector<std::string>{nginx,        "-e", error_log.string(), "-p",
                                    dir.string(), "-c", conf.string()};
  });
  reload_ = {nginx, "-e",    error_log.string(), "-p", dir.string(), "-c", conf.string(),
             "-s",  "reload"};
}

// ---- Postfix ----

std::optional<std::string> PostfixServer::Unavailable() {
  if (!FindProgram("postfix")) return NotInstalled("postfix");
  if (!fs::exists("/usr/lib/postfix/sbin/master")) return NotInstalled("postfix (master)");
  if (auto why = NeedsRoot("postfix")) return why;
  if (::getpwnam("postfix") == nullptr || ::getgrnam("postdrop") == nullptr) {
    return std::string(
        "skipped: the postfix user or postdrop group is missing (reinstall postfix)");
  }
  return std::nullopt;
}

PostfixServer::PostfixServer(const fs::path& dir, const ServiceFiles& files,
                             PostfixOptions options) {
  const std::string postfix = ProgramOrThrow("postfix");
  const fs::path conf = dir / "conf";
  const fs::path queue = dir / "queue";
  const fs::path data = dir / "data";
  const fs::path log = dir / "postfix.log";
  logs_ = {log};
  const passwd* pw = ::getpwnam("postfix");
  const group* postdrop = ::getgrnam("postdrop");
  if (pw == nullptr || postdrop == nullptr)
    throw std::runtime_error("no postfix user or postdrop group");
  const uid_t postfix_uid = pw->pw_uid;
  const gid_t postdrop_gid = postdrop->gr_gid;
  // What `postfix check` (post-install create-missing) would make, without
  // its seconds of checks: the queue folders `postfix reload` and the
  // daemons use, owned as Postfix requires.
  fs::create_directories(conf);
  fs::create_directories(queue / "pid");
  auto owned = [](const fs::path& p, uid_t uid, gid_t gid, mode_t mode) {
    fs::create_directories(p);
    if (::chown(p.c_str(), uid, gid) != 0 || ::chmod(p.c_str(), mode) != 0) {
      throw std::runtime_error("cannot set the owner of " + p.string());
    }
  };
  for (const char* d : {"active", "bounce", "corrupt", "defer", "deferred", "flush", "hold",
                        "incoming", "saved", "trace", "private"}) {
    owned(queue / d, postfix_uid, 0, 0700);
  }
  owned(queue / "maildrop", postfix_uid, postdrop_gid, 0730);
  owned(queue / "public", postfix_uid, postdrop_gid, 0710);
  owned(data, postfix_uid, 0, 0700);
  MakeTraversable(dir);

  const std::string master = "/usr/lib/postfix/sbin/master";
  StartOnFreePorts("postfix", 1, dir, [&](const std::vector<uint16_t>& ports) {
    std::string main_cf =
        "compatibility_level = 3.6\n"
        "queue_directory = " +
        queue.string() + "\n" + "data_directory = " + data.string() + "\n" +
        "mail_owner = postfix\nsetgid_group = postdrop\n"
        "inet_interfaces = 127.0.0.1\ninet_protocols = ipv4\n"
        "myhostname = mail.xcert.test\nmydestination =\nlocal_recipient_maps =\n"
        "alias_maps =\nalias_database =\nbiff = no\n"
        "maillog_file = " +
        log.string() + "\n" + "maillog_file_prefixes = " + dir.string() + "\n";
    if (options.tls) {
      main_cf += "smtpd_tls_security_level = may\nsmtpd_tls_chain_files = " + files.key().string() +
                 ", " + files.fullchain().string() + "\nsmtpd_tls_loglevel = 1\n";
    } else {
      main_cf += "smtpd_tls_security_level = none\n";
    }
    main_cf += options.main_cf;
    WriteText(conf / "main.cf", main_cf);
    WriteText(conf / "master.cf", "127.0.0.1:" + std::to_string(ports[0]) + " inet n - n - " +
                                      options.process_limit +
                                      " smtpd\n"
                                      "postlog unix-dgram n - n - 1 postlogd\n"
                                      "anvil unix - - n - 1 anvil\n"
                                      "proxymap unix - - n - - proxymap\n"
                                      "tlsmgr unix - - n 1000? 1 tlsmgr\n");
    // A master that did not stop cleanly leaves its lock.
    fs::remove(data / "master.lock");
    return std::vector<std::string>{master, "-c", conf.string(), "-d"};
  });
  reload_ = {postfix, "-c", conf.string(), "reload"};
}

// ---- Dovecot ----

std::optional<std::string> DovecotServer::Unavailable() {
  if (!FindProgram("dovecot") || !FindProgram("doveadm")) return NotInstalled("dovecot-core");
  if (!fs::exists("/usr/lib/dovecot/imap-login")) return NotInstalled("dovecot-imapd");
  if (!fs::exists("/usr/lib/dovecot/pop3-login")) return NotInstalled("dovecot-pop3d");
  return NeedsRoot("dovecot");
}

DovecotServer::DovecotServer(const fs::path& dir, const ServiceFiles& imap, const ServiceFiles& pop,
                             DovecotOptions options) {
  const std::string dovecot = ProgramOrThrow("dovecot");
  const std::string doveadm = ProgramOrThrow("doveadm");
  const fs::path conf = dir / "dovecot.conf";
  const fs::path log = dir / "dovecot.log";
  logs_ = {log};
  fs::create_directories(dir / "r");
  fs::create_directories(dir / "state");
  MakeTraversable(dir);
  StartOnFreePorts("dovecot", options.tls ? 4 : 2, dir, [&](const std::vector<uint16_t>& ports) {
    auto listener = [&](const char* name, uint16_t port, bool ssl) {
      return "  inet_listener " + std::string(name) +
             " {\n    address = 127.0.0.1\n    port = " + std::to_string(port) + "\n" +
             (ssl ? "    ssl = yes\n" : "") + "  }\n";
    };
    const uint16_t imaps = options.tls ? ports[2] : 0;
    const uint16_t pop3s = options.tls ? ports[3] : 0;
    auto certs = [](const ServiceFiles& f) {
      return "  ssl_cert = <" + f.fullchain().string() + "\n  ssl_key = <" + f.key().string() +
             "\n";
    };
    std::string c = "base_dir = " + (dir / "r").string() +
                    "\nstate_dir = " + (dir / "state").string() + "\nlog_path = " + log.string() +
                    "\nprotocols = imap pop3\nlisten = 127.0.0.1\n"
                    "mail_location = maildir:" +
                    (dir / "mail/%u").string() + "\n" +
                    "passdb {\n  driver = static\n  args = nopassword=y\n}\n"
                    "userdb {\n  driver = static\n  args = uid=nobody gid=nogroup home=" +
                    (dir / "home/%u").string() + "\n}\n";
    if (options.tls) {
      c += "ssl = yes\n" + certs(imap) + "protocol imap {\n" + certs(imap) + "}\n" +
           "protocol pop3 {\n" + certs(pop) + "}\n";
    } else {
      c += "ssl = no\n";
    }
    c += "service imap-login {\n" + listener("imap", ports[0], false) +
         listener("imaps", imaps, true) + "}\n" + "service pop3-login {\n" +
         listener("pop3", ports[1], false) + listener("pop3s", pop3s, true) + "}\n";
    c += options.extra;
    WriteText(conf, c);
    return std::vector<std::string>{dovecot, "-F", "-c", conf.string()};
  });
  if (!options.tls) ports_.resize(4, 0);
  reload_ = {doveadm, "-c", conf.string(), "reload"};
}

// ---- openssl s_server ----

std::optional<std::string> OpensslServer::Unavailable() {
  if (!FindProgram("openssl")) return NotInstalled("openssl");
  return std::nullopt;
}

OpensslServer::OpensslServer(const fs::path& dir, const fs::path& cert, const fs::path& key,
                             const fs::path& chain) {
  const std::string openssl = ProgramOrThrow("openssl");
  StartOnFreePorts("openssl s_server", 1, dir, [&](const std::vector<uint16_t>& ports) {
    // -www answers HTTP without reading stdin (which is /dev/null); the
    // -no-CA* flags keep it from completing a chain from the system store.
    std::vector<std::string> argv = {
        openssl,      "s_server",    "-quiet",
        "-www",       "-accept",     "127.0.0.1:" + std::to_string(ports[0]),
        "-cert",      cert.string(), "-key",
        key.string(), "-no-CAfile",  "-no-CApath",
        "-no-CAstore"};
    if (!chain.empty()) argv.insert(argv.end(), {"-cert_chain", chain.string()});
    return argv;
  });
}

// ---- SilentListener ----

SilentListener::SilentListener() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(fd_, 64) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd_ >= 0) ::close(fd_);
    throw std::runtime_error("cannot listen on a loopback port");
  }
  port_ = ntohs(addr.sin_port);
}

SilentListener::~SilentListener() { ::close(fd_); }

}  // namespace xcert::testing
