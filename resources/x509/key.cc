#include "resources/x509/key.h"

#include <cstring>

#include <openssl/decoder.h>
#include <openssl/pem.h>

#include "engine/util/strings.h"
#include "resources/x509/der_x509.h"
#include "resources/x509/digest.h"
#include "resources/x509/oids.h"
#include "resources/x509/openssl_util.h"
#include "resources/x509/pem.h"

namespace xcert::x509 {

namespace {

using DecoderCtxPtr = OpenSslPtr<OSSL_DECODER_CTX, OSSL_DECODER_CTX_free>;
using X509SigPtr = OpenSslPtr<X509_SIG, X509_SIG_free>;

const char* CurveGroupName(EcCurve c) {
  switch (c) {
    case EcCurve::kP256: return "P-256";
    case EcCurve::kP384: return "P-384";
    case EcCurve::kNone: return nullptr;
  }
  return nullptr;
}

int PasswordCallback(char* buf, int size, int /*rwflag*/, void* user) {
  const std::string& password = *static_cast<const std::string*>(user);
  if (password.empty() || password.size() > static_cast<size_t>(size)) return -1;
  std::memcpy(buf, password.data(), password.size());
  return static_cast<int>(password.size());
}

Status MissingPassword() {
  return InvalidArgument("the private key is encrypted: give its password");
}

Status WrongPassword() {
  DrainOpenSslErrors();  // "bad decrypt" says nothing more to the user
  return PermissionDenied("wrong password for the encrypted private key");
}

// The first "... PRIVATE KEY" block.
Result<PemBlock> PemKeyBlock(std::string_view text) {
  XCERT_ASSIGN_OR_RETURN(std::vector<PemBlock> blocks, ParsePem(text));
  std::vector<std::string> labels;
  for (PemBlock& b : blocks) {
    if (b.label.ends_with("PRIVATE KEY")) return std::move(b);
    labels.push_back(b.label);
  }
  return InvalidArgument(
      "there is no private key in the PEM text (blocks found: " + QuotedList(labels) + ")");
}

// PKCS#8 "ENCRYPTED PRIVATE KEY" or a legacy "Proc-Type: 4,ENCRYPTED" header.
bool IsEncrypted(const PemBlock& b) {
  return b.label == "ENCRYPTED PRIVATE KEY" || b.headers.find("ENCRYPTED") != std::string::npos;
}

Result<EvpPkeyPtr> ParseDerKey(std::string_view der, const std::string& password);

Result<EvpPkeyPtr> ParsePemKey(std::string_view text, const std::string& password) {
  XCERT_ASSIGN_OR_RETURN(PemBlock block, PemKeyBlock(text));
  const bool encrypted = IsEncrypted(block);
  if (encrypted && password.empty()) return MissingPassword();
  // Unencrypted PKCS#8 (what xcert and most tools write): the DER decoder
  // with its structure and key type named, three times as fast as
  // PEM_read_bio_PrivateKey's search through every decoder.
  if (block.label == "PRIVATE KEY") return ParseDerKey(block.der, password);
  BioPtr bio = MemoryBio(text);
  // Skips blocks that are not keys, so a bundle "certificate + key" works.
  EvpPkeyPtr pkey(PEM_read_bio_PrivateKey_ex(
      bio.get(), nullptr, PasswordCallback, const_cast<std::string*>(&password), nullptr, nullptr));
  if (!pkey && encrypted) return WrongPassword();
  if (!pkey) return OpenSslError("cannot read the PEM private key", Code::kInvalidArgument);
  return pkey;
}

// The OpenSSL key type of an unencrypted PKCS#8 PrivateKeyInfo ("RSA", "EC"),
// or nullptr when `der` is something else (the decoder then tries them all).
const char* Pkcs8KeyType(std::string_view der) {
  der::Reader outer(der);
  Result<der::Tlv> info = outer.Read(der::kSequence, "PrivateKeyInfo");
  if (!info.ok()) return nullptr;
  der::Reader r(info->value);
  if (!r.Read(der::kInteger, "version").ok()) return nullptr;
  Result<der::Tlv> algorithm = r.Read(der::kSequence, "privateKeyAlgorithm");
  if (!algorithm.ok()) return nullptr;
  Result<der::Tlv> oid = der::Reader(algorithm->value).Read(der::kOid, "algorithm");
  if (!oid.ok()) return nullptr;
  if (oid->value == oids::kRsaEncryption) return "RSA";
  if (oid->value == oids::kEcPublicKey) return "EC";
  return nullptr;
}

bool IsEncryptedPkcs8Der(std::string_view der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509SigPtr sig(d2i_X509_SIG(nullptr, &p, static_cast<long>(der.size())));
  DrainOpenSslErrors();
  return sig && p == reinterpret_cast<const unsigned char*>(der.data()) + der.size();
}

Result<EvpPkeyPtr> ParseDerKey(std::string_view der, const std::string& password) {
  const bool encrypted = IsEncryptedPkcs8Der(der);
  if (encrypted && password.empty()) return MissingPassword();
  const char* type = encrypted ? nullptr : Pkcs8KeyType(der);
  EVP_PKEY* raw = nullptr;
  DecoderCtxPtr ctx(OSSL_DECODER_CTX_new_for_pkey(&raw, "DER", type ? "PrivateKeyInfo" : nullptr,
                                                  type, EVP_PKEY_KEYPAIR, nullptr, nullptr));
  if (!ctx) return OpenSslError("cannot set up a key decoder");
  if (!password.empty()) {
    OSSL_DECODER_CTX_set_passphrase(
        ctx.get(), reinterpret_cast<const unsigned char*>(password.data()), password.size());
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  size_t len = der.size();
  const bool ok = OSSL_DECODER_from_data(ctx.get(), &p, &len) == 1;
  EvpPkeyPtr pkey(raw);
  if (!ok || !pkey) {
    if (encrypted) return WrongPassword();
    return OpenSslError("not a private key (expected PEM, or DER PKCS#8 / traditional RSA or EC)",
                        Code::kInvalidArgument);
  }
  return pkey;
}

}  // namespace

void PrivateKey::Deleter::operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }

PrivateKey::PrivateKey(EVP_PKEY* pkey) : pkey_(pkey, Deleter()) {}

Result<PrivateKey> PrivateKey::Generate(const KeySpec& spec) {
  EVP_PKEY* pkey = nullptr;
  if (spec.algorithm == KeyAlgorithm::kRsa) {
    if (spec.rsa_bits != 2048 && spec.rsa_bits != 3072 && spec.rsa_bits != 4096) {
      return InvalidArgument("RSA key size " + std::to_string(spec.rsa_bits) +
                             " is not supported; use 2048, 3072 or 4096");
    }
    pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(spec.rsa_bits));
  } else {
    const char* group = CurveGroupName(spec.curve);
    if (group == nullptr) return InvalidArgument("an ECDSA key needs a curve: P-256 or P-384");
    pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", group);
  }
  if (pkey == nullptr) return OpenSslError("cannot generate a " + spec.ToString() + " key");
  return PrivateKey(pkey);
}

