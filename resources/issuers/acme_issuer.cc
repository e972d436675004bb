#include "resources/issuers/acme_issuer.h"

#include <sys/stat.h>

#include "engine/util/strings.h"
#include "resources/acme/account_key.h"
#include "resources/acme/exec_hook.h"
#include "resources/acme/jws.h"
#include "resources/acme/obtain.h"
#include "resources/acme/rfc2136.h"
#include "resources/acme/standalone.h"
#include "resources/acme/webroot.h"
#include "resources/issuers/certificate_files.h"
#include "resources/x509/builder.h"
#include "resources/x509/parse.h"

namespace xcert::issuers {

namespace {

constexpr std::string_view kEabEnv = "eab/hmacKeyEnv";
constexpr std::string_view kEabFile = "eab/hmacKeyFile";
constexpr std::string_view kTsigEnv = "challenge/rfc2136/tsigSecretEnv";
constexpr std::string_view kTsigFile = "challenge/rfc2136/tsigSecretFile";

// The EAB MAC key as the client takes it (raw bytes); CAs hand it out
// base64url-encoded (RFC 8555 §7.3.4).
std::optional<acme::Eab> ReadEab(IssuerContext& ctx) {
  const AcmeSpec& a = ctx.spec().acme;
  if (a.eab_key_id.empty()) return std::nullopt;
  std::optional<std::string> text = ctx.ReadSecret(a.eab_hmac_key, kEabEnv, kEabFile);
  if (!text) return std::nullopt;
  Result<std::string> raw = acme::Base64UrlDecode(Trim(*text));
  if (!raw.ok() || raw->empty()) {
    ctx.Error(a.eab_hmac_key.env.empty() ? kEabFile : kEabEnv,
              "the EAB MAC key is not base64url text",
              "copy the HMAC key exactly as the CA shows it, into " +
                  IssuerContext::SecretSetting(a.eab_hmac_key, kEabEnv, kEabFile));
    return std::nullopt;
  }
  return acme::Eab{a.eab_key_id, std::move(raw).value()};
}

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::string DescribeChallenge(const AcmeChallengeSpec& c) {
  if (!c.exec.empty()) return c.type + " through the hook " + c.exec.front();
  if (!c.webroot.empty()) return c.type + " through the webroot " + c.webroot;
  if (!c.standalone.empty()) return c.type + " on " + c.standalone;
  if (!c.rfc2136_server.empty()) return c.type + " through RFC 2136 at " + c.rfc2136_server;
  return c.type;
}

AcmeIssuer::AcmeIssuer(IssuerSite site) : site_(std::move(site)) {}
AcmeIssuer::~AcmeIssuer() = default;

std::unique_ptr<AcmeIssuer> AcmeIssuer::Open(IssuerContext& ctx) {
  return std::unique_ptr<AcmeIssuer>(new AcmeIssuer(ctx.site()));
}

IssuerFacts AcmeIssuer::Facts() const {
  IssuerFacts f;
  f.name = name();
  f.type = IssuerType::kAcme;
  f.acme_challenge = DescribeChallenge(site_.spec.acme.challenge);
  return f;
}

bool AcmeIssuer::CheckReady(Diagnostics* diagnostics) {
  IssuerContext ctx(site_, diagnostics);
  const AcmeSpec& a = site_.spec.acme;
  (void)ReadEab(ctx);
  if (!a.challenge.tsig_secret.empty())
    (void)ctx.ReadSecret(a.challenge.tsig_secret, kTsigEnv, kTsigFile);
  if (!a.ca_bundle.empty()) (void)ctx.ReadFile("caBundle");
  const std::string& webroot = ctx.Path("challenge/webroot");
  if (!webroot.empty() && !IsDirectory(webroot)) {
    ctx.Error("challenge/webroot",
              "the webroot " + ctx.Shown("challenge/webroot") + " is not a folder",
              "give the document root of the web server that answers on port 80 for every name");
  }
  const std::string& key = ctx.Path("accountKey");
  struct stat st {};
  if (::lstat(key.c_str(), &st) == 0) {
    Result<x509::PrivateKey> loaded = acme::LoadOrCreateAccountKey(key);
    if (!loaded.ok()) ctx.Error("accountKey", loaded.status().message());
  }
  return !ctx.failed();
}

std::unique_ptr<acme::ChallengeSolver> AcmeIssuer::MakeSolver(IssuerContext& ctx) {
  const AcmeChallengeSpec& c = site_.spec.acme.challenge;
  if (!c.exec.empty()) {
    std::vector<std::string> command = c.exec;
    // A relative program is relative to the manifest, like every other path.
    if (command[0].find('/') != std::string::npos && command[0][0] != '/') {
      command[0] = site_.base_dir.empty() ? command[0] : site_.base_dir + "/" + command[0];
    }
    return std::make_unique<acme::ExecHookSolver>(std::move(command), c.type);
  }
  if (!c.webroot.empty())
    return std::make_unique<acme::WebrootSolver>(ctx.Path("challenge/webroot"));
  if (!c.standalone.empty()) return std::make_unique<acme::StandaloneSolver>(c.standalone);
  std::optional<std::string> secret = ctx.ReadSecret(c.tsig_secret, kTsigEnv, kTsigFile);
  if (!secret) return nullptr;
  acme::Rfc2136Config config;
  config.server = c.rfc2136_server;
  config.zone = c.rfc2136_zone;
  config.tsig_key_name = c.tsig_key_name;
  if (!c.tsig_algorithm.empty()) config.tsig_algorithm = c.tsig_algorithm;
  config.tsig_secret = std::string(Trim(*secret));
  return std::make_unique<acme::Rfc2136Solver>(std::move(config));
}

Status AcmeIssuer::Connect() {
  std::lock_guard<std::mutex> lock(mu_);
  if (connected_) return *connected_;
  Diagnostics diagnostics;
  IssuerContext ctx(site_, &diagnostics);
  const AcmeSpec& a = site_.spec.acme;
  acme::ClientOptions options;
  options.directory_url = a.directory;
  options.ca_bundle = ctx.Path("caBundle");
  options.contact = a.contact;
  options.accept_terms = a.accept_terms;
  options.eab = ReadEab(ctx);
  solver_ = MakeSolver(ctx);
  Result<x509::PrivateKey> key = acme::LoadOrCreateAccountKey(ctx.Path("accountKey"));
  if (!key.ok()) ctx.Error("accountKey", key.status().message());
  if (ctx.failed()) return *(connected_ = ctx.FirstError());
  const std::string what = "issuer " + Quote(name()) + " (" + a.directory + ")";
  Result<std::unique_ptr<acme::AcmeClient>> client =
      acme::AcmeClient::Connect(std::move(options), std::move(key).value());
  if (!client.ok()) return *(connected_ = client.status().WithContext(what));
  Result<acme::Account> account = (*client)->EnsureAccount();
  if (!account.ok()) return *(connected_ = account.status().WithContext(what));
  client_ = std::move(client).value();
  return *(connected_ = Status::Ok());
}

Result<IssuedCertificate> AcmeIssuer::Issue(const IssueRequest& request) {
  XCERT_RETURN_IF_ERROR(Connect());
  const std::string label = request.certificate.empty() ? request.subject : request.certificate;
  const std::string what = "certificate " + Quote(label) + " from issuer " + Quote(name());
  Result<x509::PrivateKey> key = x509::PrivateKey::Generate(request.key);
  if (!key.ok()) return key.status().WithContext(what);
  Result<std::string> csr = x509::CreateCsr(request.subject, request.dns_names, *key);
  if (!csr.ok()) return csr.status().WithContext(what);
  acme::ObtainRequest order;
  order.label = label;
  order.names = request.dns_names;
  order.csr_der = std::move(csr).value();
  order.profile = site_.spec.acme.profile;
  order.preferred_chain = site_.spec.acme.preferred_chain;
  XCERT_ASSIGN_OR_RETURN(acme::ObtainResult got,
                         acme::ObtainCertificate(*client_, *solver_, order));
  Result<std::vector<std::string>> chain = x509::ReadCertificates(got.chain_pem);
  if (!chain.ok() || chain->empty()) {
    return Unavailable(what + ": the ACME server's certificate download holds no certificate (" +
                       got.certificate_url + ")");
  }
  const std::string leaf = chain->front();
  chain->erase(chain->begin());
  IssuedCertificate out;
  out.pem_bundle = PemBundle(leaf, *key, *chain);
  out.warnings = std::move(got.warnings);
  return out;
}

}  // namespace xcert::issuers
