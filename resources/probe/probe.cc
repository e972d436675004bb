#include "resources/probe/probe.h"

#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <system_error>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "resources/probe/starttls.h"
#include "resources/x509/digest.h"
#include "resources/x509/openssl_util.h"

namespace xcert::probe {

namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

using SslCtxPtr = x509::OpenSslPtr<SSL_CTX, SSL_CTX_free>;

std::string FormatMillis(milliseconds d) {
  const long long ms = d.count();
  if (ms >= 1000 && ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  return std::to_string(ms) + " ms";
}

// One client context for every probe: it verifies nothing (the checks do,
// with the trust anchors the user chose), accepts every protocol version
// and key size OpenSSL can still speak, and never resumes a session, so
// every probe sees the certificate the server serves now.
SSL_CTX* ClientContext() {
  static const SslCtxPtr ctx = [] {
    SslCtxPtr c(SSL_CTX_new(TLS_client_method()));
    if (!c) return c;
    SSL_CTX_set_verify(c.get(), SSL_VERIFY_NONE, nullptr);
    // With SSL_VERIFY_NONE OpenSSL still builds and verifies the chain and
    // ignores the result; the checks verify it once, against the anchors
    // the user chose.
    SSL_CTX_set_cert_verify_callback(
        c.get(), [](X509_STORE_CTX*, void*) { return 1; }, nullptr);
    SSL_CTX_set_security_level(c.get(), 0);
    SSL_CTX_set_min_proto_version(c.get(), TLS1_VERSION);
    SSL_CTX_set_max_proto_version(c.get(), 0);
    SSL_CTX_set_cipher_list(c.get(), "DEFAULT:@SECLEVEL=0");
    SSL_CTX_set_session_cache_mode(c.get(), SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(c.get(), SSL_OP_NO_TICKET);
    return c;
  }();
  return ctx.get();
}

// ---- name resolution ----

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
};

struct Resolution {
  std::vector<Address> addresses;
  std::string error;  // why there are none
};

Resolution Resolve(const std::string& name, bool numeric_only) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = numeric_only ? AI_NUMERICHOST : 0;
  addrinfo* list = nullptr;
  const int rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &list);
  Resolution out;
  if (rc != 0) {
    out.error = rc == EAI_SYSTEM ? std::strerror(errno) : ::gai_strerror(rc);
    return out;
  }
  for (const addrinfo* a = list; a != nullptr; a = a->ai_next) {
    if (a->ai_addrlen > sizeof(sockaddr_storage)) continue;
    Address addr;
    std::memcpy(&addr.storage, a->ai_addr, a->ai_addrlen);
    addr.length = a->ai_addrlen;
    out.addresses.push_back(addr);
  }
  ::freeaddrinfo(list);
  if (out.addresses.empty()) out.error = "no address";
  return out;
}

// Every distinct address of `targets`, resolved: literals at once, names on
// up to `parallel` threads.
std::map<std::string, Resolution> ResolveAll(const std::vector<Target>& targets, size_t parallel) {
  std::map<std::string, Resolution> out;
  std::vector<std::map<std::string, Resolution>::iterator> names;
  for (const Target& t : targets) {
    if (out.count(t.address)) continue;
    auto it = out.emplace(t.address, Resolve(t.address, /*numeric_only=*/true)).first;
    if (it->second.addresses.empty()) names.push_back(it);
  }
  if (names.empty()) return out;
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < names.size();) {
      names[i]->second = Resolve(names[i]->first, /*numeric_only=*/false);
    }
  };
  std::vector<std::thread> threads;
  const size_t n = std::min(parallel, names.size());
  for (size_t i = 1; i < n; ++i) {
    try {
      threads.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // fewer threads: the calling thread resolves the rest
    }
  }
  work();
  for (std::thread& t : threads) t.join();
  return out;
}

// ---- one probe ----

enum class Phase { kConnect, kDialog, kHandshake, kDone };

