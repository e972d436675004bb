#include "resources/x509/digest.h"

#include <cstdio>
#include <cstdlib>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "engine/util/strings.h"

namespace xcert::x509 {

namespace {

// Explicitly fetched digests, once per process: an implicit fetch on every
// call (EVP_sha1() inside EVP_Digest) costs about as much as hashing a
// certificate. EVP_MD objects are immutable and safe to share across threads.
const EVP_MD* Md(const char* name) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  if (md == nullptr) {
    std::fprintf(stderr, "xcert: OpenSSL has no %s digest; the installation is broken\n", name);
    std::abort();
  }
  return md;
}

const EVP_MD* Sha1Md() {
  static const EVP_MD* md = Md("SHA1");
  return md;
}

const EVP_MD* Sha256Md() {
  static const EVP_MD* md = Md("SHA256");
  return md;
}

std::string Digest(const EVP_MD* md, std::string_view bytes) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), out, &len, md, nullptr) != 1) {
    // Hashing memory cannot fail short of an allocation failure.
    std::fprintf(stderr, "xcert: EVP_Digest failed\n");
    std::abort();
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

// Characters allowed in a password handed around in memory: unreserved URL
// characters, 64 of them, so a random byte maps without bias (256 % 64 == 0).
constexpr std::string_view kPasswordAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

std::string Sha1Hex(std::string_view bytes) { return HexEncode(Sha1(bytes), true); }

std::string Sha1(std::string_view bytes) { return Digest(Sha1Md(), bytes); }

std::string Sha256Hex(std::string_view bytes) { return HexEncode(Sha256(bytes), true); }

std::string Sha256(std::string_view bytes) { return Digest(Sha256Md(), bytes); }

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  // Branch-free compaction: this loop is most of the cost of reading a PEM
  // certificate store.
  std::string compact(text.size(), '\0');
  char* end = compact.data();
  for (char c : text) {
    *end = c;
    end += !(c == ' ' || c == '\t' || c == '\r' || c == '\n');
  }
  compact.resize(static_cast<size_t>(end - compact.data()));
  // EVP_DecodeBlock decodes padding as zero bits and checks characters, but
  // not where '=' may stand, so the shape is checked here.
  const size_t pad = compact.size() - compact.find_last_not_of('=') - 1;
  const size_t first_pad = compact.find('=');
  if (compact.size() % 4 != 0 || pad > 2 ||
      (first_pad != std::string::npos && first_pad != compact.size() - pad)) {
    return InvalidArgument("invalid base64: the length or the '=' padding is wrong");
  }
  std::string out(compact.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(compact.data()),
                                static_cast<int>(compact.size()));
  if (n < 0) return InvalidArgument("invalid base64: it holds a character outside A-Z a-z 0-9 + /");
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    // Without a working random generator no key, serial or password xcert
    // makes would be safe; stopping is the only correct answer.
    std::fprintf(stderr, "xcert: the OpenSSL random generator failed\n");
    std::abort();
  }
  return out;
}

std::string RandomPassword(size_t n) {
  std::string out = RandomBytes(n);
  for (char& c : out) c = kPasswordAlphabet[uint8_t(c) % kPasswordAlphabet.size()];
  return out;
}

}  // namespace xcert::x509
