// Benchmark input: a local store of SERVERS servers with 5 certificates each
// (the three Exchange setup certificates, self-signed, plus two issued by one
// CA with chain.pem), written straight in the documented format
// (docs/store-format.md) without fsync, so that 10,000 certificates take
// seconds. Not a test; built by run_bench.sh.
//
//   make_fleet_store STORE [SERVERS=2000]
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "resources/store/local_format.h"
#include "resources/x509/builder.h"
#include "resources/x509/digest.h"
#include "resources/x509/pem.h"

namespace fs = std::filesystem;
using namespace xcert;

namespace {

void Write(const fs::path& p, const std::string& data, mode_t mode = 0644) {
  std::ofstream(p, std::ios::binary) << data;
  ::chmod(p.c_str(), mode);
}

x509::PrivateKey Key() {
  auto k = x509::PrivateKey::Generate(KeySpec{});
  if (!k.ok()) std::abort();
  return *k;
}

std::string Must(Result<std::string> r) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().message().c_str());
    std::abort();
  }
  return *r;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: make_fleet_store STORE [SERVERS]\n");
    return 1;
  }
  const fs::path root = argv[1];
  const int servers = argc > 2 ? std::atoi(argv[2]) : 2000;
  const TimePoint now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  fs::create_directories(root);
  Write(root / "xcert-store.json", store::local::EncodeRootMarker());

  std::vector<x509::PrivateKey> keys;
  for (int i = 0; i < 8; ++i) keys.push_back(Key());
  const x509::PrivateKey ca_key = Key();
  x509::CertificateTemplate ca_t{"CN=Fleet Test CA, O=Pocket Consultant",
                                 {},
                                 now - std::chrono::hours(24),
                                 now + std::chrono::hours(24 * 3650)};
  ca_t.is_ca = true;
  const std::string ca = Must(x509::SelfSign(ca_t, ca_key));
  const std::string chain = x509::ToPem("CERTIFICATE", ca);

  int written = 0;
  for (int s = 0; s < servers; ++s) {
    char name[32];
    std::snprintf(name, sizeof name, "MBX%04d", s);
    const std::string fqdn = std::string(name) + ".pocket-consultant.com";
    const fs::path dir = root / name;
    fs::create_directories(dir / "certificates");
    fs::create_directories(dir / "requests");
    Write(dir / "server.json",
          store::local::EncodeServer({name, fqdn, {Role::kMailbox}, ExchangeVersion::k2019}));
    struct Spec {
      std::string subject;
      std::vector<std::string> names;
      bool by_ca;
      std::string friendly;
    };
    const Spec specs[] = {
        {std::string("CN=") + name, {name, fqdn}, false, "Microsoft Exchange"},
        {"CN=Microsoft Exchange Server Auth Certificate",
         {},
         false,
         "Microsoft Exchange Server Auth Certificate"},
        {std::string("CN=WMSvc-SHA2-") + name, {}, false, "WMSVC-SHA2"},
        {"CN=mail.pocket-consultant.com",
         {"mail.pocket-consultant.com", "autodiscover.pocket-consultant.com", fqdn},
         true,
         "mail"},
        {"CN=" + fqdn, {fqdn}, true, "smtp"},
    };
    std::vector<std::string> t;
    for (const Spec& spec : specs) {
      const x509::PrivateKey& key = keys[size_t(written++) % keys.size()];
      x509::CertificateTemplate tmpl{spec.subject, spec.names, now - std::chrono::hours(1),
                                     now + std::chrono::hours(24 * 365)};
      const std::string der = spec.by_ca
                                  ? Must(x509::SignWithCa(tmpl, key.PublicKeyDer(), ca, ca_key))
                                  : Must(x509::SelfSign(tmpl, key));
      t.push_back(x509::Sha1Hex(der));
      const fs::path cdir = dir / "certificates" / t.back();
      fs::create_directories(cdir);
      Write(cdir / "cert.pem", x509::ToPem("CERTIFICATE", der));
      Write(cdir / "key.pem", key.ToPkcs8Pem(), 0600);
      if (spec.by_ca) Write(cdir / "chain.pem", chain);
      Write(cdir / "meta.json",
            store::local::EncodeMeta({spec.friendly, spec.by_ca, "bench", now}));
    }
    Bindings b;
    b.iis = t[3];
    b.iis_back_end = t[0];
    b.imap = b.pop = t[3];
    b.smtp = {t[0], t[4]};
    std::sort(b.smtp.begin(), b.smtp.end());
    b.internal_transport = t[0];
    b.auth_current = t[1];
    Write(dir / "bindings.json", store::local::EncodeBindings(b));
  }
  std::printf("%d certificates on %d servers in %s\n", written, servers, root.c_str());
  return 0;
}
