#include "resources/exchange/exchange_store.h"

#include <spdlog/spdlog.h>

#include "engine/model/dn.h"
#include "engine/util/strings.h"
#include "resources/exchange/projection.h"
#include "resources/store/import_data.h"
#include "resources/store/store_rules.h"
#include "resources/x509/digest.h"
#include "resources/x509/parse.h"
#include "resources/x509/pem.h"
#include "resources/x509/pkcs12.h"

namespace xcert::exchange {

using nlohmann::json;

namespace {

// New-ExchangeCertificate accepts these RSA sizes only (reference §2.1).
constexpr int kExchangeKeySizes[] = {1024, 2048, 4096};

}  // namespace

Status CheckExchangeKey(const std::string& server, const std::string& subject, const KeySpec& key) {
  const std::string what = "New certificate '" + subject + "' on " + server;
  if (key.algorithm != KeyAlgorithm::kRsa) {
    return InvalidArgument(
        what +
        ": Exchange creates RSA keys only (New-ExchangeCertificate has no ECDSA); "
        "use key: {algorithm: RSA, size: 2048}");
  }
  for (int size : kExchangeKeySizes) {
    if (key.rsa_bits == size) return Status::Ok();
  }
  return InvalidArgument(
      what + ": New-ExchangeCertificate accepts RSA key sizes 1024, 2048 and 4096, not " +
      std::to_string(key.rsa_bits) + "; use 2048 or 4096");
}

std::string ExchangeFriendlyName(const std::string& friendly_name, const std::string& subject) {
  if (!friendly_name.empty()) return friendly_name;
  Result<std::vector<Rdn>> rdns = ParseDn(subject);
  return rdns.ok() ? CommonName(*rdns) : "";
}

namespace {

json ServiceNames(ServiceSet services) {
  json names = json::array();
  for (Service s : services.ToVector()) names.push_back(std::string(ServiceName(s)));
  return names;
}

}  // namespace

ExchangeStore::ExchangeStore(ServerSpec spec, EmsTarget target, const Clock& clock)
    : spec_(std::move(spec)), client_(std::move(target)), clock_(clock) {}

Result<ServerState> ExchangeStore::StateOf(const json& answer) const {
  auto it = answer.find("State");
  if (it == answer.end()) {
    return DataLoss(spec_.name +
                    ": the answer has no State; the scripts on the server and this xcert "
                    "do not match (reinstall xcert)");
  }
  Result<Projection> p = ProjectionFromJson(*it);
  if (!p.ok())
    return DataLoss(spec_.name +
                    ": the answer's State is not what xcert expects: " + p.status().message());
  return ToServerState(*p, spec_.name, &spec_);
}

void ExchangeStore::Remember(ServerState state, bool complete, uint64_t generation) {
  std::lock_guard<std::mutex> lock(cache_mutex_);
  // A read that overlapped a change may show the server before it.
  if (generation != generation_) return;
  cache_ = Cached{std::move(state), complete, std::chrono::steady_clock::now()};
}

void ExchangeStore::Forget() {
  std::lock_guard<std::mutex> lock(cache_mutex_);
  cache_.reset();
  ++generation_;
}

uint64_t ExchangeStore::Generation() {
  std::lock_guard<std::mutex> lock(cache_mutex_);
  return generation_;
}

Result<ServerState> ExchangeStore::Fetch(const std::string& thumbprint) {
  const uint64_t generation = Generation();
  XCERT_ASSIGN_OR_RETURN(json answer, client_.Call(Operation::kGet, {{"thumbprint", thumbprint}}));
  XCERT_ASSIGN_OR_RETURN(ServerState state, StateOf(answer));
  Remember(state, false, generation);
  return state;
}

Result<ServerState> ExchangeStore::Recent(const std::string& thumbprint) {
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (cache_ && std::chrono::steady_clock::now() - cache_->at < kCheckCacheTtl &&
        (cache_->complete || cache_->state.Find(thumbprint))) {
      return cache_->state;
    }
  }
  return Fetch(thumbprint);
}