struct Connection {
  Connection(const Target& t, const Resolution& r, const ProbeOptions& o)
      : target(t), resolution(r), options(o) {}
  ~Connection() { Close(); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void Close() {
    if (ssl != nullptr) {
      SSL_free(ssl);
      ssl = nullptr;
    }
    if (fd >= 0) {
      ::close(fd);
      fd = -1;
    }
  }

  const Target& target;
  const Resolution& resolution;
  const ProbeOptions& options;
  size_t next_address = 0;
  std::string connect_error;
  SteadyClock::time_point start;
  SteadyClock::time_point deadline;
  int fd = -1;
  SSL* ssl = nullptr;
  Phase phase = Phase::kConnect;
  std::optional<StartTlsDialog> dialog;
  std::string pending;  // dialog bytes still to send
  short events = 0;     // what poll waits for
  ProbeResult result;
};

void Finish(Connection& c, Outcome outcome, std::string reason) {
  c.result.outcome = outcome;
  c.result.reason = std::move(reason);
  c.result.elapsed = std::chrono::duration_cast<milliseconds>(SteadyClock::now() - c.start);
  if (outcome == Outcome::kOk && c.ssl != nullptr) {
    // A polite close_notify; the answer does not matter.
    SSL_shutdown(c.ssl);
  }
  ERR_clear_error();
  c.Close();
  c.phase = Phase::kDone;
}

std::string Endpoint(const Target& t) {
  const bool v6 = t.address.find(':') != std::string::npos;
  return (v6 ? "[" + t.address + "]" : t.address) + ":" + std::to_string(t.EffectivePort());
}

void Collect(Connection& c) {
  X509* leaf = SSL_get0_peer_certificate(c.ssl);
  if (leaf == nullptr) {
    Finish(c, Outcome::kHandshakeFailed, "the server sent no certificate");
    return;
  }
  auto leaf_der = x509::CertificateToDer(leaf);
  if (!leaf_der.ok()) {
    Finish(c, Outcome::kHandshakeFailed,
           "the certificate the server sent cannot be encoded: " + leaf_der.status().message());
    return;
  }
  ProbeResult& r = c.result;
  r.leaf_der = std::move(leaf_der).value();
  r.thumbprint = x509::Sha1Hex(r.leaf_der);
  // On a client, the peer chain starts with the peer's own certificate.
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(c.ssl);
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    auto der = x509::CertificateToDer(sk_X509_value(chain, i));
    if (!der.ok() || (i == 0 && *der == r.leaf_der)) continue;
    r.chain_der.push_back(std::move(der).value());
  }
  r.tls_version = SSL_get_version(c.ssl);
  if (const SSL_CIPHER* cipher = SSL_get_current_cipher(c.ssl)) {
    r.cipher = SSL_CIPHER_get_name(cipher);
  }
  Finish(c, Outcome::kOk, "");
}

void Handshake(Connection& c) {
  ERR_clear_error();
  const int rc = SSL_do_handshake(c.ssl);
  if (rc == 1) {
    Collect(c);
    return;
  }
  const int err = SSL_get_error(c.ssl, rc);
  if (err == SSL_ERROR_WANT_READ) {
    c.events = POLLIN;
    return;
  }
  if (err == SSL_ERROR_WANT_WRITE) {
    c.events = POLLOUT;
    return;
  }
  const int saved_errno = errno;
  std::string reasons = x509::DrainOpenSslErrors();
  if (err == SSL_ERROR_SSL && !reasons.empty()) {
    // A server answering in plaintext (HTTP, or a STARTTLS port probed with
    // implicit TLS) makes OpenSSL read its bytes as a bad record header.
    if (reasons.find("wrong version number") != std::string::npos ||
        reasons.find("packet length too long") != std::string::npos ||
        reasons.find("record layer failure") != std::string::npos) {
      reasons += " (the server did not answer with TLS: is this a plaintext or STARTTLS port?)";
    }
    Finish(c, Outcome::kHandshakeFailed, "TLS handshake failed: " + reasons);
    return;
  }
  if (err == SSL_ERROR_SYSCALL && saved_errno != 0) {
    Finish(c, Outcome::kHandshakeFailed,
           std::string("TLS handshake failed: ") + std::strerror(saved_errno));
    return;
  }
  Finish(c, Outcome::kHandshakeFailed,
         "the server closed the connection during the TLS handshake" +
             (reasons.empty() ? std::string() : " (" + reasons + ")"));
}

void StartHandshake(Connection& c) {
  c.ssl = SSL_new(ClientContext());
  if (c.ssl == nullptr || SSL_set_fd(c.ssl, c.fd) != 1 ||
      (!c.target.sni.empty() && SSL_set_tlsext_host_name(c.ssl, c.target.sni.c_str()) != 1)) {
    Finish(c, Outcome::kHandshakeFailed,
           "cannot set up TLS: " + x509::DrainOpenSslErrors() +
               (c.target.sni.empty() ? "" : " (SNI name '" + c.target.sni + "')"));
    return;
  }
  SSL_set_connect_state(c.ssl);
  c.phase = Phase::kHandshake;
  Handshake(c);
}

void Connected(Connection& c) {
  if (!UsesStartTls(c.target.protocol)) {
    StartHandshake(c);
    return;
  }
  c.dialog.emplace(c.target.protocol, c.options.ehlo_name);
  c.phase = Phase::kDialog;
  c.events = POLLIN;
}

