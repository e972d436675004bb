// The limits: what OpenSSL (and yaml-cpp) alone need for the work xcert does,
// measured on this machine in this run, so that every scenario of bench/run
// can be reported as a ratio to its limit (docs/performance.md).
//
//   xcert_bench_limits --store DIR [--manifest FILE] [--workdir DIR] [--repeat N]
//                      [--keygen-seconds S] [--no-keygen]
//
// prints one JSON object on stdout. Every loop is a minimal one: no error
// reporting beyond a failure count, no allocation that the work does not
// need, one thread unless the name says "all_cores".
//
//   listing            readdir of <store>/<server>/certificates/ for every server
//   x509_parse         per cert.pem: read, PEM_read_bio_X509, SHA-1 thumbprint,
//                      subjectAltName DNS names, NotAfter (OpenSSL objects)
//   der_walk           per cert.pem: read, base64 decode (EVP_DecodeUpdate),
//                      SHA-1, a direct DER walk (resources/x509/der.h Reader) to
//                      the DNS names and NotAfter; no X509 object
//   format_floor       what any reader of docs/store-format.md must do to read
//                      every server: per server, list its folder, certificates/
//                      and requests/, read server.json and bindings.json; per
//                      certificate, list its folder, read cert.pem (base64,
//                      SHA-1, DER walk as der_walk), stat key.pem and read
//                      meta.json (not decoded). Files are opened relative to
//                      their folder. Not a target: it shows how much of xcert's
//                      cost the format's own system calls are.
//   yaml_load          YAML::LoadFile of the manifest (the parse only)
//   keygen_*           one key, one core (and RSA-2048 on every core at once)
//   sign_leaf          build and sign a leaf certificate with an RSA-2048 CA key
//   fsync_replace      write 4 KiB to a temp file, fsync, rename over the
//                      target, fsync the directory
//   pkcs12_export      PKCS12_create with OpenSSL's default algorithms + i2d
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <dirent.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <time.h>
#include <yaml-cpp/yaml.h>

#include "resources/x509/der.h"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::ordered_json;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// CPU time of the process so far, in ms. The loops below run on one thread,
// so on a shared machine this is what the work cost, whatever else ran.
double CpuMs() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return 1000.0 * double(ts.tv_sec) + double(ts.tv_nsec) / 1e6;
}

// Median, min and max of `runs` timings of fn(): wall and CPU time (ms).
ordered_json Repeat(int runs, const std::function<void()>& fn) {
  std::vector<double> wall, cpu;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = Clock::now();
    const double c0 = CpuMs();
    fn();
    cpu.push_back(CpuMs() - c0);
    wall.push_back(Ms(Clock::now() - t0));
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  return {{"median_ms", wall[wall.size() / 2]},
          {"min_ms", wall.front()},
          {"max_ms", wall.back()},
          {"cpu_median_ms", cpu[cpu.size() / 2]},
          {"cpu_min_ms", cpu.front()},
          {"cpu_max_ms", cpu.back()}};
}

std::vector<std::string> ListDir(const std::string& dir, bool dirs_only) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    if (dirs_only && e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) continue;
    out.emplace_back(e->d_name);
  }
  ::closedir(d);
  return out;
}

// Every <store>/<server>/certificates/<T>/cert.pem.
std::vector<std::string> ListCertFiles(const std::string& store) {
  std::vector<std::string> files;
  for (const std::string& server : ListDir(store, true)) {
    if (server == "journal") continue;
    const std::string certs = store + "/" + server + "/certificates";
    for (const std::string& t : ListDir(certs, true))
      files.push_back(certs + "/" + t + "/cert.pem");
  }
  return files;
}

// Reads `name` (relative to `dirfd`, or AT_FDCWD) whole.
bool ReadAt(int dirfd, const char* name, std::string* out) {
  const int fd = ::openat(dirfd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  out->clear();
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    out->append(buf, size_t(n));
  }
  ::close(fd);
  return true;
}

struct Totals {
  size_t certs = 0;
  size_t names = 0;
  size_t failures = 0;
  long long not_after_sum = 0;  // keeps the work observable
  unsigned char digest_xor = 0;
};