Result<CertificateInfo> ExchangeStore::Produced(const json& answer, const std::string& thumbprint,
                                                const char* cmdlet) {
  XCERT_ASSIGN_OR_RETURN(ServerState state, StateOf(answer));
  Remember(state, false, Generation());  // REQUIRES: mutation_mutex_ held, so nothing else changed
  const CertificateInfo* c = state.Find(thumbprint);
  if (!c) {
    return DataLoss(
        spec_.name + ": " + cmdlet + " reported " + thumbprint +
        " but Get-ExchangeCertificate does not list it; check the server's certificates");
  }
  return *c;
}

Result<ServerState> ExchangeStore::List() {
  const uint64_t generation = Generation();
  XCERT_ASSIGN_OR_RETURN(json answer, client_.Call(Operation::kList, json::object()));
  XCERT_ASSIGN_OR_RETURN(ServerState state, StateOf(answer));
  Remember(state, true, generation);
  return state;
}

Result<std::optional<CertificateInfo>> ExchangeStore::Get(const std::string& thumbprint) {
  const std::string t = store::NormalizeThumbprint(thumbprint);
  XCERT_ASSIGN_OR_RETURN(ServerState state, Fetch(t));
  const CertificateInfo* c = state.Find(t);
  return c ? std::optional<CertificateInfo>(*c) : std::nullopt;
}

Result<CreateResult> ExchangeStore::Create(const CreateRequest& request) {
  XCERT_RETURN_IF_ERROR(store::CheckCreate(spec_.name, request));
  // Which keys Exchange can make is checked on the server (create.ps1), so
  // that this store keeps the contract of every other store.
  const std::string friendly = ExchangeFriendlyName(request.friendly_name, request.subject);
  json args = {{"subject", request.subject},
               {"dnsNames", request.dns_names},
               {"keyAlgorithm", std::string(KeyAlgorithmName(request.key.algorithm))},
               {"keySize", request.key.algorithm == KeyAlgorithm::kRsa ? request.key.rsa_bits : 0},
               {"curve", std::string(CurveName(request.key.curve))},
               {"exportable", request.key.exportable},
               {"friendlyName", friendly},
               {"pendingRequest", request.pending_request},
               {"validitySeconds", request.validity.count()}};
  std::lock_guard<std::mutex> lock(mutation_mutex_);
  Forget();
  XCERT_ASSIGN_OR_RETURN(json answer, client_.Call(Operation::kCreate, args));
  const std::string thumb = store::NormalizeThumbprint(answer.value("Thumbprint", std::string()));
  XCERT_ASSIGN_OR_RETURN(CertificateInfo c, Produced(answer, thumb, "New-ExchangeCertificate"));
  if (c.pending_request && c.csr_pem.empty()) {
    // Get-ExchangeCertificate did not show the request's PKCS#10; the
    // cmdlet's own output has it.
    Result<std::string> pem = CsrPem(answer.value("Csr", std::string()));
    if (!pem.ok()) {
      return DataLoss(spec_.name + ": New-ExchangeCertificate -GenerateRequest made " + thumb +
                      " but returned no readable request: " + pem.status().message());
    }
    c.csr_pem = *pem;
  }
  CreateResult result{c, c.csr_pem};
  return result;
}

