#include "resources/issuers/file_issuer.h"

#include "engine/model/dn.h"
#include "engine/util/quote.h"
#include "engine/util/strings.h"
#include "resources/issuers/certificate_files.h"
#include "resources/x509/name_match.h"
#include "resources/x509/parse.h"
#include "resources/x509/pkcs12.h"

namespace xcert::issuers {

namespace {

// What the issuer's files hold.
struct Supplied {
  LoadedCertificate certificate;
  x509::PrivateKey key;
  std::vector<std::string> chain_der;
  std::string pkcs12;        // the file's bytes, when supplied as PKCS#12
  std::string password;      // its password; never logged
  bool extra_chain = false;  // a `chain` file beside the PKCS#12
};

bool ReadPkcs12File(IssuerContext& ctx, Supplied* out) {
  const IssuerSpec& spec = ctx.spec();
  std::optional<std::string> password =
      ctx.ReadSecret(spec.password, "passwordEnv", "passwordFile");
  std::optional<std::string> data = ctx.ReadFile("pkcs12");
  if (!password || !data) return false;
  Result<x509::Pkcs12Contents> p12 = x509::ReadPkcs12(*data, *password);
  if (!p12.ok()) {
    if (p12.status().code() == Code::kPermissionDenied) {
      ctx.Error(
          spec.password.env.empty() ? "passwordFile" : "passwordEnv",
          "wrong password for PKCS#12 " + ctx.Shown("pkcs12"),
          "check " + IssuerContext::SecretSetting(spec.password, "passwordEnv", "passwordFile"));
    } else {
      ctx.Error("pkcs12",
                ctx.Shown("pkcs12") + " is not a readable PKCS#12 file: " + p12.status().message(),
                "give the .pfx/.p12 file the certificate was exported to, with its private key");
    }
    return false;
  }
  if (!p12->key.valid()) {
    ctx.Error("pkcs12", ctx.Shown("pkcs12") + " holds no private key",
              "export the certificate again with its private key");
    return false;
  }
  Result<CertificateInfo> info = x509::ParseCertificateOpenSsl(p12->certificate_der);
  if (!info.ok()) {
    ctx.Error("pkcs12", "the certificate in " + ctx.Shown("pkcs12") +
                            " cannot be read: " + info.status().message());
    return false;
  }
  out->certificate = {p12->certificate_der, std::move(info).value()};
  out->key = p12->key;
  out->chain_der = p12->chain_der;
  out->pkcs12 = std::move(*data);
  out->password = std::move(*password);
  return true;
}

bool ReadPemFiles(IssuerContext& ctx, Supplied* out) {
  const IssuerSpec& spec = ctx.spec();
  std::optional<std::vector<LoadedCertificate>> certs =
      ctx.ReadCertificates("certificate", "the purchased certificate");
  std::optional<x509::PrivateKey> key = ctx.ReadPrivateKey(spec.key_password);
  if (!certs || !key) return false;
  // A full-chain file may list the CA first: the leaf is the one the key opens.
  std::optional<size_t> leaf =
      PickLeaf(*certs, [&](const LoadedCertificate& c) { return key->Matches(c.der); });
  if (!leaf || !key->Matches((*certs)[*leaf].der)) {
    const std::string subject = leaf ? (*certs)[*leaf].info.subject : certs->front().info.subject;
    ctx.Error("key",
              "the private key " + ctx.Shown("key") + " does not belong to the certificate " +
                  ctx.Shown("certificate") + " (" + Quote(subject) + ")",
              "give the key that was created with the certificate's request");
    return false;
  }
  out->certificate = (*certs)[*leaf];
  out->key = std::move(*key);
  out->chain_der = OthersThan(*certs, *leaf);
  return true;
}

// Reads whatever the issuer is configured with; problems through `ctx`.
std::optional<Supplied> Load(IssuerContext& ctx) {
  Supplied s;
  const bool ok = ctx.spec().pkcs12.empty() ? ReadPemFiles(ctx, &s) : ReadPkcs12File(ctx, &s);
  if (!ctx.spec().chain.empty()) {
    if (auto more = ctx.ReadCertificates("chain", "the intermediate certificates")) {
      for (LoadedCertificate& c : *more) s.chain_der.push_back(std::move(c.der));
      s.extra_chain = true;
    }
  }
  if (!ok || ctx.failed()) return std::nullopt;
  return s;
}

std::string KeyOf(const CertificateInfo& c) {
  if (c.key_algorithm == KeyAlgorithm::kRsa) return "RSA " + std::to_string(c.key_bits);
  return "ECDSA " + (c.curve == EcCurve::kNone ? std::to_string(c.key_bits) + "-bit curve"
                                               : std::string(CurveName(c.curve)));
}

// The same rule diff applies (engine/plan/diff.cc KeyMatches).
bool KeyFits(const KeySpec& want, const CertificateInfo& c) {
  if (c.key_algorithm != want.algorithm) return false;
  if (want.algorithm == KeyAlgorithm::kRsa) return c.key_bits == want.rsa_bits;
  return c.curve == want.curve;
}

std::string KeyHint(const CertificateInfo& c) {
  if (c.key_algorithm == KeyAlgorithm::kRsa) {
    return "set key: {algorithm: RSA, size: " + std::to_string(c.key_bits) +
           "} (a purchased certificate is imported as it is)";
  }
  if (c.curve == EcCurve::kNone) return "xcert manages ECDSA keys on P-256 and P-384 only";
  return "set key: {algorithm: ECDSA, curve: " + std::string(CurveName(c.curve)) +
         "} (a purchased certificate is imported as it is)";
}

// The manifest certificates using the issuer must ask for what the file holds.
void CheckUsers(IssuerContext& ctx, const Manifest& manifest, const LoadedCertificate& supplied,
                const std::string& file) {
  const CertificateInfo& c = supplied.info;
  const Desired desired = Expand(manifest, {});
  for (const DesiredCertificate& d : desired.certificates) {
    if (d.issuer != ctx.spec().name) continue;
    const std::string who = "certificate " + Quote(d.artifact);
    const std::string from = file + " of " + ctx.Name();
    if (std::vector<std::string> missing = x509::UncoveredNames(c, d.dns_names); !missing.empty()) {
      const bool one = missing.size() == 1;
      ctx.ErrorAt(d.where_dns_names,
                  who + (one ? " asks for a name that " : " asks for names that ") + from +
                      " does not cover: " + Join(missing, ", "),
                  one ? "remove it from dnsNames, or get a certificate that covers it"
                      : "remove them from dnsNames, or get a certificate that covers them");
    }
    if (!SameDn(d.subject, c.subject)) {
      ctx.ErrorAt(
          d.where_subject,
          who + " asks for subject " + Quote(d.subject) + " but " + from + " holds " +
              Quote(c.subject),
          "set subject: \"" + c.subject + "\" (a purchased certificate is imported as it is)");
    }
    if (!KeyFits(d.key, c)) {
      ctx.ErrorAt(
          d.where_key,
          who + " asks for an " + d.key.ToString() + " key but " + from + " holds " + KeyOf(c),
          KeyHint(c));
    }
  }
}

void CheckValidity(IssuerContext& ctx, const CertificateInfo& c, std::string_view field,
                   const std::string& file, TimePoint now) {
  if (c.IsExpired(now)) {
    ctx.Error(field,
              "the certificate in " + file + " (" + Quote(c.subject) + ") expired on " +
                  DateOf(c.not_after),
              "renew it with the CA that sold it and replace " + file);
  } else if (c.IsNotYetValid(now)) {
    ctx.Warning(field,
                "the certificate in " + file + " (" + Quote(c.subject) + ") is valid only from " +
                    DateOf(c.not_before),
                "clients refuse it until then");
  }
}

}  // namespace

FileIssuer::FileIssuer(IssuerSite site, CertificateInfo certificate, std::string path)
    : site_(std::move(site)), certificate_(std::move(certificate)), path_(std::move(path)) {}

std::unique_ptr<FileIssuer> FileIssuer::Open(IssuerContext& ctx, const Manifest& manifest,
                                             TimePoint now) {
  std::optional<Supplied> s = Load(ctx);
  if (!s) return nullptr;
  const bool pkcs12 = !ctx.spec().pkcs12.empty();
  const std::string_view field = pkcs12 ? "pkcs12" : "certificate";
  const std::string file = ctx.Shown(pkcs12 ? "pkcs12" : "certificate");
  CheckValidity(ctx, s->certificate.info, field, file, now);
  CheckUsers(ctx, manifest, s->certificate, file);
  if (ctx.failed()) return nullptr;
  CertificateInfo info = std::move(s->certificate.info);
  info.has_private_key = true;
  return std::unique_ptr<FileIssuer>(new FileIssuer(ctx.site(), std::move(info), ctx.Path(field)));
}

IssuerFacts FileIssuer::Facts() const {
  IssuerFacts f;
  f.name = name();
  f.type = IssuerType::kFile;
  f.supplied = certificate_;
  f.supplied_path = path_;
  return f;
}

Result<ImportRequest> FileIssuer::ImportData(const std::string& path) {
  if (path != path_) {
    return InvalidArgument("issuer " + Quote(name()) + " supplies " + MessageValue(path_) +
                           ", not " + MessageValue(path));
  }
  // Read again: the password is needed now, and the file may have changed.
  Diagnostics diagnostics;
  IssuerContext ctx(site_, &diagnostics);
  std::optional<Supplied> s = Load(ctx);
  if (!s) return ctx.FirstError();
  if (s->certificate.info.thumbprint != certificate_.thumbprint) {
    return FailedPrecondition("issuer " + Quote(name()) + ": " + MessageValue(path_) +
                              " changed since the plan: it holds " +
                              s->certificate.info.thumbprint + " ('" + s->certificate.info.subject +
                              "'), the plan was made for " + certificate_.thumbprint +
                              "; run xcert plan again");
  }
  ImportRequest r;
  if (!s->pkcs12.empty() && !s->extra_chain) {
    r.data = std::move(s->pkcs12);
    r.password = std::move(s->password);
  } else {
    r.data = PemBundle(s->certificate.der, s->key, s->chain_der);
  }
  return r;
}

}  // namespace xcert::issuers
