// The inbox of a `request` issuer: the CA's answers (signed certificates as
// PEM, DER or PKCS#7 chains), each matched to the request it answers by its
// public key: a pending request in the ActualState carries the SHA-1 of its
// key (CertificateInfo::public_key_sha1), and so does the certificate the CA
// signed for it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/model/server_state.h"
#include "engine/plan/desired.h"
#include "resources/issuers/issuer_context.h"

namespace xcert::issuers {

struct InboxScan {
  // One item per answered pending request: the best answer when several
  // files answer it (one that can complete it, then the latest NotAfter).
  std::vector<InboxItem> items;
  // Every readable answer file (absolute path) -> thumbprint of its
  // end-entity certificate, so an import picks the same certificate.
  std::map<std::string, std::string> leaf_of;
};

// Reads every regular file in `inbox_dir` (hidden files are skipped; a
// missing folder is an empty inbox). Each file's end-entity certificate is the
// one whose key matches a pending request, else its first non-CA
// certificate. Warnings through `ctx` at the issuer's `inbox`, naming the
// file: an unreadable or corrupt file, a file of CA certificates only, an
// answer that matches no pending request (unless it is already in a store).
InboxScan ScanInbox(IssuerContext& ctx, const std::string& inbox_dir, const ActualState& actual,
                    TimePoint now);

// Why `answer` (read from `path`) cannot complete `request` at `now`, or ""
// when it can: requested names it does not cover, a different subject,
// expired, not yet valid.
std::string AnswerProblem(const std::string& path, const CertificateInfo& answer,
                          const CertificateInfo& request, TimePoint now);

}  // namespace xcert::issuers