void TryNextAddress(Connection& c) {
  while (c.next_address < c.resolution.addresses.size()) {
    Address addr = c.resolution.addresses[c.next_address++];
    const uint16_t port = htons(c.target.EffectivePort());
    if (addr.storage.ss_family == AF_INET) {
      reinterpret_cast<sockaddr_in*>(&addr.storage)->sin_port = port;
    } else if (addr.storage.ss_family == AF_INET6) {
      reinterpret_cast<sockaddr_in6*>(&addr.storage)->sin6_port = port;
    }
    c.fd = ::socket(addr.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) {
      c.connect_error = std::strerror(errno);
      continue;
    }
    if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&addr.storage), addr.length) == 0) {
      Connected(c);
      return;
    }
    if (errno == EINPROGRESS) {
      c.phase = Phase::kConnect;
      c.events = POLLOUT;
      return;
    }
    c.connect_error = std::strerror(errno);
    c.Close();
  }
  Finish(c, Outcome::kUnreachable,
         "cannot connect to " + Endpoint(c.target) + ": " +
             (c.connect_error.empty() ? "no address" : c.connect_error));
}

void ConnectDone(Connection& c) {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err == 0) {
    Connected(c);
    return;
  }
  c.connect_error = std::strerror(err);
  c.Close();
  TryNextAddress(c);
}

void ApplyStep(Connection& c, StartTlsDialog::Step step);

void Flush(Connection& c) {
  while (!c.pending.empty()) {
    const ssize_t n = ::send(c.fd, c.pending.data(), c.pending.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        c.events = POLLOUT;
        return;
      }
      if (errno == EINTR) continue;
      Finish(c, Outcome::kProtocolError,
             std::string("the connection broke while sending: ") + std::strerror(errno));
      return;
    }
    c.pending.erase(0, static_cast<size_t>(n));
  }
  c.events = POLLIN;
}

void ReadDialog(Connection& c) {
  char buf[4096];
  for (;;) {
    const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR) continue;
      Finish(c, Outcome::kProtocolError,
             "the connection broke while waiting for " + c.dialog->Awaiting() + ": " +
                 std::strerror(errno));
      return;
    }
    if (n == 0) {
      Finish(c, Outcome::kProtocolError,
             "the server closed the connection while we waited for " + c.dialog->Awaiting());
      return;
    }
    ApplyStep(c, c.dialog->Receive(std::string_view(buf, static_cast<size_t>(n))));
    if (c.phase != Phase::kDialog || !c.pending.empty()) return;
  }
}

void ApplyStep(Connection& c, StartTlsDialog::Step step) {
  using Action = StartTlsDialog::Action;
  switch (step.action) {
    case Action::kWait: return;
    case Action::kSend:
      c.pending = std::move(step.text);
      Flush(c);
      return;
    case Action::kStartTls: StartHandshake(c); return;
    case Action::kRefused: Finish(c, Outcome::kStartTlsRefused, std::move(step.text)); return;
    case Action::kError: Finish(c, Outcome::kProtocolError, std::move(step.text)); return;
  }
}

void Begin(Connection& c) {
  c.start = SteadyClock::now();
  c.deadline = c.start + c.options.timeout;
  if (c.resolution.addresses.empty()) {
    Finish(c, Outcome::kUnreachable,
           "cannot resolve '" + c.target.address + "': " + c.resolution.error);
    return;
  }
  TryNextAddress(c);
}

void Advance(Connection& c, short revents) {
  switch (c.phase) {
    case Phase::kConnect: ConnectDone(c); return;
    case Phase::kDialog:
      if ((revents & POLLOUT) && !c.pending.empty()) Flush(c);
      if (c.phase == Phase::kDialog && c.pending.empty() &&
          (revents & (POLLIN | POLLHUP | POLLERR))) {
        ReadDialog(c);
      }
      return;
    case Phase::kHandshake: Handshake(c); return;
    case Phase::kDone: return;
  }
}

void Expire(Connection& c) {
  const std::string within = " within " + FormatMillis(c.options.timeout);
  switch (c.phase) {
    case Phase::kConnect:
      Finish(c, Outcome::kUnreachable,
             "no answer to the connection to " + Endpoint(c.target) + within +
                 " (the host is down or a firewall drops the packets)");
      return;
    case Phase::kDialog:
      Finish(c, Outcome::kTimeout,
             "the server did not send " + c.dialog->Awaiting() + within +
                 (c.dialog->AwaitingGreeting() ? " (is this an implicit TLS port?)" : ""));
      return;
    case Phase::kHandshake:
      Finish(c, Outcome::kTimeout, "the TLS handshake did not complete" + within);
      return;
    case Phase::kDone: return;
  }
}

// ---- the event loops ----

// A write to a connection the server has closed raises SIGPIPE, which would
// end the process; OpenSSL's socket writes cannot pass MSG_NOSIGNAL. The
// signal is blocked on a probing thread and any SIGPIPE it raised is
// discarded before the thread's mask is restored.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~SigpipeBlock() {
    if (!was_pending_) {
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGPIPE);
      const timespec zero{};
      while (sigtimedwait(&set, nullptr, &zero) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t old_{};
  bool was_pending_ = false;
};

