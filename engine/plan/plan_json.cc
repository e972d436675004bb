#include "engine/plan/plan_json.h"

#include <cstdio>
#include <cstdlib>

#include "engine/plan/json_reader.h"
#include "engine/plan/json_writer.h"
#include "engine/util/quote.h"
#include "engine/util/strings.h"

namespace xcert {

using json = nlohmann::ordered_json;

json LocationToJson(const Location& l) {
  return json{{"file", l.file}, {"line", l.line}, {"column", l.column}};
}

json ReasonsToJson(const std::vector<ReasonDetail>& reasons) {
  json out = json::array();
  for (const ReasonDetail& r : reasons) {
    out.push_back({{"reason", ReasonName(r.reason)},
                   {"detail", r.detail},
                   {"location", LocationToJson(r.where)}});
  }
  return out;
}

json ChangeToJson(const Change& c) {
  json j{{"address", c.address},
         {"server", c.server},
         {"certificate", c.certificate},
         {"action", ChangeActionName(c.action)},
         {"reasons", ReasonsToJson(c.reasons)},
         {"current", c.current},
         {"target", c.target},
         {"provision", ProvisionName(c.provision)}};
  if (!c.source_server.empty()) j["source_server"] = c.source_server;
  if (!c.source_path.empty()) j["source_path"] = c.source_path;
  j["services"] = c.services.ToString();
  return j;
}

namespace {

std::string_view ImportSourceName(ImportSource s) {
  switch (s) {
    case ImportSource::kNone: return "none";
    case ImportSource::kArtifact: return "artifact";
    case ImportSource::kFile: return "file";
    case ImportSource::kInbox: return "inbox";
    case ImportSource::kBackup: return "backup";
  }
  return "none";
}

json StepToJson(const Step& s) {
  json j{{"id", s.id},
         {"kind", StepKindName(s.kind)},
         {"server", s.server},
         {"certificate", s.certificate},
         {"thumbprint", s.thumbprint},
         {"depends_on", s.depends_on},
         {"summary", s.summary}};
  switch (s.kind) {
    case StepKind::kIssue:
    case StepKind::kCreate:
      j["subject"] = s.subject;
      j["dns_names"] = s.dns_names;
      j["key"] = {{"algorithm", KeyAlgorithmName(s.key.algorithm)},
                  {"size", s.key.algorithm == KeyAlgorithm::kRsa ? s.key.rsa_bits : 0},
                  {"curve", CurveName(s.key.curve)},
                  {"exportable", s.key.exportable}};
      j["validity_seconds"] = s.validity.count();
      j["friendly_name"] = s.friendly_name;
      j["issuer"] = s.issuer;
      j["pending_request"] = s.pending_request;
      break;
    case StepKind::kImport:
      j["source"] = ImportSourceName(s.source);
      j["source_path"] = s.source_path;
      j["source_server"] = s.source_server;
      j["exportable"] = s.exportable;
      j["friendly_name"] = s.friendly_name;
      j["issuer"] = s.issuer;
      break;
    case StepKind::kExport: j["source_server"] = s.source_server; break;
    case StepKind::kEnable:
      j["services"] = s.services.ToString();
      j["replace_default_smtp"] = s.replace_default_smtp;
      break;
    case StepKind::kBackupExport:
      j["certificate_only"] = s.certificate_only;
      j["friendly_name"] = s.friendly_name;
      j["subject"] = s.subject;
      break;
    case StepKind::kRemove:
      j["friendly_name"] = s.friendly_name;
      j["subject"] = s.subject;
      break;
  }
  j["location"] = LocationToJson(s.where);
  return j;
}

json Summary(const Plan& p) {
  return json{{"create", p.diff.CountOf(ChangeAction::kCreate)},
              {"replace", p.diff.CountOf(ChangeAction::kReplace)},
              {"bind", p.diff.CountOf(ChangeAction::kBind)},
              {"remove", p.CountOf(StepKind::kRemove)},
              {"steps", p.steps.size()},
              {"backups", p.CountOf(StepKind::kBackupExport)},
              {"pending", p.diff.pending.size()},
              {"blocked", p.diff.blocked.size()}};
}

json UnmanagedToJson(const UnmanagedCertificate& u) {
  return json{{"server", u.server},
              {"thumbprint", u.certificate.thumbprint},
              {"subject", u.certificate.subject},
              {"friendly_name", u.certificate.friendly_name},
              {"not_after", FormatIso8601(u.certificate.not_after)},
              {"services", u.certificate.services.ToString()},
              {"superseded_by", u.superseded},
              {"protection", u.protection},
              {"remove", u.remove}};
}

}  // namespace

json PlanToJson(const Plan& p) {
  json j{{"format_version", kPlanFormatVersion},
         {"xcert_version", XCERT_VERSION},
         {"created_at", FormatIso8601(p.created_at)},
         {"manifest", {{"path", p.manifest_path}, {"sha256", p.manifest_digest}}}};
  if (!p.servers.empty()) j["servers"] = p.servers;
  if (p.shard.active()) j["shard"] = p.shard.ToString();
  j["summary"] = Summary(p);
  json changes = json::array();
  for (const Change& c : p.diff.changes) changes.push_back(ChangeToJson(c));
  j["changes"] = std::move(changes);
  json steps = json::array();
  for (const Step& s : p.steps) steps.push_back(StepToJson(s));
  j["steps"] = std::move(steps);
  json pending = json::array();
  for (const PendingRequest& r : p.diff.pending) {
    pending.push_back({{"server", r.server},
                       {"certificate", r.certificate},
                       {"thumbprint", r.thumbprint},
                       {"csr_path", r.csr_path},
                       {"problem", r.problem}});
  }
  j["pending"] = std::move(pending);
  json unmanaged = json::array();
  for (const UnmanagedCertificate& u : p.diff.unmanaged) unmanaged.push_back(UnmanagedToJson(u));
  j["unmanaged"] = std::move(unmanaged);
  json blocked = json::array();
  for (const Blocked& b : p.diff.blocked) {
    blocked.push_back({{"address", b.address}, {"server", b.server}, {"reason", b.reason}});
  }
  j["blocked"] = std::move(blocked);
  j["warnings"] = p.warnings;
  json observed = json::object();
  for (const auto& [server, o] : p.observed) {
    observed[server] = {{"fingerprint", o.fingerprint}, {"summary", o.summary}};
  }
  j["observed"] = std::move(observed);
  return j;
}

namespace {

// PlanToJsonText writes the document of PlanToJson directly (JsonWriter):
// the same bytes as PlanToJson(plan).dump(2), several times faster for a
// large plan. Debug builds check that they agree.

void WriteLocation(JsonWriter& w, const Location& l) {
  w.BeginObject();
  w.Field("file", l.file);
  w.Field("line", l.line);
  w.Field("column", l.column);
  w.EndObject();
}

void WriteReasons(JsonWriter& w, const std::vector<ReasonDetail>& reasons) {
  w.BeginArray();
  for (const ReasonDetail& r : reasons) {
    w.BeginObject();
    w.Field("reason", ReasonName(r.reason));
    w.Field("detail", r.detail);
    w.Key("location");
    WriteLocation(w, r.where);
    w.EndObject();
  }
  w.EndArray();
}

void WriteChange(JsonWriter& w, const Change& c) {
  w.BeginObject();
  w.Field("address", c.address);
  w.Field("server", c.server);
  w.Field("certificate", c.certificate);
  w.Field("action", ChangeActionName(c.action));
  w.Key("reasons");
  WriteReasons(w, c.reasons);
  w.Field("current", c.current);
  w.Field("target", c.target);
  w.Field("provision", ProvisionName(c.provision));
  if (!c.source_server.empty()) w.Field("source_server", c.source_server);
  if (!c.source_path.empty()) w.Field("source_path", c.source_path);
  w.Field("services", c.services.ToString());
  w.EndObject();
}

void WriteStep(JsonWriter& w, const Step& s) {
  w.BeginObject();
  w.Field("id", s.id);
  w.Field("kind", StepKindName(s.kind));
  w.Field("server", s.server);
  w.Field("certificate", s.certificate);
  w.Field("thumbprint", s.thumbprint);
  w.Key("depends_on");
  w.Ints(s.depends_on);
  w.Field("summary", s.summary);
  switch (s.kind) {
    case StepKind::kIssue:
    case StepKind::kCreate:
      w.Field("subject", s.subject);
      w.Key("dns_names");
      w.Strings(s.dns_names);
      w.Key("key");
      w.BeginObject();
      w.Field("algorithm", KeyAlgorithmName(s.key.algorithm));
      w.Field("size", s.key.algorithm == KeyAlgorithm::kRsa ? s.key.rsa_bits : 0);
      w.Field("curve", CurveName(s.key.curve));
      w.Field("exportable", s.key.exportable);
      w.EndObject();
      w.Field("validity_seconds", static_cast<long long>(s.validity.count()));
      w.Field("friendly_name", s.friendly_name);
      w.Field("issuer", s.issuer);
      w.Field("pending_request", s.pending_request);
      break;
    case StepKind::kImport:
      w.Field("source", ImportSourceName(s.source));
      w.Field("source_path", s.source_path);
      w.Field("source_server", s.source_server);
      w.Field("exportable", s.exportable);
      w.Field("friendly_name", s.friendly_name);
      w.Field("issuer", s.issuer);
      break;
    case StepKind::kExport: w.Field("source_server", s.source_server); break;
    case StepKind::kEnable:
      w.Field("services", s.services.ToString());
      w.Field("replace_default_smtp", s.replace_default_smtp);
      break;
    case StepKind::kBackupExport:
      w.Field("certificate_only", s.certificate_only);
      w.Field("friendly_name", s.friendly_name);
      w.Field("subject", s.subject);
      break;
    case StepKind::kRemove:
      w.Field("friendly_name", s.friendly_name);
      w.Field("subject", s.subject);
      break;
  }
  w.Key("location");
  WriteLocation(w, s.where);
  w.EndObject();
}

void WriteUnmanaged(JsonWriter& w, const UnmanagedCertificate& u) {
  w.BeginObject();
  w.Field("server", u.server);
  w.Field("thumbprint", u.certificate.thumbprint);
  w.Field("subject", u.certificate.subject);
  w.Field("friendly_name", u.certificate.friendly_name);
  w.Field("not_after", FormatIso8601(u.certificate.not_after));
  w.Field("services", u.certificate.services.ToString());
  w.Field("superseded_by", u.superseded);
  w.Field("protection", u.protection);
  w.Field("remove", u.remove);
  w.EndObject();
}

std::string WritePlan(const Plan& p) {
  std::string out;
  out.reserve(1024 + 1200 * p.steps.size() + 600 * p.diff.changes.size() +
              300 * p.diff.unmanaged.size());
  JsonWriter w(&out);
  w.BeginObject();
  w.Field("format_version", kPlanFormatVersion);
  w.Field("xcert_version", XCERT_VERSION);
  w.Field("created_at", FormatIso8601(p.created_at));
  w.Key("manifest");
  w.BeginObject();
  w.Field("path", p.manifest_path);
  w.Field("sha256", p.manifest_digest);
  w.EndObject();
  if (!p.servers.empty()) {
    w.Key("servers");
    w.Strings(std::vector<std::string>(p.servers.begin(), p.servers.end()));
  }
  if (p.shard.active()) w.Field("shard", p.shard.ToString());
  w.Key("summary");
  w.BeginObject();
  w.Field("create", p.diff.CountOf(ChangeAction::kCreate));
  w.Field("replace", p.diff.CountOf(ChangeAction::kReplace));
  w.Field("bind", p.diff.CountOf(ChangeAction::kBind));
  w.Field("remove", p.CountOf(StepKind::kRemove));
  w.Field("steps", p.steps.size());
  w.Field("backups", p.CountOf(StepKind::kBackupExport));
  w.Field("pending", p.diff.pending.size());
  w.Field("blocked", p.diff.blocked.size());
  w.EndObject();
  w.Key("changes");
  w.BeginArray();
  for (const Change& c : p.diff.changes) WriteChange(w, c);
  w.EndArray();
  w.Key("steps");
  w.BeginArray();
  for (const Step& s : p.steps) WriteStep(w, s);
  w.EndArray();
  w.Key("pending");
  w.BeginArray();
  for (const PendingRequest& r : p.diff.pending) {
    w.BeginObject();
    w.Field("server", r.server);
    w.Field("certificate", r.certificate);
    w.Field("thumbprint", r.thumbprint);
    w.Field("csr_path", r.csr_path);
    w.Field("problem", r.problem);
    w.EndObject();
  }
  w.EndArray();
  w.Key("unmanaged");
  w.BeginArray();
  for (const UnmanagedCertificate& u : p.diff.unmanaged) WriteUnmanaged(w, u);
  w.EndArray();
  w.Key("blocked");
  w.BeginArray();
  for (const Blocked& b : p.diff.blocked) {
    w.BeginObject();
    w.Field("address", b.address);
    w.Field("server", b.server);
    w.Field("reason", b.reason);
    w.EndObject();
  }
  w.EndArray();
  w.Key("warnings");
  w.Strings(p.warnings);
  w.Key("observed");
  w.BeginObject();
  for (const auto& [server, o] : p.observed) {
    w.Key(server);
    w.BeginObject();
    w.Field("fingerprint", o.fingerprint);
    w.Key("summary");
    w.StringMap(o.summary);
    w.EndObject();
  }
  w.EndObject();
  w.EndObject();
  out += "\n";
  return out;
}

}  // namespace

std::string PlanToJsonText(const Plan& plan) {
  std::string out = WritePlan(plan);
#ifndef NDEBUG
  if (out != PlanToJson(plan).dump(2) + "\n") {
    std::fprintf(stderr, "xcert: PlanToJsonText differs from PlanToJson; please report this\n");
    std::abort();
  }
#endif
  return out;
}

Location LocationFromJson(JsonReader& r, const nlohmann::json& j) {
  return Location{r.Get<std::string>(j, "file"), r.Get<int>(j, "line"), r.Get<int>(j, "column")};
}

namespace {

ServiceSet ServicesFromText(const std::string& text) {
  ServiceSet out;
  for (const std::string& part : Split(text, ',')) {
    if (auto s = ParseService(std::string(Trim(part)))) out.Add(*s);
  }
  return out;
}

Step StepFromJson(JsonReader& r, const nlohmann::json& j) {
  Step s;
  s.id = r.Get<int>(j, "id");
  auto kind = ParseStepKind(r.Get<std::string>(j, "kind"));
  if (!kind) r.Fail("step " + std::to_string(s.id) + " has an unknown kind");
  s.kind = kind.value_or(StepKind::kCreate);
  s.server = r.Get<std::string>(j, "server");
  s.certificate = r.Get<std::string>(j, "certificate");
  s.thumbprint = r.Get<std::string>(j, "thumbprint");
  s.depends_on = r.Get<std::vector<int>>(j, "depends_on");
  s.summary = r.Get<std::string>(j, "summary");
  s.subject = r.Get<std::string>(j, "subject");
  s.dns_names = r.Get<std::vector<std::string>>(j, "dns_names");
  if (j.contains("key")) {
    const nlohmann::json& k = j["key"];
    s.key.algorithm =
        r.Get<std::string>(k, "algorithm") == "ECDSA" ? KeyAlgorithm::kEcdsa : KeyAlgorithm::kRsa;
    s.key.rsa_bits = r.Get<int>(k, "size");
    const std::string curve = r.Get<std::string>(k, "curve");
    s.key.curve = curve == "P-256"   ? EcCurve::kP256
                  : curve == "P-384" ? EcCurve::kP384
                                     : EcCurve::kNone;
    s.key.exportable = r.Get<bool>(k, "exportable");
  }
  s.validity = Seconds(r.Get<long long>(j, "validity_seconds"));
  s.friendly_name = r.Get<std::string>(j, "friendly_name");
  s.issuer = r.Get<std::string>(j, "issuer");
  s.pending_request = r.Get<bool>(j, "pending_request");
  const std::string source = r.Get<std::string>(j, "source", "none");
  s.source = source == "artifact" ? ImportSource::kArtifact
             : source == "file"   ? ImportSource::kFile
             : source == "inbox"  ? ImportSource::kInbox
             : source == "backup" ? ImportSource::kBackup
                                  : ImportSource::kNone;
  s.source_path = r.Get<std::string>(j, "source_path");
  s.source_server = r.Get<std::string>(j, "source_server");
  s.exportable = r.Get<bool>(j, "exportable");
  s.services = ServicesFromText(r.Get<std::string>(j, "services"));
  s.replace_default_smtp = r.Get<bool>(j, "replace_default_smtp");
  s.certificate_only = r.Get<bool>(j, "certificate_only");
  if (j.contains("location")) s.where = LocationFromJson(r, j["location"]);
  return s;
}

}  // namespace

std::vector<ReasonDetail> ReasonsFromJson(JsonReader& r, const nlohmann::json& list) {
  std::vector<ReasonDetail> out;
  for (const auto& rj : list) {
    ReasonDetail d{Reason::kMissing, r.Get<std::string>(rj, "detail"), {}};
    const std::string name = r.Get<std::string>(rj, "reason");
    bool known = false;
    for (int k = 0; k <= int(Reason::kServedMismatch); ++k) {
      if (ReasonName(Reason(k)) != name) continue;
      d.reason = Reason(k);
      known = true;
    }
    if (!known) r.Fail("unknown reason '" + name + "'");
    if (rj.contains("location")) d.where = LocationFromJson(r, rj["location"]);
    out.push_back(std::move(d));
  }
  return out;
}

Change ChangeFromJson(JsonReader& r, const nlohmann::json& j) {
  Change c;
  c.address = r.Get<std::string>(j, "address");
  c.server = r.Get<std::string>(j, "server");
  c.certificate = r.Get<std::string>(j, "certificate");
  const std::string action = r.Get<std::string>(j, "action");
  for (ChangeAction a : {ChangeAction::kNone, ChangeAction::kCreate, ChangeAction::kReplace,
                         ChangeAction::kBind, ChangeAction::kRemove}) {
    if (ChangeActionName(a) == action) c.action = a;
  }
  c.current = r.Get<std::string>(j, "current");
  c.target = r.Get<std::string>(j, "target");
  const std::string provision = r.Get<std::string>(j, "provision", "none");
  for (Provision p :
       {Provision::kNone, Provision::kCreate, Provision::kCreateRequest, Provision::kImportIssued,
        Provision::kImportFile, Provision::kCompleteRequest, Provision::kImportFromServer}) {
    if (ProvisionName(p) == provision) c.provision = p;
  }
  c.source_server = r.Get<std::string>(j, "source_server");
  c.source_path = r.Get<std::string>(j, "source_path");
  c.services = ServicesFromText(r.Get<std::string>(j, "services"));
  c.reasons = ReasonsFromJson(r, r.Array(j, "reasons"));
  return c;
}

Result<Plan> PlanFromJsonText(std::string_view text, const std::string& path) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return InvalidArgument(MessageValue(path) + ": not a valid xcert plan: " +
                           MessageValue(e.what()) + "; make a new one with xcert plan -o");
  }
  JsonReader r(path + ": not a valid xcert plan: ");
  const int version = r.Get<int>(j, "format_version");
  if (version > kPlanFormatVersion) {
    return InvalidArgument(path + ": plan format " + std::to_string(version) +
                           " is newer than this xcert understands (" +
                           std::to_string(kPlanFormatVersion) + "); upgrade xcert or re-plan");
  }
  if (version < 1) r.Fail("format_version is missing");
  Plan p;
  auto created = ParseIso8601(r.Get<std::string>(j, "created_at"));
  if (created.ok()) p.created_at = *created;
  if (j.contains("manifest")) {
    p.manifest_path = r.Get<std::string>(j["manifest"], "path");
    p.manifest_digest = r.Get<std::string>(j["manifest"], "sha256");
  }
  for (std::string& server : r.Get<std::vector<std::string>>(j, "servers")) {
    p.servers.insert(std::move(server));
  }
  if (const std::string shard = r.Get<std::string>(j, "shard"); !shard.empty()) {
    Result<ShardSpec> spec = ParseShard(shard);
    if (spec.ok())
      p.shard = *spec;
    else
      r.Fail("field 'shard' is not K/N");
  }
  for (const auto& s : r.Array(j, "steps")) p.steps.push_back(StepFromJson(r, s));
  for (const auto& c : r.Array(j, "changes")) p.diff.changes.push_back(ChangeFromJson(r, c));
  p.warnings = r.Get<std::vector<std::string>>(j, "warnings");
  if (j.contains("observed") && j["observed"].is_object()) {
    for (const auto& [server, o] : j["observed"].items()) {
      p.observed[server] = {r.Get<std::string>(o, "fingerprint"),
                            r.Get<std::map<std::string, std::string>>(o, "summary")};
    }
  }
  if (!r.error().empty()) return InvalidArgument(r.error() + "; make a new one with xcert plan -o");
  for (size_t i = 0; i < p.steps.size(); ++i) {
    if (p.steps[i].id != int(i + 1)) return InvalidArgument(path + ": steps are not numbered 1..n");
  }
  XCERT_RETURN_IF_ERROR(VerifyOrder(p.steps).WithContext(path));
  return p;
}

}  // namespace xcert