Result<CertificateInfo> ExchangeStore::Import(const ImportRequest& request) {
  // Decoding here checks the password and finds the thumbprint before
  // anything goes to the server.
  Result<store::ImportData> decoded = store::DecodeImportData(request.data, request.password);
  if (!decoded.ok()) return decoded.status().WithContext("Import on " + spec_.name);
  store::ImportData data = std::move(decoded).value();
  XCERT_ASSIGN_OR_RETURN(CertificateInfo leaf, x509::ParseCertificate(data.der));
  if (leaf.key_algorithm != KeyAlgorithm::kRsa) {
    // Windows would store it, but Get-ExchangeCertificate leaves out keys
    // other than RSA (KeyAlgorithmUnsupported): nothing could enable it.
    return FailedPrecondition(
        "Cannot import certificate " + leaf.thumbprint + " (" + leaf.subject + ") on " +
        spec_.name + ": its key is " +
        KeySpec{leaf.key_algorithm, leaf.key_bits, leaf.curve, false}.ToString() +
        ", and Exchange uses RSA keys only (Get-ExchangeCertificate does not list it: "
        "KeyAlgorithmUnsupported); have the certificate issued for an RSA key (key: {algorithm: "
        "RSA, size: 2048})");
  }
  const std::string friendly = ExchangeFriendlyName(
      request.friendly_name.empty() ? data.friendly_name : request.friendly_name, leaf.subject);
  json args = {{"thumbprint", leaf.thumbprint},
               {"exportable", request.exportable},
               {"friendlyName", friendly}};
  // A CA answer completes a request: the request's friendly name stays.
  if (!data.key.valid()) args["friendlyName"] = "";
  std::string transit_password;
  if (data.key.valid()) {
    // Import-ExchangeCertificate reads PKCS#12, not PEM keys: a PEM bundle
    // travels as a PKCS#12 made here with a one-time password.
    const bool pkcs12 = !x509::LooksLikePem(request.data) && !request.password.empty();
    if (pkcs12) {
      args["data"] = x509::Base64Encode(request.data);
      args["password"] = request.password;
    } else {
      transit_password = x509::RandomPassword();
      XCERT_ASSIGN_OR_RETURN(std::string p12, x509::WritePkcs12(data.key, data.der, data.chain_der,
                                                                friendly, transit_password));
      args["data"] = x509::Base64Encode(p12);
      args["password"] = transit_password;
    }
  } else {
    XCERT_ASSIGN_OR_RETURN(ServerState state, List());
    const bool has_request =
        std::any_of(state.certificates.begin(), state.certificates.end(), [&](const auto& c) {
          return c.pending_request && c.public_key_sha1 == leaf.public_key_sha1;
        });
    if (!has_request) return store::NoKeyForImport(spec_.name, leaf);
    // Sent as the CA gave it (certificate with its chain, PEM or PKCS#7).
    args["data"] = x509::Base64Encode(request.data);
    args["password"] = "";
  }
  std::lock_guard<std::mutex> lock(mutation_mutex_);
  Forget();
  Result<json> answer = client_.Call(Operation::kImport, args);
  if (!answer.ok() && answer.status().code() == Code::kAlreadyExists) {
    return store::CheckImport(spec_.name, leaf.thumbprint, true);
  }
  if (!answer.ok()) return answer.status();
  return Produced(*answer, leaf.thumbprint, "Import-ExchangeCertificate");
}

Status ExchangeStore::Enable(const std::string& thumbprint, ServiceSet services,
                             const EnableOptions& options) {
  const std::string t = store::NormalizeThumbprint(thumbprint);
  XCERT_ASSIGN_OR_RETURN(ServerState state, Recent(t));
  const CertificateInfo* c = state.Find(t);
  if (!c) return store::CertificateNotFound(spec_.name, t);
  XCERT_RETURN_IF_ERROR(store::CheckEnable(spec_.name, state.identity, *c, services, clock_.Now()));
  json args = {{"thumbprint", t},
               {"services", ServiceNames(services)},
               {"replaceDefaultSmtp", options.replace_default_smtp}};
  std::lock_guard<std::mutex> lock(mutation_mutex_);
  Forget();
  XCERT_ASSIGN_OR_RETURN(json answer, client_.Call(Operation::kEnable, args));
  if (auto notes = answer.find("Notes"); notes != answer.end() && notes->is_array()) {
    for (const json& n : *notes) {
      if (n.is_string()) spdlog::warn("{}: {}", spec_.name, n.get<std::string>());
    }
  }
  return Produced(answer, t, "Enable-ExchangeCertificate").status();
}