// PEM -> X509 object, SHA-1, DNS names, NotAfter.
void X509Parse(const std::vector<std::string>& files, Totals* t) {
  std::string text;
  for (const std::string& p : files) {
    if (!ReadAt(AT_FDCWD, p.c_str(), &text)) {
      ++t->failures;
      continue;
    }
    BIO* bio = BIO_new_mem_buf(text.data(), int(text.size()));
    X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (!x) {
      ++t->failures;
      continue;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    X509_digest(x, EVP_sha1(), md, &len);
    t->digest_xor ^= md[0];
    auto* san =
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; san && i < sk_GENERAL_NAME_num(san); ++i) {
      const GENERAL_NAME* n = sk_GENERAL_NAME_value(san, i);
      if (n->type == GEN_DNS) {
        t->names += size_t(ASN1_STRING_length(n->d.dNSName)) > 0;
      }
    }
    GENERAL_NAMES_free(san);
    int days = 0, secs = 0;
    ASN1_TIME_diff(&days, &secs, nullptr, X509_get0_notAfter(x));
    t->not_after_sum += days;
    X509_free(x);
    ++t->certs;
  }
}

// The DER walk: Certificate -> tbsCertificate -> validity.notAfter and the
// subjectAltName extension's dNSName entries.
bool WalkDer(std::string_view der, Totals* t) {
  using namespace xcert::x509::der;
  Reader top(der);
  auto cert = top.Read(kSequence, "certificate");
  if (!cert.ok()) return false;
  Reader c(cert->value);
  auto tbs = c.Read(kSequence, "tbs");
  if (!tbs.ok()) return false;
  Reader r(tbs->value);
  if (r.NextTagIs(ContextConstructed(0)) && !r.Read("version").ok()) return false;
  for (const char* what : {"serial", "signature", "issuer"}) {
    if (!r.Read(what).ok()) return false;
  }
  auto validity = r.Read(kSequence, "validity");
  if (!validity.ok()) return false;
  Reader v(validity->value);
  if (!v.Read("notBefore").ok()) return false;
  auto not_after = v.Read("notAfter");
  if (!not_after.ok()) return false;
  auto when = DecodeTime(*not_after, "notAfter");
  if (!when.ok()) return false;
  t->not_after_sum += when->time_since_epoch().count() / 86400;
  for (const char* what : {"subject", "spki"}) {
    if (!r.Read(what).ok()) return false;
  }
  while (!r.AtEnd() && !r.NextTagIs(ContextConstructed(3))) {
    if (!r.Read("unique id").ok()) return false;
  }
  if (r.AtEnd()) return true;
  auto explicit_ext = r.Read("extensions");
  if (!explicit_ext.ok()) return false;
  Reader eo(explicit_ext->value);
  auto exts = eo.Read(kSequence, "extensions");
  if (!exts.ok()) return false;
  static const std::string kSan = EncodeOid("2.5.29.17");
  Reader er(exts->value);
  while (!er.AtEnd()) {
    auto ext = er.Read(kSequence, "extension");
    if (!ext.ok()) return false;
    Reader x(ext->value);
    auto oid = x.Read(kOid, "oid");
    if (!oid.ok()) return false;
    if (oid->value != kSan) continue;
    if (x.NextTagIs(kBoolean) && !x.Read("critical").ok()) return false;
    auto value = x.Read(kOctetString, "value");
    if (!value.ok()) return false;
    Reader s(value->value);
    auto names = s.Read(kSequence, "names");
    if (!names.ok()) return false;
    Reader n(names->value);
    while (!n.AtEnd()) {
      auto name = n.Read("name");
      if (!name.ok()) return false;
      if (name->tag == ContextPrimitive(2)) t->names += !name->value.empty();
    }
  }
  return true;
}

