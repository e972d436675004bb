#include "engine/plan/applied.h"

#include <cstdint>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "engine/plan/json_reader.h"
#include "engine/util/quote.h"

namespace xcert {

namespace {

constexpr int kRecordVersion = 1;

// FNV-1a, 64 bits: a change detector, not a security check (the record lives
// beside the journal, under the same protection).
class Fnv {
 public:
  void Add(std::string_view field) {
    for (unsigned char c : field) Mix(c);
    Mix(0x1f);  // a field separator no field holds
  }
  std::string Hex() const {
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h_));
    return out;
  }

 private:
  void Mix(unsigned char c) {
    h_ ^= c;
    h_ *= 0x100000001b3ULL;
  }
  uint64_t h_ = 0xcbf29ce484222325ULL;
};

}  // namespace

std::string SpecDigest(const DesiredCertificate& c) {
  Fnv f;
  f.Add("v1");
  f.Add(c.subject);
  for (const std::string& n : c.dns_names) f.Add(n);
  f.Add("|");
  f.Add(c.key.ToString());
  f.Add(c.key.exportable ? "exportable" : "not exportable");
  f.Add(c.issuer);
  f.Add(std::to_string(c.validity.count()));
  f.Add(std::to_string(c.renew_before.count()));
  f.Add(c.services.ToString());
  f.Add(c.replace_default_smtp ? "replace default SMTP" : "");
  f.Add(c.friendly_name);
  return f.Hex();
}

std::string AppliedRecordToJson(const AppliedRecord& r) {
  nlohmann::ordered_json j{{"version", kRecordVersion},
                           {"run", r.run},
                           {"updated_at", r.updated_at},
                           {"certificates", r.digests}};
  return j.dump(2) + "\n";
}

Result<AppliedRecord> AppliedRecordFromJson(std::string_view text, const std::string& path) {
  const std::string prefix = path + ": not a record of what xcert applied: ";
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return InvalidArgument(prefix + MessageValue(e.what()) +
                           "; delete it (drift then counts this server's differences as manifest "
                           "changes until the next apply)");
  }
  JsonReader r(prefix);
  if (r.Get<int>(j, "version") != kRecordVersion) r.Fail("unknown version");
  AppliedRecord record;
  record.run = r.Get<std::string>(j, "run");
  record.updated_at = r.Get<std::string>(j, "updated_at");
  record.digests = r.Get<std::map<std::string, std::string>>(j, "certificates");
  if (!r.error().empty()) return InvalidArgument(r.error());
  return record;
}

std::set<ServerArtifact> AppliedAsAsked(const Desired& desired,
                                        const std::map<std::string, AppliedRecord>& records) {
  std::set<ServerArtifact> out;
  for (const DesiredCertificate& c : desired.certificates) {
    const std::string digest = SpecDigest(c);
    for (const std::string& server : c.servers) {
      auto it = records.find(server);
      if (it == records.end()) continue;
      auto d = it->second.digests.find(c.artifact);
      if (d != it->second.digests.end() && d->second == digest) out.insert({server, c.artifact});
    }
  }
  return out;
}

}  // namespace xcert
