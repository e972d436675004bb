#include "resources/store/local_format.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <optional>
#include <random>
#include <utility>

#include <nlohmann/json.hpp>

#include "engine/util/strings.h"
#include "resources/store/store_rules.h"
#include "resources/x509/pem.h"

namespace xcert::store::local {

namespace {

using nlohmann::json;

// A JSON object with a "version" this build reads.
Result<json> ParseVersioned(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument("not valid JSON");
  if (!j.is_object()) return InvalidArgument("expected a JSON object");
  auto v = j.find("version");
  if (v == j.end()) return InvalidArgument("no 'version' field");
  if (!v->is_number_integer()) return InvalidArgument("'version' must be an integer");
  const long long version = v->get<long long>();
  if (version > kFormatVersion) {
    return InvalidArgument("format version " + std::to_string(version) +
                           " is newer than this xcert reads (" + std::to_string(kFormatVersion) +
                           "); upgrade xcert");
  }
  if (version < 1) return InvalidArgument("'version' must be 1");
  return j;
}

// `j[key]` as a string; absent or null gives "" unless required.
Status GetString(const json& j, const char* key, bool required, std::string* out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return InvalidArgument(std::string("no '") + key + "' field");
    out->clear();
    return Status::Ok();
  }
  if (!it->is_string()) return InvalidArgument(std::string("'") + key + "' must be a string");
  *out = it->get<std::string>();
  return Status::Ok();
}

Status GetBool(const json& j, const char* key, bool* out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    *out = false;
    return Status::Ok();
  }
  if (!it->is_boolean()) return InvalidArgument(std::string("'") + key + "' must be true or false");
  *out = it->get<bool>();
  return Status::Ok();
}

Status GetThumbprint(const json& j, const char* key, std::string* out) {
  XCERT_RETURN_IF_ERROR(GetString(j, key, false, out));
  if (!out->empty() && !IsThumbprint(*out)) {
    return InvalidArgument(std::string("'") + key + "': '" + *out +
                           "' is not a thumbprint (40 upper-case hexadecimal characters)");
  }
  return Status::Ok();
}

Status GetThumbprints(const json& j, const char* key, std::vector<std::string>* out) {
  out->clear();
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return Status::Ok();
  if (!it->is_array()) return InvalidArgument(std::string("'") + key + "' must be an array");
  for (const json& e : *it) {
    if (!e.is_string() || !IsThumbprint(e.get<std::string>())) {
      return InvalidArgument(std::string("'") + key + "': " + e.dump() +
                             " is not a thumbprint (40 upper-case hexadecimal characters)");
    }
    out->push_back(e.get<std::string>());
  }
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
  return Status::Ok();
}

// Written with the fields in a fixed, readable order (version first).
std::string Dump(const nlohmann::ordered_json& j) { return j.dump(2) + "\n"; }

}  // namespace

std::string WhyInvalidServerName(std::string_view name) {
  if (name.empty()) return "the server name is empty";
  if (name.size() > 64) return "the server name is longer than 64 characters";
  if (name.front() == '.') return "the server name starts with '.'";
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) {
      return std::string("the server name contains '") + c +
             "'; use letters, digits, '-', '_' and '.'";
    }
  }
  if (name == kJournalDir || name == kLockFile || name == kRootMarker) {
    return Quote(std::string(name)) + " is reserved in a local store";
  }
  return "";
}

std::string EncodeRootMarker() {
  return Dump(nlohmann::ordered_json{{"format", kFormatName}, {"version", kFormatVersion}});
}

Status CheckRoot(const fs::path& root) {
  const fs::path marker = root / kRootMarker;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return NotFound("there is no local store at " + root.string() +
                    "; create one with: xcert store init --store " + root.string() +
                    " --server NAME --fqdn FQDN --roles Mailbox");
  }
  Result<std::string> text = ReadFile(marker, Links::kRefuse);
  if (!text.ok()) {
    if (text.status().code() == Code::kNotFound) {
      return FailedPrecondition(root.string() + " is not an xcert store (" + marker.string() +
                                " is missing); point --store at the folder xcert store init "
                                "created");
    }
    return text.status();
  }
  Result<json> j = ParseVersioned(*text);
  if (!j.ok()) return DataLoss(marker.string() + ": " + j.status().message());
  std::string format;
  if (Status s = GetString(*j, "format", true, &format); !s.ok() || format != kFormatName) {
    return DataLoss(marker.string() + ": 'format' is not \"" + std::string(kFormatName) +
                    "\"; this folder belongs to another program");
  }
  return Status::Ok();
}