// Base64-decode the single PEM block of `text`, SHA-1, walk.
bool DecodeAndWalk(const std::string& text, EVP_ENCODE_CTX* ctx, Totals* t) {
  const size_t begin = text.find("-----\n");
  const size_t end = text.find("-----END");
  if (begin == std::string::npos || end == std::string::npos) return false;
  const auto* in = reinterpret_cast<const unsigned char*>(text.data() + begin + 6);
  const int in_len = int(end - begin - 6);
  std::string der(size_t(in_len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  int n = 0, m = 0;
  EVP_DecodeInit(ctx);
  if (EVP_DecodeUpdate(ctx, out, &n, in, in_len) < 0 || EVP_DecodeFinal(ctx, out + n, &m) < 0) {
    return false;
  }
  der.resize(size_t(n + m));
  unsigned char md[20];
  SHA1(reinterpret_cast<const unsigned char*>(der.data()), der.size(), md);
  t->digest_xor ^= md[0];
  return WalkDer(der, t);
}

// Read, base64-decode the single PEM block, SHA-1, walk.
void DerWalk(const std::vector<std::string>& files, Totals* t) {
  std::string text;
  EVP_ENCODE_CTX* ctx = EVP_ENCODE_CTX_new();
  for (const std::string& p : files) {
    if (!ReadAt(AT_FDCWD, p.c_str(), &text) || !DecodeAndWalk(text, ctx, t)) {
      ++t->failures;
      continue;
    }
    ++t->certs;
  }
  EVP_ENCODE_CTX_free(ctx);
}

// getdents64 over an open folder: the names (without . and ..).
std::vector<std::string> ListFd(int fd) {
  std::vector<std::string> out;
  alignas(8) char buf[4096];
  for (;;) {
    const long n = ::getdents64(fd, buf, sizeof buf);
    if (n <= 0) break;
    for (long pos = 0; pos < n;) {
      const auto* e = reinterpret_cast<const dirent64*>(buf + pos);
      pos += e->d_reclen;
      if (e->d_name[0] == '.' && (e->d_name[1] == 0 || (e->d_name[1] == '.' && !e->d_name[2])))
        continue;
      out.emplace_back(e->d_name);
    }
  }
  return out;
}

void FormatFloor(const std::string& store, Totals* t) {
  std::string text;
  const int root = ::open(store.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return;
  EVP_ENCODE_CTX* ctx = EVP_ENCODE_CTX_new();
  for (const std::string& server : ListFd(root)) {
    if (server == "journal" || server == "xcert-store.json" || server == "xcert.lock") continue;
    const int sfd = ::openat(root, server.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (sfd < 0) continue;
    ListFd(sfd);
    ReadAt(sfd, "server.json", &text);
    ReadAt(sfd, "bindings.json", &text);
    for (const char* sub : {"certificates", "requests"}) {
      const int cfd = ::openat(sfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (cfd < 0) continue;
      for (const std::string& item : ListFd(cfd)) {
        const int ifd = ::openat(cfd, item.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (ifd < 0) continue;
        ListFd(ifd);
        if (ReadAt(ifd, "cert.pem", &text)) {
          if (DecodeAndWalk(text, ctx, t))
            ++t->certs;
          else
            ++t->failures;
        }
        struct stat st;
        ::fstatat(ifd, "key.pem", &st, AT_SYMLINK_NOFOLLOW);
        ReadAt(ifd, "meta.json", &text);
        ::close(ifd);
      }
      ::close(cfd);
    }
    ::close(sfd);
  }
  EVP_ENCODE_CTX_free(ctx);
  ::close(root);
}

EVP_PKEY* Keygen(const char* what) {
  if (std::strcmp(what, "rsa2048") == 0) return EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", 2048);
  if (std::strcmp(what, "rsa3072") == 0) return EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", 3072);
  return EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
}

std::string PemOf(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, size_t(n));
  BIO_free(bio);
  return out;
}

// Keys per second on one core: at least `min_keys` keys and `seconds` seconds
// of CPU time. The rate is per CPU second (what one core does when it is not
// shared); the wall rate is reported beside it.
ordered_json KeygenRate(const char* what, int min_keys, double seconds, bool pem) {
  const auto t0 = Clock::now();
  const double c0 = CpuMs();
  int keys = 0;
  size_t bytes = 0;
  while (keys < min_keys || CpuMs() - c0 < seconds * 1000) {
    EVP_PKEY* k = Keygen(what);
    if (pem) bytes += PemOf(k).size();
    EVP_PKEY_free(k);
    ++keys;
  }
  const double cpu = CpuMs() - c0, wall = Ms(Clock::now() - t0);
  return {{"keys", keys},
          {"per_key_ms", cpu / keys},
          {"keys_per_second", 1000.0 * keys / cpu},
          {"wall_keys_per_second", 1000.0 * keys / wall}};
}

// Per-operation CPU and wall time of fn() run `n` times.
ordered_json PerOp(int n, const std::function<void()>& fn) {
  const auto t0 = Clock::now();
  const double c0 = CpuMs();
  for (int i = 0; i < n; ++i) fn();
  return {{"count", n},
          {"per_op_ms", (CpuMs() - c0) / n},
          {"wall_per_op_ms", Ms(Clock::now() - t0) / n}};
}

// Keys per second with `threads` threads generating at once.
ordered_json KeygenRateParallel(const char* what, int threads, double seconds) {
  std::atomic<int> keys{0};
  const auto t0 = Clock::now();
  const double c0 = CpuMs();
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&] {
      while (Ms(Clock::now() - t0) < seconds * 1000) {
        EVP_PKEY_free(Keygen(what));
        ++keys;
      }
    });
  }
  for (std::thread& t : pool) t.join();
  const double ms = Ms(Clock::now() - t0);
  const double cpu = CpuMs() - c0;
  // keys per CPU second: equal to the one-core rate when the threads do not
  // slow each other down (locks, shared caches).
  return {{"threads", threads},
          {"keys", keys.load()},
          {"keys_per_second", 1000.0 * keys / ms},
          {"keys_per_cpu_second", 1000.0 * keys / cpu}};
}

X509* MakeCert(EVP_PKEY* subject_key, EVP_PKEY* signer, X509* issuer, const std::string& cn,
               bool ca) {
  X509* x = X509_new();
  X509_set_version(x, 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x));
  BN_free(bn);
  X509_NAME* name = X509_NAME_new();
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_subject_name(x, name);
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
  X509_NAME_free(name);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 365L * 86400);
  X509_set_pubkey(x, subject_key);
  X509V3_CTX v3;
  X509V3_set_ctx(&v3, issuer ? issuer : x, x, nullptr, nullptr, 0);
  auto add = [&](int nid, const char* value) {
    X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
  };
  if (ca) {
    add(NID_basic_constraints, "critical,CA:TRUE");
    add(NID_key_usage, "critical,keyCertSign,cRLSign");
    add(NID_subject_key_identifier, "hash");
  } else {
    add(NID_basic_constraints, "critical,CA:FALSE");
    add(NID_key_usage, "critical,digitalSignature,keyEncipherment");
    add(NID_ext_key_usage, "serverAuth");
    add(NID_subject_alt_name, ("DNS:" + cn + ",DNS:autodiscover.contoso.com").c_str());
    add(NID_subject_key_identifier, "hash");
    add(NID_authority_key_identifier, "keyid");
  }
  X509_sign(x, signer, EVP_sha256());
  return x;
}