Result<std::string> ExchangeStore::Export(const std::string& thumbprint,
                                          const std::string& password) {
  const std::string t = store::NormalizeThumbprint(thumbprint);
  XCERT_ASSIGN_OR_RETURN(ServerState state, Recent(t));
  const CertificateInfo* c = state.Find(t);
  if (!c) return store::CertificateNotFound(spec_.name, t);
  XCERT_RETURN_IF_ERROR(store::CheckExport(spec_.name, *c, password));
  XCERT_ASSIGN_OR_RETURN(
      json answer, client_.Call(Operation::kExport, {{"thumbprint", t}, {"password", password}}));
  Result<std::string> data = x509::Base64Decode(answer.value("Data", std::string()));
  if (!data.ok() || data->empty())
    return DataLoss(spec_.name + ": Export-ExchangeCertificate returned no PKCS#12 for " + t);
  // Exchange may encrypt with 3DES or RC2; backups are AES-256 (design §4).
  Result<x509::Pkcs12Contents> contents = x509::ReadPkcs12(*data, password);
  if (!contents.ok()) {
    return DataLoss(spec_.name + ": the PKCS#12 Export-ExchangeCertificate returned for " + t +
                    " cannot be read: " + contents.status().message());
  }
  // The backup keeps the friendly name, which Exchange's file may lack.
  return x509::WritePkcs12(
      contents->key, contents->certificate_der, contents->chain_der,
      contents->friendly_name.empty() ? c->friendly_name : contents->friendly_name, password);
}

Status ExchangeStore::Remove(const std::string& thumbprint) {
  const std::string t = store::NormalizeThumbprint(thumbprint);
  XCERT_ASSIGN_OR_RETURN(ServerState state, Recent(t));
  if (!state.Find(t)) return store::CertificateNotFound(spec_.name, t);
  XCERT_RETURN_IF_ERROR(store::CheckRemove(spec_.name, state.bindings, t));
  std::lock_guard<std::mutex> lock(mutation_mutex_);
  Forget();
  Result<json> answer = client_.Call(Operation::kRemove, {{"thumbprint", t}});
  if (!answer.ok() && answer.status().code() == Code::kNotFound)
    return store::CertificateNotFound(spec_.name, t);
  return answer.status();
}

ExchangeStoreSet::~ExchangeStoreSet() {
  for (auto& [name, store] : stores_) store->EndSession();
}

Store* ExchangeStoreSet::Find(const std::string& server) {
  auto it = stores_.find(server);
  return it == stores_.end() ? nullptr : it->second.get();
}

void ExchangeStoreSet::Add(std::unique_ptr<ExchangeStore> store) {
  const std::string name = store->server();
  stores_[name] = std::move(store);
}

Result<std::unique_ptr<StoreSet>> OpenExchangeStores(const Manifest& manifest, const Clock& clock) {
  auto set = std::make_unique<ExchangeStoreSet>();
  for (const ServerSpec& server : manifest.servers) {
    const std::vector<std::string>& argv =
        server.transport.empty() ? manifest.store.transport : server.transport;
    if (argv.empty()) {
      return InvalidArgument(
          manifest.WhereServer(server.name).ToString() + ": server '" + server.name +
          "' has no transport for the exchange store; set store.transport (for example [ssh, "
          "\"admin@{fqdn}\", powershell, -NoProfile, -NonInteractive, -Command, -]) or the "
          "server's own transport (docs/exchange.md)");
    }
    EmsTarget target{server.name, ExpandTransport(argv, server.name, server.fqdn),
                     manifest.store.timeout};
    set->Add(std::make_unique<ExchangeStore>(server, std::move(target), clock));
  }
  return std::unique_ptr<StoreSet>(std::move(set));
}

}  // namespace xcert::exchange
