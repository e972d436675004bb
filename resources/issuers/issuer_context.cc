#include "resources/issuers/issuer_context.h"

#include <sys/stat.h>

#include <cstdio>

#include "engine/util/quote.h"
#include "engine/util/secret.h"
#include "engine/util/strings.h"

namespace xcert::issuers {

namespace {

// The contract text of x509::PrivateKey::Parse for an encrypted key read
// without a password (resources/x509/key.h).
constexpr std::string_view kKeyIsEncrypted = "the private key is encrypted: give its password";

// The issuer settings that hold paths, and the others ("" is the entry itself).
constexpr std::string_view kPathSettings[] = {"certificate", "key",      "chain",
                                              "pkcs12",      "outbox",   "inbox",
                                              "accountKey",  "caBundle", "challenge/webroot"};
constexpr std::string_view kOtherSettings[] = {"",
                                               "name",
                                               "type",
                                               "keyPasswordEnv",
                                               "keyPasswordFile",
                                               "passwordEnv",
                                               "passwordFile",
                                               "directory",
                                               "profile",
                                               "preferredChain",
                                               "eab",
                                               "eab/hmacKeyEnv",
                                               "eab/hmacKeyFile",
                                               "challenge",
                                               "challenge/standalone",
                                               "challenge/exec",
                                               "challenge/rfc2136",
                                               "challenge/rfc2136/tsigSecretEnv",
                                               "challenge/rfc2136/tsigSecretFile"};

std::string ModeText(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", unsigned(mode & 07777));
  return text;
}

}  // namespace

const std::string& Setting(const IssuerSpec& s, std::string_view field) {
  static const std::string kNone;
  if (field == "certificate") return s.certificate;
  if (field == "key") return s.key;
  if (field == "chain") return s.chain;
  if (field == "pkcs12") return s.pkcs12;
  if (field == "outbox") return s.outbox;
  if (field == "inbox") return s.inbox;
  if (field == "accountKey") return s.acme.account_key;
  if (field == "caBundle") return s.acme.ca_bundle;
  if (field == "challenge/webroot") return s.acme.challenge.webroot;
  return kNone;
}

std::string DateOf(TimePoint t) { return FormatIso8601(t).substr(0, 10); }

IssuerSite IssuerSite::Of(const Manifest& manifest, const IssuerSpec& spec) {
  IssuerSite site{spec,
                  manifest.base_dir,
                  manifest.base_dir.empty() ? "the current folder" : manifest.base_dir,
                  {},
                  {}};
  auto locate = [&](std::string_view field) {
    site.where.emplace(field, manifest.WhereIssuer(spec.name, std::string(field)));
  };
  for (std::string_view field : kPathSettings) {
    locate(field);
    site.paths.emplace(field, manifest.Resolve(Setting(spec, field)));
  }
  for (std::string_view field : kOtherSettings) locate(field);
  return site;
}

IssuerContext::IssuerContext(IssuerSite site, Diagnostics* diagnostics)
    : site_(std::move(site)), diagnostics_(diagnostics) {}

std::string IssuerContext::Name() const { return "issuer " + Quote(spec().name); }

std::string IssuerContext::Shown(std::string_view field) const {
  return MessageValue(issuers::Setting(spec(), field));
}

const std::string& IssuerContext::Path(std::string_view field) const {
  static const std::string kNone;
  auto it = site_.paths.find(field);
  return it == site_.paths.end() ? kNone : it->second;
}

Location IssuerContext::Where(std::string_view field) const {
  auto it = site_.where.find(field);
  return it != site_.where.end() ? it->second : site_.where.at("");
}

void IssuerContext::Report(Severity severity, Location where, std::string message,
                           std::string hint) {
  Diagnostic d{severity, std::move(where), std::move(message), std::move(hint)};
  if (severity == Severity::kError && first_error_.empty()) {
    first_error_ = d.location.ToString() + ": " + d.message;
    if (!d.hint.empty()) first_error_ += "; " + d.hint;
  }
  if (diagnostics_) diagnostics_->Add(std::move(d));
}

void IssuerContext::Error(std::string_view field, const std::string& message, std::string hint) {
  Report(Severity::kError, Where(field), Name() + ": " + message, std::move(hint));
}

void IssuerContext::Warning(std::string_view field, const std::string& message, std::string hint) {
  Report(Severity::kWarning, Where(field), Name() + ": " + message, std::move(hint));
}

void IssuerContext::ErrorAt(Location where, std::string message, std::string hint) {
  Report(Severity::kError, std::move(where), std::move(message), std::move(hint));
}

Status IssuerContext::FirstError() const {
  return first_error_.empty() ? Status::Ok() : FailedPrecondition(first_error_);
}

std::optional<std::string> IssuerContext::ReadFile(std::string_view field) {
  const std::string written = Shown(field);
  Result<std::string> data = ReadSmallFile(Path(field));
  if (data.ok()) return std::move(data).value();
  if (data.status().code() == Code::kNotFound || data.status().code() == Code::kInvalidArgument) {
    Error(field, "cannot read " + written + ": " + data.status().message(),
          "check " + Quote(std::string(field)) + " (relative paths start at " + site_.display_base +
              ")");
  } else {
    Error(field, "cannot read " + written + ": " + data.status().message(),
          "make it readable for the user running xcert");
  }
  return std::nullopt;
}

std::optional<std::vector<LoadedCertificate>> IssuerContext::ReadCertificates(
    std::string_view field, std::string_view what) {
  std::optional<std::string> data = ReadFile(field);
  if (!data) return std::nullopt;
  Result<std::vector<LoadedCertificate>> certs = LoadCertificates(*data);
  if (!certs.ok()) {
    Error(field, Shown(field) + " holds no readable certificate: " + certs.status().message(),
          "give " + std::string(what) + " as PEM, DER or PKCS#7 (.p7b)");
    return std::nullopt;
  }
  return std::move(certs).value();
}

std::optional<x509::PrivateKey> IssuerContext::ReadPrivateKey(const SecretRef& key_password) {
  const std::string& path = Path("key");
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & (S_IRWXG | S_IRWXO))) {
    Error("key",
          "the private key file " + Shown("key") + " can be read by other users (mode " +
              ModeText(st.st_mode) + ")",
          "run chmod 600 " + path);
    return std::nullopt;
  }
  std::optional<std::string> data = ReadFile("key");
  if (!data) return std::nullopt;
  std::string password;
  if (!key_password.empty()) {
    std::optional<std::string> secret =
        ReadSecret(key_password, "keyPasswordEnv", "keyPasswordFile");
    if (!secret) return std::nullopt;
    password = std::move(*secret);
  }
  Result<x509::PrivateKey> key = x509::PrivateKey::Parse(*data, password);
  if (key.ok()) return std::move(key).value();
  if (key.status().code() == Code::kPermissionDenied) {
    Error(key_password.env.empty() ? "keyPasswordFile" : "keyPasswordEnv",
          "wrong password for the encrypted private key " + Shown("key"),
          "check " + SecretSetting(key_password, "keyPasswordEnv", "keyPasswordFile"));
  } else if (key.status().message() == kKeyIsEncrypted) {
    Error("key", "the private key " + Shown("key") + " is encrypted and no password is given",
          "add keyPasswordEnv (an environment variable holding the password) or "
          "keyPasswordFile");
  } else {
    Error("key", Shown("key") + " is not a usable private key: " + key.status().message(),
          "give the private key as PEM (PKCS#8, or traditional RSA/EC)");
  }
  return std::nullopt;
}

std::optional<std::string> IssuerContext::ReadSecret(const SecretRef& ref,
                                                     std::string_view env_field,
                                                     std::string_view file_field) {
  if (ref.empty()) {
    Error(env_field,
          "needs a password: neither " + std::string(env_field) + " nor " +
              std::string(file_field) + " is set",
          "add '" + std::string(env_field) +
              ": <VARIABLE>' naming an environment variable that holds it");
    return std::nullopt;
  }
  const std::string_view field = ref.env.empty() ? file_field : env_field;
  Result<std::string> secret =
      xcert::ReadSecret(ref.env, ref.file, site_.base_dir, std::string(field));
  if (!secret.ok()) {
    Error(field, secret.status().message());
    return std::nullopt;
  }
  return std::move(secret).value();
}

std::string IssuerContext::SecretSetting(const SecretRef& ref, std::string_view env_field,
                                         std::string_view file_field) {
  if (!ref.env.empty()) {
    // Only a name that is written like one: it may be the password itself.
    const std::string name = ShownVariableName(ref.env, std::string(env_field));
    return std::string(env_field) + (name == ref.env ? " " + name : "");
  }
  return std::string(file_field) + " " + MessageValue(ref.file);
}

}  // namespace xcert::issuers
