// The limit for `xcert show` over a store: just parse every cert.pem with
// OpenSSL in a minimal loop (PEM_read_bio_X509 + SHA-1 + subjectAltName) and
// nothing else. Throwaway measurement program; built by run_bench.sh.
//
//   openssl_limit STORE
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc < 2) return 1;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(argv[1])) {
    if (e.path().filename() == "cert.pem") files.push_back(e.path());
  }
  const auto t1 = std::chrono::steady_clock::now();
  size_t names = 0;
  unsigned char digest_xor = 0;
  for (const fs::path& p : files) {
    BIO* bio = BIO_new_file(p.c_str(), "r");
    X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    X509_digest(x, EVP_sha1(), md, &len);
    digest_xor ^= md[0];
    auto* san =
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; san && i < sk_GENERAL_NAME_num(san); ++i) {
      if (sk_GENERAL_NAME_value(san, i)->type == GEN_DNS) ++names;
    }
    GENERAL_NAMES_free(san);
    X509_free(x);
    BIO_free(bio);
  }
  const auto t2 = std::chrono::steady_clock::now();
  auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::printf(
      "openssl limit: %zu certificates, %zu DNS names (x%02x): walk %.0f ms + parse %.0f ms = %.0f "
      "ms (%.1f us/cert)\n",
      files.size(), names, digest_xor, ms(t1 - t0), ms(t2 - t1), ms(t2 - t0),
      1000.0 * ms(t2 - t0) / double(files.size()));
  return 0;
}
