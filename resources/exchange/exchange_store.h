// The Store contract over a live Exchange server: every operation runs one of
// xcert's scripts (resources/exchange/scripts/) in Exchange Management Shell
// through the server's transport command (ems_client.h), and reads the answer
// with the projection parser (projection.h).
//
// Rules are checked before anything is sent, with the same words as every
// other store (resources/store/store_rules.h): Federation is never enabled,
// UM/UMCallRouter only on 2013/2016, protected certificates (Auth current/
// next, :444, internal transport, connector-named, still bound) are never
// removed, export needs an exportable key and a password. The scripts check
// the critical ones again on the server.
//
// Exchange specifics:
//  - Create: the server refuses keys New-ExchangeCertificate cannot make
//    (create.ps1: RSA 1024/2048/4096 only); a self-signed certificate is valid
//    60 months whatever the manifest's validity (the cmdlet has no validity
//    parameter); it gets no services (-Services None).
//  - Import: a PEM bundle with a key is sent as a PKCS#12 made in memory with
//    a random password; a certificate without key completes the pending
//    request holding its key (refused when there is none). A certificate
//    whose key is not RSA is refused (FailedPrecondition): Exchange would
//    store it but never list it.
//  - Export returns Exchange's PKCS#12 re-encrypted with AES-256, with the
//    certificate's friendly name.
//  - Enable with SMTP keeps the internal transport certificate unless
//    EnableOptions::replace_default_smtp (see enable.ps1).
//
// Each server's store keeps one Exchange Management Shell for the whole
// command (EmsClient: starting one takes seconds), and its calls run there
// one at a time. Every call still costs a round trip and Exchange's own
// work, so mutations reuse the answer of a Get made less than
// kCheckCacheTtl ago (apply's precondition check) instead of asking again.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "engine/apply/executor.h"
#include "engine/apply/store.h"
#include "engine/model/manifest.h"
#include "resources/exchange/ems_client.h"

namespace xcert::exchange {

inline constexpr std::chrono::seconds kCheckCacheTtl{30};

// What New-ExchangeCertificate can make: RSA keys of 1024, 2048 or 4096 bits
// (InvalidArgument naming the server and certificate otherwise). The live
// store leaves this to create.ps1; reviewed plans check it when rendered.
Status CheckExchangeKey(const std::string& server, const std::string& subject, const KeySpec& key);

// The friendly name a certificate gets on Exchange: `friendly_name`, or the
// subject's CN when that is empty (Exchange's own default, "Microsoft
// Exchange", would be mistaken for the setup certificate).
std::string ExchangeFriendlyName(const std::string& friendly_name, const std::string& subject);

class ExchangeStore final : public Store {
 public:
  // `clock` (for the UM expiry rule) must outlive the store.
  ExchangeStore(ServerSpec spec, EmsTarget target, const Clock& clock);

  const std::string& server() const override { return spec_.name; }
  Result<ServerState> List() override;
  Result<std::optional<CertificateInfo>> Get(const std::string& thumbprint) override;
  Result<CreateResult> Create(const CreateRequest& request) override;
  Result<CertificateInfo> Import(const ImportRequest& request) override;
  Status Enable(const std::string& thumbprint, ServiceSet services,
                const EnableOptions& options) override;
  Result<std::string> Export(const std::string& thumbprint, const std::string& password) override;
  Status Remove(const std::string& thumbprint) override;

  // Lets the server's shell end (EmsClient::EndSession).
  void EndSession() { client_.EndSession(); }
  int shells_started() const { return client_.shells_started(); }

 private:
  // The server state in an answer's "State".
  Result<ServerState> StateOf(const nlohmann::json& answer) const;
  // Runs get (fresh) and remembers the answer.
  Result<ServerState> Fetch(const std::string& thumbprint);
  // A recent answer that knows `thumbprint`, or a fresh one.
  Result<ServerState> Recent(const std::string& thumbprint);
  // Keeps `state` for Recent, unless a change started after it was read
  // (`generation` is Generation() from before the read).
  void Remember(ServerState state, bool complete, uint64_t generation);
  void Forget();
  uint64_t Generation();
  // The certificate `thumbprint` in a mutation's answer.
  Result<CertificateInfo> Produced(const nlohmann::json& answer, const std::string& thumbprint,
                                   const char* cmdlet);

  ServerSpec spec_;
  EmsClient client_;
  const Clock& clock_;
  std::mutex mutation_mutex_;

  struct Cached {
    ServerState state;
    bool complete = false;  // from List: a thumbprint it lacks is absent
    std::chrono::steady_clock::time_point at;
  };
  std::mutex cache_mutex_;
  std::optional<Cached> cache_;
  uint64_t generation_ = 0;  // changes started so far
};

class ExchangeStoreSet final : public StoreSet {
 public:
  // Ends every shell at once (each then ends by itself), and waits for them.
  ~ExchangeStoreSet() override;
  Store* Find(const std::string& server) override;
  void Add(std::unique_ptr<ExchangeStore> store);

 private:
  std::map<std::string, std::unique_ptr<ExchangeStore>> stores_;
};

// One ExchangeStore per manifest server, for `store: {type: exchange}`. Each
// server uses its own `transport` or else store.transport, with {server} and
// {fqdn} replaced; a server with neither is an error at its manifest line.
// Nothing is run until a store is used.
Result<std::unique_ptr<StoreSet>> OpenExchangeStores(const Manifest& manifest, const Clock& clock);

}  // namespace xcert::exchange