std::string DerOf(X509* x) {
  unsigned char* out = nullptr;
  const int n = i2d_X509(x, &out);
  std::string der(reinterpret_cast<char*>(out), size_t(n));
  OPENSSL_free(out);
  return der;
}

// One fsync'd atomic replace of a 4 KiB file in `dir`.
bool AtomicReplace(const std::string& dir, const std::string& data) {
  const std::string target = dir + "/limit-4k.bin", tmp = target + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = ::write(fd, data.data(), data.size()) == ssize_t(data.size()) && ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  ok = ok && ::rename(tmp.c_str(), target.c_str()) == 0;
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ok = ok && dfd >= 0 && ::fsync(dfd) == 0;
  if (dfd >= 0) ::close(dfd);
  return ok;
}

int Usage() {
  std::fprintf(stderr,
               "usage: xcert_bench_limits --store DIR [--manifest FILE] [--workdir DIR] "
               "[--repeat N] [--keygen-seconds S] [--no-keygen]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string store, manifest, workdir = "/tmp";
  int repeat = 3;
  double keygen_seconds = 3;
  bool keygen = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--store") {
      store = next();
    } else if (a == "--manifest") {
      manifest = next();
    } else if (a == "--workdir") {
      workdir = next();
    } else if (a == "--repeat") {
      repeat = std::max(1, std::atoi(next().c_str()));
    } else if (a == "--keygen-seconds") {
      keygen_seconds = std::atof(next().c_str());
    } else if (a == "--no-keygen") {
      keygen = false;
    } else {
      return Usage();
    }
  }
  if (store.empty()) return Usage();
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  ordered_json out;
  out["cores"] = cores;
  out["openssl"] = OpenSSL_version(OPENSSL_VERSION);

  // The certificate files (page cache warmed by one untimed pass).
  std::vector<std::string> files;
  out["listing"] = Repeat(repeat, [&] { files = ListCertFiles(store); });
  {
    Totals warm;
    DerWalk(files, &warm);
  }
  out["certificates"] = files.size();
  Totals x509_totals, walk_totals;
  out["x509_parse"] = Repeat(repeat, [&] {
    x509_totals = {};
    X509Parse(files, &x509_totals);
  });
  out["der_walk"] = Repeat(repeat, [&] {
    walk_totals = {};
    DerWalk(files, &walk_totals);
  });
  Totals floor_totals;
  out["format_floor"] = Repeat(repeat, [&] {
    floor_totals = {};
    FormatFloor(store, &floor_totals);
  });
  out["format_floor"]["certificates"] = floor_totals.certs;
  out["x509_parse"]["per_cert_us"] =
      1000.0 * out["x509_parse"]["median_ms"].get<double>() / std::max<size_t>(1, files.size());
  out["der_walk"]["per_cert_us"] =
      1000.0 * out["der_walk"]["median_ms"].get<double>() / std::max<size_t>(1, files.size());
  out["x509_parse"]["failures"] = x509_totals.failures;
  out["der_walk"]["failures"] = walk_totals.failures;
  out["x509_parse"]["dns_names"] = x509_totals.names;
  out["der_walk"]["dns_names"] = walk_totals.names;

  if (!manifest.empty()) {
    size_t nodes = 0;
    out["yaml_load"] = Repeat(repeat, [&] {
      YAML::Node n = YAML::LoadFile(manifest);
      nodes = n.size();
    });
    out["yaml_load"]["top_level_keys"] = nodes;
  }

  // Signing a leaf with an RSA-2048 CA key (the leaf key is made beforehand).
  EVP_PKEY* ca_key = Keygen("rsa2048");
  X509* ca = MakeCert(ca_key, ca_key, nullptr, "Bench Limit CA", true);
  EVP_PKEY* leaf_key = Keygen("p256");
  {
    int i = 0;
    size_t bytes = 0;
    out["sign_leaf"] = PerOp(200, [&] {
      X509* leaf =
          MakeCert(leaf_key, ca_key, ca, "mail" + std::to_string(i++) + ".contoso.com", false);
      bytes += DerOf(leaf).size();
      X509_free(leaf);
    });
  }
  // Default PKCS#12 export of an RSA-2048 key and its certificate.
  {
    EVP_PKEY* key = Keygen("rsa2048");
    X509* cert = MakeCert(key, ca_key, ca, "p12.contoso.com", false);
    out["pkcs12_export"] = PerOp(30, [&] {
      PKCS12* p12 = PKCS12_create("bench-password", "friendly", key, cert, nullptr, 0, 0, 0, 0, 0);
      unsigned char* der = nullptr;
      i2d_PKCS12(p12, &der);
      OPENSSL_free(der);
      PKCS12_free(p12);
    });
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  // fsync'd atomic replace of a 4 KiB file, in the bench's working folder.
  {
    // Wall time is what counts here: the time goes to waiting for the disk.
    const std::string data(4096, 'x');
    int failures = 0;
    out["fsync_replace"] = PerOp(100, [&] { failures += !AtomicReplace(workdir, data); });
    out["fsync_replace"]["failures"] = failures;
    ::unlink((workdir + "/limit-4k.bin").c_str());
  }
  if (keygen) {
    out["keygen_p256"] = KeygenRate("p256", 2000, 0.5, false);
    out["keygen_p256_pem"] = KeygenRate("p256", 2000, 0.5, true);
    out["keygen_rsa2048"] = KeygenRate("rsa2048", 16, keygen_seconds, false);
    out["keygen_rsa3072"] = KeygenRate("rsa3072", 6, keygen_seconds, false);
    out["keygen_rsa2048_all_cores"] = KeygenRateParallel("rsa2048", int(cores), keygen_seconds);
    out["keygen_p256_all_cores"] = KeygenRateParallel("p256", int(cores), 0.5);
  }
  X509_free(ca);
  EVP_PKEY_free(ca_key);
  EVP_PKEY_free(leaf_key);
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