std::string EncodeServer(const ServerIdentity& id) {
  nlohmann::ordered_json roles = nlohmann::ordered_json::array();
  for (Role r : id.roles) roles.push_back(RoleName(r));
  return Dump(nlohmann::ordered_json{{"version", kFormatVersion},
                                     {"name", id.name},
                                     {"fqdn", id.fqdn},
                                     {"roles", roles},
                                     {"exchangeVersion", VersionName(id.version)}});
}

Result<ServerIdentity> DecodeServer(std::string_view text) {
  XCERT_ASSIGN_OR_RETURN(json j, ParseVersioned(text));
  ServerIdentity id;
  XCERT_RETURN_IF_ERROR(GetString(j, "name", true, &id.name));
  XCERT_RETURN_IF_ERROR(GetString(j, "fqdn", false, &id.fqdn));
  auto roles = j.find("roles");
  if (roles == j.end() || !roles->is_array()) {
    return InvalidArgument("'roles' must be an array such as [\"Mailbox\"]");
  }
  for (const json& r : *roles) {
    std::optional<Role> role = r.is_string() ? ParseRole(r.get<std::string>()) : std::nullopt;
    if (!role) {
      return InvalidArgument("'roles': unknown role " + r.dump() +
                             " (known: Mailbox, ClientAccess, EdgeTransport)");
    }
    id.roles.push_back(*role);
  }
  std::string version;
  XCERT_RETURN_IF_ERROR(GetString(j, "exchangeVersion", true, &version));
  std::optional<ExchangeVersion> v = ParseVersion(version);
  if (!v) {
    return InvalidArgument("'exchangeVersion': unknown version '" + version +
                           "' (known: 2013, 2016, 2019, SE)");
  }
  id.version = *v;
  return id;
}

std::string EncodeBindings(const Bindings& b) {
  return Dump(nlohmann::ordered_json{{"version", kFormatVersion},
                                     {"IIS", b.iis},
                                     {"IISBackEnd", b.iis_back_end},
                                     {"IMAP", b.imap},
                                     {"POP", b.pop},
                                     {"UM", b.um},
                                     {"UMCallRouter", b.um_call_router},
                                     {"SMTP", b.smtp},
                                     {"InternalTransport", b.internal_transport},
                                     {"AuthCurrent", b.auth_current},
                                     {"AuthNext", b.auth_next},
                                     {"Connectors", b.connector_refs}});
}

Result<Bindings> DecodeBindings(std::string_view text) {
  XCERT_ASSIGN_OR_RETURN(json j, ParseVersioned(text));
  Bindings b;
  XCERT_RETURN_IF_ERROR(GetThumbprint(j, "IIS", &b.iis));
  XCERT_RETURN_IF_ERROR(GetThumbprint(j, "IISBackEnd", &b.iis_back_end));
  XCERT_RETURN_IF_ERROR(GetThumbprint(j, "IMAP", &b.imap));
  XCERT_RETURN_IF_ERROR(GetThumbprint(j, "POP", &b.pop));
  XCERT_RETURN_IF_ERROR(GetThumbprint(j, "UM", &b.um));
  XCERT_RETURN_IF_ERROR(GetThumbprint(j, "UMCallRouter", &b.um_call_router));
  XCERT_RETURN_IF_ERROR(GetThumbprints(j, "SMTP", &b.smtp));
  XCERT_RETURN_IF_ERROR(GetThumbprint(j, "InternalTransport", &b.internal_transport));
  XCERT_RETURN_IF_ERROR(GetThumbprint(j, "AuthCurrent", &b.auth_current));
  XCERT_RETURN_IF_ERROR(GetThumbprint(j, "AuthNext", &b.auth_next));
  XCERT_RETURN_IF_ERROR(GetThumbprints(j, "Connectors", &b.connector_refs));
  return b;
}

