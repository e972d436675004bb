// What xcert last applied on a server: for each certificate of the manifest
// on it, a digest of the desired spec that apply made true there, and the run
// that did. Drift compares it with what the manifest asks now to say whose
// change a difference is (docs/commands/drift.md#categories): the manifest
// changed (it asks for another spec than xcert applied, or one never
// applied), or the store changed outside xcert (xcert applied exactly this
// spec, and the store no longer holds it). Pure values; reading and writing
// the files is engine/cli/applied_records.h.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "engine/plan/desired.h"
#include "engine/util/status.h"

namespace xcert {

struct AppliedRecord {
  std::string run;                             // the apply run that last updated it
  std::string updated_at;                      // ISO 8601
  std::map<std::string, std::string> digests;  // artifact ("mail", "smtp@MX01") -> SpecDigest
  bool operator==(const AppliedRecord&) const = default;
};

// A stable digest (hex) of everything the manifest asks of a certificate on
// its servers: subject, names, key, issuer, validity, renewal, services, SMTP
// default, friendly name. The same spec gives the same digest in every xcert
// version that writes this record format.
std::string SpecDigest(const DesiredCertificate& c);

std::string AppliedRecordToJson(const AppliedRecord& r);
// The error names `path`.
Result<AppliedRecord> AppliedRecordFromJson(std::string_view text, const std::string& path);

// (server, artifact) of every certificate the manifest asks for whose record
// on that server holds the digest of exactly what the manifest asks now.
using ServerArtifact = std::pair<std::string, std::string>;
std::set<ServerArtifact> AppliedAsAsked(const Desired& desired,
                                        const std::map<std::string, AppliedRecord>& records);

}  // namespace xcert