struct Shared {
  const std::vector<Target>& targets;
  const std::map<std::string, Resolution>& resolved;
  const ProbeOptions& options;
  std::vector<ProbeResult>& results;
  std::atomic<size_t> next{0};
};

void RunLoop(Shared& shared, size_t slots) {
  SigpipeBlock sigpipe;
  std::vector<std::unique_ptr<Connection>> active;
  std::vector<pollfd> fds;
  auto retire = [&](size_t k) {
    const size_t index = static_cast<size_t>(&active[k]->target - shared.targets.data());
    shared.results[index] = std::move(active[k]->result);
    active[k] = std::move(active.back());
    active.pop_back();
  };
  for (;;) {
    while (active.size() < slots) {
      const size_t i = shared.next.fetch_add(1);
      if (i >= shared.targets.size()) break;
      const Target& t = shared.targets[i];
      active.push_back(
          std::make_unique<Connection>(t, shared.resolved.at(t.address), shared.options));
      Begin(*active.back());
      if (active.back()->phase == Phase::kDone) retire(active.size() - 1);
    }
    if (active.empty()) return;

    SteadyClock::time_point first = active.front()->deadline;
    fds.clear();
    for (const auto& c : active) {
      fds.push_back({c->fd, c->events, 0});
      first = std::min(first, c->deadline);
    }
    const auto wait = std::chrono::ceil<milliseconds>(first - SteadyClock::now());
    const int rc =
        ::poll(fds.data(), fds.size(),
               static_cast<int>(std::max<long long>(0, std::min<long long>(wait.count(), 60000))));
    if (rc < 0 && errno != EINTR) {
      for (auto& c : active) {
        Finish(*c, Outcome::kUnreachable, std::string("poll failed: ") + std::strerror(errno));
      }
    }
    const SteadyClock::time_point now = SteadyClock::now();
    // fds[k] belongs to active[k] until a connection is retired below.
    for (size_t k = 0; k < active.size(); ++k) {
      Connection& c = *active[k];
      if (c.phase != Phase::kDone && rc > 0 && fds[k].revents != 0) Advance(c, fds[k].revents);
      if (c.phase != Phase::kDone && now >= c.deadline) Expire(c);
    }
    for (size_t k = active.size(); k-- > 0;) {
      if (active[k]->phase == Phase::kDone) retire(k);
    }
  }
}

}  // namespace

std::string Target::Describe() const {
  return std::string(ProtocolName(protocol)) + " " + Endpoint(*this) +
         (sni.empty() ? " (no SNI)" : " (SNI " + sni + ")");
}

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kOk: return "ok";
    case Outcome::kUnreachable: return "unreachable";
    case Outcome::kTimeout: return "timeout";
    case Outcome::kStartTlsRefused: return "starttls refused";
    case Outcome::kHandshakeFailed: return "handshake failed";
    case Outcome::kProtocolError: return "protocol error";
  }
  return "?";
}

std::vector<ProbeResult> ProbeAll(const std::vector<Target>& targets, const ProbeOptions& options) {
  std::vector<ProbeResult> results(targets.size());
  if (targets.empty()) return results;
  const size_t concurrency = std::max<size_t>(1, options.concurrency);
  const std::map<std::string, Resolution> resolved = ResolveAll(targets, concurrency);
  if (ClientContext() == nullptr) {
    const std::string why = "cannot create a TLS client context: " + x509::DrainOpenSslErrors();
    for (ProbeResult& r : results) {
      r.outcome = Outcome::kHandshakeFailed;
      r.reason = why;
    }
    return results;
  }
  size_t loops = options.threads != 0 ? options.threads
                                      : std::max<unsigned>(1, std::thread::hardware_concurrency());
  loops = std::min({loops, concurrency, targets.size()});
  Shared shared{targets, resolved, options, results};
  std::vector<std::thread> threads;
  // Loop i gets concurrency / loops slots, the first ones one more for the rest.
  auto slots = [&](size_t i) { return concurrency / loops + (i < concurrency % loops ? 1 : 0); };
  for (size_t i = 1; i < loops; ++i) {
    try {
      threads.emplace_back(RunLoop, std::ref(shared), slots(i));
    } catch (const std::system_error&) {
      break;  // fewer loops; the shared queue still reaches every target
    }
  }
  RunLoop(shared, slots(0));
  for (std::thread& t : threads) t.join();
  return results;
}

ProbeResult Probe(const Target& target, const ProbeOptions& options) {
  return std::move(ProbeAll({target}, options).front());
}

}  // namespace xcert::probe