std::string EncodeMeta(const ItemMeta& m) {
  return Dump(nlohmann::ordered_json{{"version", kFormatVersion},
                                     {"friendlyName", m.friendly_name},
                                     {"exportable", m.exportable},
                                     {"createdBy", m.created_by},
                                     {"createdAt", FormatIso8601(m.created_at)}});
}

Result<ItemMeta> DecodeMeta(std::string_view text) {
  XCERT_ASSIGN_OR_RETURN(json j, ParseVersioned(text));
  ItemMeta m;
  XCERT_RETURN_IF_ERROR(GetString(j, "friendlyName", false, &m.friendly_name));
  XCERT_RETURN_IF_ERROR(GetBool(j, "exportable", &m.exportable));
  XCERT_RETURN_IF_ERROR(GetString(j, "createdBy", false, &m.created_by));
  std::string at;
  XCERT_RETURN_IF_ERROR(GetString(j, "createdAt", false, &at));
  if (!at.empty()) {
    Result<TimePoint> t = ParseIso8601(at);
    if (!t.ok()) return InvalidArgument("'createdAt': " + t.status().message());
    m.created_at = *t;
  }
  return m;
}

std::string EncodeChain(const std::vector<std::string>& chain_der) {
  std::string out;
  for (const std::string& der : chain_der) out += x509::ToPem("CERTIFICATE", der);
  return out;
}

std::string WorkName(std::string_view prefix) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  return std::string(prefix) + std::to_string(::getpid()) + "-" + std::to_string(rng());
}

namespace {

// The leading decimal number of `s` (at most 10 digits) and what follows it;
// nullopt without one.
std::optional<std::pair<long, std::string_view>> LeadingNumber(std::string_view s) {
  size_t digits = 0;
  long n = 0;
  while (digits < s.size() && digits < 10 && s[digits] >= '0' && s[digits] <= '9') {
    n = n * 10 + (s[digits] - '0');
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  return std::pair(n, s.substr(digits));
}

// Whether `rest` is exactly "<pid><sep><digits>" (what WorkName and
// WriteFileAtomic append), giving the pid; -1 otherwise.
long PidOfSuffix(std::string_view rest, char sep) {
  auto pid = LeadingNumber(rest);
  if (!pid || pid->second.empty() || pid->second.front() != sep) return -1;
  const std::string_view n = pid->second.substr(1);  // a random number of any length
  const bool digits =
      !n.empty() && std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; });
  return digits ? pid->first : -1;
}

// The pid of a work entry, or -1 when `name` is not one: "<prefix><pid>-<n>"
// (work folders) or "<name>.tmp.<pid>.<n>" (WriteFileAtomic). Anything else,
// a user's "notes.tmp.txt" included, is not xcert's to delete.
long WorkPid(std::string_view name) {
  for (std::string_view prefix : {kTempPrefix, kTrashPrefix}) {
    if (name.starts_with(prefix)) return PidOfSuffix(name.substr(prefix.size()), '-');
  }
  const size_t at = name.rfind(".tmp.");
  if (at == std::string_view::npos || at == 0) return -1;
  return PidOfSuffix(name.substr(at + 5), '.');
}

}  // namespace

bool IsWork(std::string_view name) { return WorkPid(name) >= 0; }

bool IsStaleWork(std::string_view name) {
  const long pid = WorkPid(name);
  return pid >= 0 && pid != long(::getpid());
}

bool IsDeadWork(std::string_view name) {
  const long pid = WorkPid(name);
  if (pid <= 0 || pid > std::numeric_limits<pid_t>::max() || pid == long(::getpid())) return false;
  // ESRCH: no such process. EPERM means it runs (as another user).
  return ::kill(pid_t(pid), 0) != 0 && errno == ESRCH;
}

}  // namespace xcert::store::local