Result<PrivateKey> PrivateKey::Parse(std::string_view data, const std::string& password) {
  const bool pem = !data.empty() && data.front() != 0x30;
  auto pkey = pem ? ParsePemKey(data, password) : ParseDerKey(data, password);
  if (!pkey.ok()) return pkey.status();
  XCERT_RETURN_IF_ERROR(DescribeKey(pkey->get()).status());
  return PrivateKey(pkey->release());
}

std::string PrivateKey::ToPkcs8Pem() const {
  if (!valid()) return "";
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(bio.get(), pkey_.get(), nullptr, nullptr, 0, nullptr, nullptr)) {
    DrainOpenSslErrors();
    return "";
  }
  return BioContents(bio.get());
}

std::string PrivateKey::PublicKeyDer() const { return valid() ? PublicKeyToDer(pkey_.get()) : ""; }

std::string PrivateKey::PublicKeySha1() const {
  const std::string spki = PublicKeyDer();
  auto facts = der::DecodePublicKeyInfoDer(spki);
  return facts.ok() ? Sha1Hex(facts->key) : "";
}

KeyAlgorithm PrivateKey::algorithm() const {
  auto facts = DescribeKey(pkey_.get());
  return facts.ok() ? facts->algorithm : KeyAlgorithm::kRsa;
}

int PrivateKey::bits() const {
  auto facts = DescribeKey(pkey_.get());
  return facts.ok() ? facts->bits : 0;
}

EcCurve PrivateKey::curve() const {
  auto facts = DescribeKey(pkey_.get());
  return facts.ok() ? facts->curve : EcCurve::kNone;
}

bool PrivateKey::Matches(std::string_view certificate_der) const {
  if (!valid()) return false;
  auto cert = CertificateFromDer(certificate_der);
  if (!cert.ok()) return false;
  return EVP_PKEY_eq(X509_get0_pubkey(cert->get()), pkey_.get()) == 1;
}

}  // namespace xcert::x509
