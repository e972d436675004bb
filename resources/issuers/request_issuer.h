// The `request` issuer: an external CA reached by files (design §3, the
// book's Certificate Services workflow). Apply creates the key and a pending
// request in the server's store and Submit writes its CSR to the `outbox`;
// the CA operator signs it and drops the answer in the `inbox`; the next plan
// finds it there (inbox.h) and imports it where the request is pending.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "engine/apply/issuer.h"
#include "engine/model/server_state.h"
#include "engine/plan/desired.h"
#include "resources/issuers/inbox.h"
#include "resources/issuers/issuer_context.h"

namespace xcert::issuers {

class RequestIssuer final : public Issuer {
 public:
  // Checks the two folders (each may be missing, but not a file, and they
  // must differ) and scans the inbox against the pending requests of
  // `actual`. Errors through `ctx` give nullptr.
  static std::unique_ptr<RequestIssuer> Open(IssuerContext& ctx, const ActualState& actual,
                                             TimePoint now);

  // The outbox (absolute) and the answers found in the inbox.
  IssuerFacts Facts() const;

  const std::string& name() const override { return name_; }

  // Writes `csr_pem` (a PKCS#10 request, re-encoded as clean PEM) to
  // <outbox>/<file_name> atomically, creating the folder; returns that path.
  // `file_name` must be a plain file name (CsrFileName). Thread-safe.
  Result<std::string> Submit(const std::string& file_name, const std::string& csr_pem) override;

  // The answer at `path` (a file in the inbox) as a PEM bundle: its
  // end-entity certificate (the one the scan matched), then the rest of the
  // file as chain. No key and no password: the store completes the pending
  // request that holds the key.
  Result<ImportRequest> ImportData(const std::string& path) override;

 private:
  RequestIssuer(std::string name, std::string outbox, std::string inbox, InboxScan scan);

  std::string name_;
  std::string outbox_;  // absolute
  std::string inbox_;   // absolute
  InboxScan scan_;
  std::mutex write_mutex_;  // Submit creates the outbox once
};

}  // namespace xcert::issuers
