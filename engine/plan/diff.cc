#include "engine/plan/diff.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "engine/model/dn.h"
#include "engine/model/dns_name.h"
#include "engine/model/name_match.h"
#include "engine/util/strings.h"

namespace xcert {

std::string_view ReasonName(Reason r) {
  switch (r) {
    case Reason::kMissing: return "Missing";
    case Reason::kMissingPrivateKey: return "MissingPrivateKey";
    case Reason::kKeySpecMismatch: return "KeySpecMismatch";
    case Reason::kSubjectMismatch: return "SubjectMismatch";
    case Reason::kNamesMismatch: return "NamesMismatch";
    case Reason::kIssuerMismatch: return "IssuerMismatch";
    case Reason::kRenewedFile: return "RenewedFile";
    case Reason::kExpired: return "Expired";
    case Reason::kRenewalDue: return "RenewalDue";
    case Reason::kNotYetValid: return "NotYetValid";
    case Reason::kPending: return "Pending";
    case Reason::kBindingMismatch: return "BindingMismatch";
    case Reason::kNotShared: return "NotShared";
    case Reason::kServedMismatch: return "ServedMismatch";
  }
  return "?";
}

std::string_view ChangeActionName(ChangeAction a) {
  switch (a) {
    case ChangeAction::kNone: return "none";
    case ChangeAction::kCreate: return "create";
    case ChangeAction::kReplace: return "replace";
    case ChangeAction::kBind: return "bind";
    case ChangeAction::kRemove: return "remove";
  }
  return "?";
}

std::string_view ProvisionName(Provision p) {
  switch (p) {
    case Provision::kNone: return "none";
    case Provision::kCreate: return "create";
    case Provision::kCreateRequest: return "create-request";
    case Provision::kImportIssued: return "import-issued";
    case Provision::kImportFile: return "import-file";
    case Provision::kCompleteRequest: return "complete-request";
    case Provision::kImportFromServer: return "import-from-server";
  }
  return "?";
}

size_t DiffResult::ActionableCount() const {
  return std::count_if(changes.begin(), changes.end(),
                       [](const Change& c) { return c.action != ChangeAction::kNone; });
}

size_t DiffResult::CountOf(ChangeAction a) const {
  return std::count_if(changes.begin(), changes.end(),
                       [a](const Change& c) { return c.action == a; });
}

bool DiffResult::HasDrift() const {
  return !changes.empty() || !pending.empty() || !blocked.empty() ||
         std::any_of(unmanaged.begin(), unmanaged.end(),
                     [](const UnmanagedCertificate& u) { return u.remove; });
}

namespace {

std::string Date(TimePoint t) { return FormatIso8601(t).substr(0, 10); }

// "missing a, b; unexpected c" between the wanted and the actual name sets.
std::string NamesDelta(const std::vector<std::string>& want, const std::vector<std::string>& have) {
  const std::vector<std::string> w = CanonicalDnsNames(want), h = CanonicalDnsNames(have);
  std::vector<std::string> missing, extra;
  std::set_difference(w.begin(), w.end(), h.begin(), h.end(), std::back_inserter(missing));
  std::set_difference(h.begin(), h.end(), w.begin(), w.end(), std::back_inserter(extra));
  std::string out;
  if (!missing.empty()) out = "missing " + Join(missing, ", ");
  if (!extra.empty())
    out += (out.empty() ? "" : "; ") + std::string("unexpected ") + Join(extra, ", ");
  return out;
}

// The name comparisons of diff with every distinct text parsed once. Diff
// compares every desired certificate with every certificate on its servers
// (a fleet: tens of thousands of pairs), and parsing DNs dominated that.
// Same results as SameDn, SameCommonName and SameDnsNameSet.
class NameCache {
 public:
  // SameDn(a, b).
  bool SameDn(const std::string& a, const std::string& b) {
    const Dn& da = DnOf(a);
    const Dn& db = DnOf(b);
    if (da.parsed && db.parsed) return da.key == db.key;
    return EqualsIgnoreCase(Trim(a), Trim(b));
  }

  // The CNs compared ignoring case; SameDn when either does not parse.
  bool SameCommonName(const std::string& a, const std::string& b) {
    const Dn& da = DnOf(a);
    const Dn& db = DnOf(b);
    if (!da.parsed || !db.parsed) return SameDn(a, b);
    return EqualsIgnoreCase(da.common_name, db.common_name);
  }

  // SameDnsNameSet(a, b); the vectors must outlive the cache.
  bool SameDnsNameSet(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    return CanonicalOf(a) == CanonicalOf(b);
  }

 private:
  struct Dn {
    bool parsed = false;
    std::string key;
    std::string common_name;
  };

  const Dn& DnOf(const std::string& text) {
    auto [it, inserted] = dns_.try_emplace(text);
    if (inserted) {
      Result<std::vector<Rdn>> rdns = ParseDn(text);
      if (rdns.ok()) {
        it->second.parsed = true;
        it->second.key = DnKey(*rdns);
        it->second.common_name = CommonName(*rdns);
      }
    }
    return it->second;
  }

  const std::vector<std::string>& CanonicalOf(const std::vector<std::string>& names) {
    auto [it, inserted] = canonical_.try_emplace(&names);
    if (inserted) it->second = CanonicalDnsNames(names);
    return it->second;
  }

  std::unordered_map<std::string, Dn> dns_;
  std::unordered_map<const std::vector<std::string>*, std::vector<std::string>> canonical_;
};

bool KeyMatches(const KeySpec& want, const CertificateInfo& c) {
  if (c.key_algorithm != want.algorithm) return false;
  if (want.algorithm == KeyAlgorithm::kRsa) return c.key_bits == want.rsa_bits;
  return c.curve == want.curve;
}

std::string KeyDescription(const CertificateInfo& c) {
  if (c.key_algorithm == KeyAlgorithm::kRsa) return "RSA " + std::to_string(c.key_bits);
  return "ECDSA " + std::string(c.curve == EcCurve::kNone ? "?" : CurveName(c.curve));
}

// How a file issuer's supplied certificate differs from the installed one
// `c`: a renewal (later NotAfter) is the normal yearly event, not an error;
// a new issuing CA is named, since connectors that name a certificate by
// issuer and subject need it, and clients need the new intermediate.
std::pair<Reason, std::string> FileChange(const IssuerFacts& f, const CertificateInfo& c,
                                          NameCache& names) {
  const CertificateInfo& s = f.supplied;
  // Dates, or full times when both fall on one day.
  const bool same_day = Date(s.not_after) == Date(c.not_after);
  const auto until = [same_day](TimePoint t) { return same_day ? FormatIso8601(t) : Date(t); };
  std::string why;
  Reason reason = Reason::kIssuerMismatch;
  if (s.not_after > c.not_after) {
    reason = Reason::kRenewedFile;
    why = "the file " + f.supplied_path + " holds a renewal, " + ShortThumb(s.thumbprint) +
          " valid until " + until(s.not_after) + "; the store has " + ShortThumb(c.thumbprint) +
          " valid until " + until(c.not_after);
  } else {
    why = "is " + ShortThumb(c.thumbprint) + " (valid until " + until(c.not_after) +
          "), the file " + f.supplied_path + " holds " + ShortThumb(s.thumbprint) +
          " (valid until " + until(s.not_after) + ")";
    if (s.not_after < c.not_after) why += ", which expires sooner: check that it is the right file";
  }
  if (!c.issuer.empty() && !s.issuer.empty() && !names.SameDn(c.issuer, s.issuer)) {
    why += "; issued by a new intermediate " + Quote(s.issuer) + " (was " + Quote(c.issuer) + ")";
  } else if (!c.authority_key_id.empty() && !s.authority_key_id.empty() &&
             !EqualsIgnoreCase(c.authority_key_id, s.authority_key_id)) {
    why += "; its issuing CA " + Quote(s.issuer) + " signed it with a new key";
  }
  return {reason, why};
}

// Empty text when the certificate comes from the issuer, else the reason and
// why not.
std::pair<Reason, std::string> IssuerProblem(const IssuerFacts& f, const CertificateInfo& c,
                                             NameCache& names) {
  constexpr Reason kMismatch = Reason::kIssuerMismatch;
  switch (f.type) {
    case IssuerType::kSelfSigned:
      if (c.self_signed) return {kMismatch, ""};
      return {kMismatch, "issued by " + Quote(c.issuer) + ", wants a self-signed certificate"};
    case IssuerType::kCa: {
      const bool same_name = names.SameDn(c.issuer, f.ca_subject);
      const bool same_key = f.ca_key_id.empty() || c.authority_key_id.empty() ||
                            EqualsIgnoreCase(c.authority_key_id, f.ca_key_id);
      if (same_name && same_key) return {kMismatch, ""};
      if (same_name) {
        return {kMismatch,
                "issued by an older key of " + Quote(f.ca_subject) + " (the CA was re-keyed)"};
      }
      return {kMismatch, "issued by " + Quote(c.issuer) + ", wants " + Quote(f.ca_subject) +
                             " (issuer " + f.name + ")"};
    }
    case IssuerType::kFile:
      if (c.thumbprint == f.supplied.thumbprint) return {kMismatch, ""};
      return FileChange(f, c, names);
    case IssuerType::kRequest:
      if (!c.self_signed) return {kMismatch, ""};
      return {kMismatch, "self-signed, wants a certificate signed by the CA of issuer " + f.name};
    case IssuerType::kAcme:
      // The ACME server picks its intermediate (and changes it): any CA's
      // certificate for the names will do, only a self-signed one will not.
      if (!c.self_signed) return {kMismatch, ""};
      return {kMismatch,
              "self-signed, wants a certificate from the ACME server of issuer " + f.name};
  }
  return {kMismatch, ""};
}

// Evaluate's checks, in order, appending each failing reason to `out`. With
// `out` null it only answers whether `c` satisfies `d` — no reason at all,
// or, for a file issuer, only time-based ones (a purchased certificate xcert
// cannot renew) — stopping at the first failure and building no text.
bool EvaluateInto(const DesiredCertificate& d, const IssuerFacts& f, const CertificateInfo& c,
                  TimePoint now, NameCache& names, std::vector<ReasonDetail>* out) {
  const bool quick = out == nullptr;
  if (c.attributes_known && !c.has_private_key) {
    if (quick) return false;
    out->push_back(
        {Reason::kMissingPrivateKey, "the store holds no private key for it", d.where_key});
  }
  if (!KeyMatches(d.key, c)) {
    if (quick) return false;
    out->push_back({Reason::kKeySpecMismatch,
                    "has " + KeyDescription(c) + ", wants " + d.key.ToString(), d.where_key});
  } else if (d.key.exportable && c.attributes_known && c.has_private_key && !c.exportable) {
    if (quick) return false;
    out->push_back({Reason::kKeySpecMismatch,
                    "its private key is not exportable, the manifest asks for key.exportable: true",
                    d.where_key});
  }
  // Certificates signed outside xcert (a CA answering a request, a purchased
  // file) are what the CA chose to sign: their subject may gain O/OU/C fields
  // and their names may be a superset or a wildcard. They satisfy the entry
  // when the CN matches and every wanted name is covered; demanding equality
  // would re-request them forever.
  // An ACME server may also leave the subject empty (Let's Encrypt's
  // profiles without a CN): the names are what it certifies.
  const bool acme = f.type == IssuerType::kAcme;
  const bool signed_elsewhere =
      f.type == IssuerType::kRequest || f.type == IssuerType::kFile || acme;
  const bool any_subject = acme && c.subject.empty();
  if (!any_subject && (signed_elsewhere ? !names.SameCommonName(c.subject, d.subject)
                                        : !names.SameDn(c.subject, d.subject))) {
    if (quick) return false;
    out->push_back({Reason::kSubjectMismatch,
                    "has " + Quote(c.subject) + ", wants " + Quote(d.subject), d.where_subject});
  }
  if (signed_elsewhere) {
    const std::vector<std::string> uncovered = UncoveredNames(c, d.dns_names);
    if (!uncovered.empty()) {
      if (quick) return false;
      out->push_back(
          {Reason::kNamesMismatch, "does not cover " + Join(uncovered, ", "), d.where_dns_names});
    }
  } else if (!names.SameDnsNameSet(c.dns_names, d.dns_names)) {
    if (quick) return false;
    out->push_back(
        {Reason::kNamesMismatch, NamesDelta(d.dns_names, c.dns_names), d.where_dns_names});
  }
  if (auto [reason, why] = IssuerProblem(f, c, names); !why.empty()) {
    if (quick) return false;
    out->push_back({reason, why, d.where_issuer});
  }
  // A file issuer's certificate is not re-issued for time-only reasons (see
  // OnlyTimeReasons); Expired is not one of them.
  const bool time_only_ignored = quick && f.type == IssuerType::kFile;
  if (now >= c.not_after) {
    if (quick) return false;
    out->push_back({Reason::kExpired, "expired on " + Date(c.not_after), d.where_validity});
  } else if (now >= c.not_after - d.renew_before) {
    if (quick && !time_only_ignored) return false;
    if (!quick) {
      out->push_back({Reason::kRenewalDue,
                      "expires on " + Date(c.not_after) + " (" +
                          CountNoun(size_t(DaysBetween(now, c.not_after)), "day") +
                          " left, renewBefore " + FormatDuration(d.renew_before) + ")",
                      d.where_validity});
    }
  }
  if (now < c.not_before) {
    if (quick && !time_only_ignored) return false;
    if (!quick) {
      out->push_back(
          {Reason::kNotYetValid, "valid only from " + Date(c.not_before), d.where_validity});
    }
  }
  return quick || out->empty();
}

}  // namespace

std::vector<ReasonDetail> Evaluate(const DesiredCertificate& d, const IssuerFacts& f,
                                   const CertificateInfo& c, TimePoint now) {
  NameCache names;
  std::vector<ReasonDetail> out;
  EvaluateInto(d, f, c, now, names, &out);
  return out;
}

namespace {

// The order services are bound in, and shown in.
constexpr Service kBindOrder[] = {Service::kIis,  Service::kImap, Service::kPop,
                                  Service::kSmtp, Service::kUm,   Service::kUmCallRouter};

bool IsExclusive(Service s) { return s != Service::kSmtp; }

bool Serves(const Bindings& b, Service s, const std::string& t, bool replace_default_smtp) {
  if (IsExclusive(s)) return b.HolderOf(s) == t;
  if (replace_default_smtp) return b.internal_transport == t;
  return b.ServicesOf(t).Has(Service::kSmtp);
}

// The certificate that loses `s` when another one takes it ("" if none).
std::string LoserOf(const Bindings& b, Service s, bool replace_default_smtp) {
  if (IsExclusive(s)) return b.HolderOf(s);
  return replace_default_smtp ? b.internal_transport : "";
}

// Only time-based reasons (a purchased certificate xcert cannot renew).
bool OnlyTimeReasons(const std::vector<ReasonDetail>& reasons) {
  return std::all_of(reasons.begin(), reasons.end(), [](const ReasonDetail& r) {
    return r.reason == Reason::kRenewalDue || r.reason == Reason::kNotYetValid;
  });
}

class Differ {
 public:
  Differ(const Desired& desired, const ActualState& actual, TimePoint now)
      : desired_(desired), actual_(actual), now_(now) {}

  DiffResult Run() {
    for (const DesiredCertificate& d : desired_.certificates) {
      for (const std::string& server : d.servers)
        result_.checked.push_back({server, d.artifact, d.where});
      DiffCertificate(d);
    }
    for (const ServerSpec& s : desired_.servers) ReportUnmanaged(s.name);
    return std::move(result_);
  }

 private:
  struct Holder {
    const CertificateInfo* cert;
    std::vector<std::string> servers;
  };

  const ServerState* StateOf(const std::string& server) const {
    auto it = actual_.find(server);
    return it == actual_.end() ? nullptr : &it->second;
  }

  const IssuerFacts& FactsOf(const DesiredCertificate& d) {
    auto it = desired_.issuers.find(d.issuer);
    if (it != desired_.issuers.end()) return it->second;
    IssuerFacts& f = fallback_facts_[d.issuer];
    f.name = d.issuer;
    f.type = d.issuer_type;
    return f;
  }

  // Reasons for one certificate, ignoring time-only reasons of purchased files.
  std::vector<ReasonDetail> Check(const DesiredCertificate& d, const IssuerFacts& f,
                                  const CertificateInfo& c) {
    std::vector<ReasonDetail> r;
    EvaluateInto(d, f, c, now_, names_, &r);
    if (f.type == IssuerType::kFile && OnlyTimeReasons(r)) r.clear();
    return r;
  }

  // Check(d, f, c).empty(), without building the reasons.
  bool Satisfies(const DesiredCertificate& d, const IssuerFacts& f, const CertificateInfo& c) {
    return EvaluateInto(d, f, c, now_, names_, nullptr);
  }

  // Every satisfying certificate, with the servers that hold it.
  std::vector<Holder> Satisfying(const DesiredCertificate& d, const IssuerFacts& f) {
    std::map<std::string, Holder> by_thumb;
    for (const std::string& server : d.servers) {
      const ServerState* s = StateOf(server);
      if (!s) continue;
      for (const CertificateInfo& c : s->certificates) {
        if (c.pending_request || !Satisfies(d, f, c)) continue;
        Holder& h = by_thumb.try_emplace(c.thumbprint, Holder{&c, {}}).first->second;
        h.servers.push_back(server);
      }
    }
    std::vector<Holder> out;
    for (auto& [t, h] : by_thumb) out.push_back(std::move(h));
    std::sort(out.begin(), out.end(), [](const Holder& a, const Holder& b) {
      if (a.servers.size() != b.servers.size()) return a.servers.size() > b.servers.size();
      if (a.cert->not_after != b.cert->not_after) return a.cert->not_after > b.cert->not_after;
      return a.cert->thumbprint < b.cert->thumbprint;
    });
    return out;
  }

  // A holder whose key can be exported to the servers lacking the certificate.
  std::string ExportSource(const DesiredCertificate& d, const Holder& h) const {
    for (const std::string& server : d.servers) {
      if (std::find(h.servers.begin(), h.servers.end(), server) == h.servers.end()) continue;
      const CertificateInfo* c = StateOf(server)->Find(h.cert->thumbprint);
      if (c && c->attributes_known && c->has_private_key && c->exportable) return server;
    }
    return "";
  }

  // The certificate now standing for `d` on a server, if any: same friendly
  // name or subject (a previous version), most recent first; of versions that
  // expire together, the one serving more services (the one in use), so that
  // the choice never depends on thumbprints alone.
  const CertificateInfo* Previous(const DesiredCertificate& d, const ServerState& s) {
    const CertificateInfo* best = nullptr;
    auto rank = [](const CertificateInfo& c) {
      return std::make_tuple(c.not_after, c.services.ToVector().size());
    };
    for (const CertificateInfo& c : s.certificates) {
      if (c.pending_request) continue;
      const bool same = (!c.friendly_name.empty() && c.friendly_name == d.friendly_name) ||
                        names_.SameDn(c.subject, d.subject);
      if (!same) continue;
      if (!best || rank(c) > rank(*best) ||
          (rank(c) == rank(*best) && c.thumbprint < best->thumbprint)) {
        best = &c;
      }
    }
    return best;
  }

  const CertificateInfo* PendingFor(const DesiredCertificate& d, std::string* server) {
    for (const std::string& name : d.servers) {
      const ServerState* s = StateOf(name);
      if (!s) continue;
      for (const CertificateInfo& c : s->certificates) {
        if (c.pending_request && names_.SameDn(c.subject, d.subject) &&
            names_.SameDnsNameSet(c.dns_names, d.dns_names) && c.key_algorithm == d.key.algorithm) {
          *server = name;
          return &c;
        }
      }
    }
    return nullptr;
  }

  void DiffCertificate(const DesiredCertificate& d) {
    const IssuerFacts& f = FactsOf(d);
    const std::vector<Holder> holders = Satisfying(d, f);
    const Holder* shared = nullptr;
    std::string source;
    for (const Holder& h : holders) {
      const bool everywhere = h.servers.size() == d.servers.size();
      source = everywhere || f.type == IssuerType::kFile ? "" : ExportSource(d, h);
      if (everywhere || f.type == IssuerType::kFile || !source.empty()) {
        shared = &h;
        break;
      }
    }
    if (shared) {
      for (const std::string& server : d.servers) Place(d, f, server, *shared->cert, source);
      return;
    }
    if (f.type == IssuerType::kRequest) {
      PlanRequest(d, f);
      return;
    }
    if (f.type == IssuerType::kFile && f.supplied.thumbprint.empty()) {
      // The loader refuses an unreadable file; facts without the supplied
      // certificate can only come from a caller's bug, never a step.
      for (const std::string& server : d.servers) {
        result_.blocked.push_back(
            {server + "/certificate/" + d.artifact, server,
             "the file issuer " + Quote(d.issuer) + " supplied no certificate to import"});
      }
      return;
    }
    for (size_t i = 0; i < d.servers.size(); ++i) {
      Provision p = Provision::kImportIssued;
      if (f.type == IssuerType::kFile) p = Provision::kImportFile;
      if (f.type == IssuerType::kSelfSigned)
        p = i == 0 ? Provision::kCreate : Provision::kImportFromServer;
      // A file import names the certificate it brings, so apply and the
      // .ps1 plan can tell it is already there and that the file did not
      // change since the plan.
      NewCertificate(d, f, d.servers[i], p, i == 0 ? "" : d.servers[0], "",
                     p == Provision::kImportFile ? f.supplied.thumbprint : "");
    }
  }

  // `cert` (already on some server) is the one `d` uses; make `server` hold and use it.
  void Place(const DesiredCertificate& d, const IssuerFacts& f, const std::string& server,
             const CertificateInfo& cert, const std::string& source) {
    const ServerState* s = StateOf(server);
    if (!s) return NoStore(d, server);
    managed_[server].insert(cert.thumbprint);
    if (const CertificateInfo* here = s->Find(cert.thumbprint)) {
      if (f.type == IssuerType::kFile) NoteUnfixableExpiry(d, f, *s, *here);
      BindServices(d, *s, cert.thumbprint);
      return;
    }
    Change c = CertificateChange(d, f, *s);
    c.target = cert.thumbprint;
    if (f.type == IssuerType::kFile) {
      c.provision = Provision::kImportFile;
      c.source_path = f.supplied_path;
    } else {
      c.provision = Provision::kImportFromServer;
      c.source_server = source;
    }
    Emit(std::move(c), d, *s);
  }

  void NewCertificate(const DesiredCertificate& d, const IssuerFacts& f, const std::string& server,
                      Provision p, const std::string& source_server, const std::string& source_path,
                      const std::string& target = "") {
    const ServerState* s = StateOf(server);
    if (!s) return NoStore(d, server);
    Change c = CertificateChange(d, f, *s);
    c.provision = p;
    c.target = target;
    c.source_server = source_server;
    c.source_path = p == Provision::kImportFile ? f.supplied_path : source_path;
    Emit(std::move(c), d, *s);
  }

  // A purchased certificate due for renewal: only its vendor can renew it, so
  // it is drift without a step, reported with the days left.
  void NoteUnfixableExpiry(const DesiredCertificate& d, const IssuerFacts& f, const ServerState& s,
                           const CertificateInfo& c) {
    std::vector<ReasonDetail> r;
    EvaluateInto(d, f, c, now_, names_, &r);
    if (r.empty()) return;
    for (ReasonDetail& reason : r) {
      if (reason.reason == Reason::kRenewalDue) {
        reason.detail += "; renew it with the CA that sold it and replace " + f.supplied_path;
      }
    }
    Change ch;
    ch.address = s.server + "/certificate/" + d.artifact;
    ch.server = s.server;
    ch.certificate = d.artifact;
    ch.action = ChangeAction::kNone;
    ch.reasons = std::move(r);
    ch.current = c.thumbprint;
    ch.target = c.thumbprint;
    ch.where = d.where;
    result_.changes.push_back(std::move(ch));
  }

  // The certificate-level change for `d` on `s`: create or replace, with the
  // reasons the previous version (if any) no longer satisfies.
  Change CertificateChange(const DesiredCertificate& d, const IssuerFacts& f,
                           const ServerState& s) {
    Change c;
    c.address = s.server + "/certificate/" + d.artifact;
    c.server = s.server;
    c.certificate = d.artifact;
    c.services = d.services;
    c.where = d.where;
    const CertificateInfo* prev = Previous(d, s);
    if (!prev) {
      c.action = ChangeAction::kCreate;
      c.reasons = {
          {Reason::kMissing, "no certificate for " + Quote(d.name) + " on " + s.server, d.where}};
      return c;
    }
    c.action = ChangeAction::kReplace;
    c.current = prev->thumbprint;
    c.reasons = Check(d, f, *prev);
    if (c.reasons.empty()) {
      c.reasons = {
          {Reason::kNotShared,
           ShortThumb(prev->thumbprint) + " differs from the certificate the other servers share",
           d.where}};
    }
    return c;
  }

  void Emit(Change c, const DesiredCertificate& d, const ServerState& s) {
    const std::string target = c.target;
    // A request cannot serve anything until its CA answers.
    const bool can_bind = c.provision != Provision::kCreateRequest;
    result_.changes.push_back(std::move(c));
    if (can_bind) BindServices(d, s, target);
  }

  // Binding changes so that `thumbprint` ("" = the new certificate) serves d's services.
  void BindServices(const DesiredCertificate& d, const ServerState& s,
                    const std::string& thumbprint) {
    for (Service svc : kBindOrder) {
      if (!d.services.Has(svc)) continue;
      if (!thumbprint.empty() && Serves(s.bindings, svc, thumbprint, d.replace_default_smtp))
        continue;
      const std::string address = s.server + "/binding/" + std::string(ServiceName(svc));
      if (auto unknown = s.bindings.unknown_holders.find(svc);
          unknown != s.bindings.unknown_holders.end()) {
        // Moving it could take it from a certificate nobody backed up.
        result_.blocked.push_back({address, s.server,
                                   "which certificate serves " + std::string(ServiceName(svc)) +
                                       " on " + s.server + " is not known: " + unknown->second});
        continue;
      }
      Change c;
      c.address = address;
      c.server = s.server;
      c.certificate = d.artifact;
      c.action = ChangeAction::kBind;
      c.services = ServiceSet{svc};
      c.current = LoserOf(s.bindings, svc, d.replace_default_smtp);
      c.target = thumbprint;
      c.where = d.where_services;
      c.reasons = {{Reason::kBindingMismatch, BindingDetail(d, s, svc, c.current, thumbprint),
                    d.where_services}};
      bind_changes_[s.server].push_back(result_.changes.size());
      result_.changes.push_back(std::move(c));
    }
  }

  // "IIS is served by 4445464D… (Microsoft Exchange); moves to the new 'mail'".
  std::string BindingDetail(const DesiredCertificate& d, const ServerState& s, Service svc,
                            const std::string& current, const std::string& target) const {
    const std::string name(ServiceName(svc));
    const std::string wanted = target.empty() ? "the new " + Quote(d.name)
                                              : Quote(d.name) + " (" + ShortThumb(target) + ")";
    if (svc == Service::kSmtp && d.replace_default_smtp) {
      return (current.empty() ? "there is no default SMTP certificate"
                              : "the default SMTP certificate is " + Describe(s, current)) +
             "; it becomes " + wanted;
    }
    if (current.empty()) return name + " is not enabled on " + wanted;
    return name + " is served by " + Describe(s, current) + "; moves to " + wanted;
  }

  std::string Describe(const ServerState& s, const std::string& thumbprint) const {
    const CertificateInfo* c = s.Find(thumbprint);
    std::string out = ShortThumb(thumbprint);
    if (c && !c->friendly_name.empty())
      out += " (" + c->friendly_name + ")";
    else if (c)
      out += " (" + c->subject + ")";
    return out;
  }

  void NoStore(const DesiredCertificate& d, const std::string& server) {
    Change c;
    c.address = server + "/certificate/" + d.artifact;
    c.server = server;
    c.certificate = d.artifact;
    c.action = ChangeAction::kCreate;
    c.reasons = {{Reason::kMissing, "server " + server + " has no readable store", d.where}};
    c.where = d.where;
    result_.changes.push_back(std::move(c));
  }

  // request issuer without a satisfying certificate: create the request once,
  // wait for the CA, then complete it where the key is and copy it around.
  void PlanRequest(const DesiredCertificate& d, const IssuerFacts& f) {
    std::string request_server;
    const CertificateInfo* pending = PendingFor(d, &request_server);
    if (!pending) {
      NewCertificate(d, f, d.servers[0], Provision::kCreateRequest, "", "");
      for (size_t i = 1; i < d.servers.size(); ++i) Waiting(d, f, d.servers[i], d.servers[0]);
      return;
    }
    managed_[request_server].insert(pending->thumbprint);
    const InboxItem* answer = nullptr;
    for (const InboxItem& item : f.inbox) {
      if (item.server == request_server && item.request_thumbprint == pending->thumbprint)
        answer = &item;
    }
    if (!answer || !answer->problem.empty()) {
      result_.pending.push_back({request_server, d.artifact, pending->thumbprint,
                                 CsrPath(f, d, request_server), answer ? answer->problem : ""});
      for (const std::string& server : d.servers) Waiting(d, f, server, request_server);
      return;
    }
    NewCertificate(d, f, request_server, Provision::kCompleteRequest, "", answer->path,
                   answer->certificate.thumbprint);
    for (const std::string& server : d.servers) {
      if (server == request_server) continue;
      NewCertificate(d, f, server, Provision::kImportFromServer, request_server, "");
    }
  }

  // Drift without a step: `server` waits for the request pending on `request_server`.
  void Waiting(const DesiredCertificate& d, const IssuerFacts& f, const std::string& server,
               const std::string& request_server) {
    const ServerState* s = StateOf(server);
    if (!s) return NoStore(d, server);
    Change c = CertificateChange(d, f, *s);
    c.action = ChangeAction::kNone;
    c.reasons.push_back({Reason::kPending,
                         "waiting for the CA to sign the request pending on " + request_server +
                             " (CSR: " + CsrPath(f, d, request_server) + ")",
                         d.where_issuer});
    result_.changes.push_back(std::move(c));
  }

  static std::string CsrPath(const IssuerFacts& f, const DesiredCertificate& d,
                             const std::string& server) {
    return f.outbox + "/" + CsrFileName(d.artifact, server);
  }

  void ReportUnmanaged(const std::string& server) {
    const ServerState* s = StateOf(server);
    if (!s) return;
    const Bindings after = BindingsAfter(*s);
    for (const CertificateInfo& c : s->certificates) {
      if (managed_[server].count(c.thumbprint)) continue;
      UnmanagedCertificate u;
      u.server = server;
      u.certificate = c;
      u.superseded = SupersededBy(server, c);
      u.protection = WhyKeep(*s, after, c);
      u.remove = desired_.prune && u.protection.empty();
      WarnIfServingOutOfDate(u, after.ServicesOf(c.thumbprint));
      result_.unmanaged.push_back(std::move(u));
    }
  }

  // A certificate the manifest does not describe that is expired or not yet
  // valid and still serves a service after this plan: clients that get it
  // fail TLS (Exchange shows it as DateInvalid). Superseded certificates pile
  // up without prune, and SMTP keeps them. Says how to get rid of it.
  void WarnIfServingOutOfDate(const UnmanagedCertificate& u, const ServiceSet& serves) {
    const CertificateInfo& c = u.certificate;
    if (serves.empty() || !c.attributes_known) return;
    std::string when;
    if (now_ >= c.not_after)
      when = "expired on " + Date(c.not_after);
    else if (now_ < c.not_before)
      when = "is valid only from " + Date(c.not_before);
    else
      return;
    std::string w = u.server + ": " + ShortThumb(c.thumbprint) + " (" + c.subject + ") " + when +
                    " and still serves " + serves.ToString() +
                    "; clients that get it fail TLS (Exchange shows it as DateInvalid)";
    if (u.remove)
      w += "; apply removes it (prune: true), after a backup";
    else if (!u.protection.empty())
      w += "; prune cannot remove it: " + u.protection + "; move that to a valid certificate first";
    else
      w += "; set prune: true to remove it after a backup, or remove it by hand";
    result_.warnings.push_back(std::move(w));
  }

  // The desired certificate `c` is an older version of on `server` ("" if none).
  std::string SupersededBy(const std::string& server, const CertificateInfo& c) {
    if (by_server_.empty()) {
      for (const DesiredCertificate& d : desired_.certificates) {
        for (const std::string& name : d.servers) by_server_[name].push_back(&d);
      }
    }
    for (const DesiredCertificate* d : by_server_[server]) {
      if ((!c.friendly_name.empty() && c.friendly_name == d->friendly_name) ||
          names_.SameDn(c.subject, d->subject)) {
        return d->artifact;
      }
    }
    return "";
  }

  // The bindings once this plan's binding changes on the server are applied.
  Bindings BindingsAfter(const ServerState& s) const {
    Bindings b = s.bindings;
    auto changes = bind_changes_.find(s.server);
    if (changes == bind_changes_.end()) return b;
    for (size_t i : changes->second) {
      const Change& c = result_.changes[i];
      const Service svc = c.services.ToVector().front();
      const std::string holder = c.target.empty() ? "(new)" : c.target;
      if (svc == Service::kIis) b.iis = holder;
      if (svc == Service::kImap) b.imap = holder;
      if (svc == Service::kPop) b.pop = holder;
      if (svc == Service::kUm) b.um = holder;
      if (svc == Service::kUmCallRouter) b.um_call_router = holder;
      if (svc == Service::kSmtp && !c.current.empty() && c.current == b.internal_transport) {
        b.internal_transport = holder;
      }
    }
    return b;
  }

  std::string WhyKeep(const ServerState& s, const Bindings& after, const CertificateInfo& c) {
    if (std::string p = after.ProtectionOf(c.thumbprint); !p.empty()) return p;
    if (c.pending_request) return "it is a pending request (never pruned)";
    if (!c.attributes_known) return "its attributes are unknown (recorded as RawData only)";
    if (!s.complete()) return "the store of " + s.server + " could not be read completely";
    if (names_.SameDn(c.subject, kAuthSubject)) {
      return "it is an Exchange Auth (OAuth) certificate";
    }
    if (ToUpper(c.subject).rfind("CN=WMSVC", 0) == 0) {
      return "it is the IIS Web Management Service (WMSvc) certificate";
    }
    return "";
  }

  const Desired& desired_;
  const ActualState& actual_;
  const TimePoint now_;
  DiffResult result_;
  std::map<std::string, IssuerFacts> fallback_facts_;
  std::map<std::string, std::set<std::string>> managed_;  // server -> thumbprints
  std::map<std::string, std::vector<const DesiredCertificate*>> by_server_;
  // Indices in result_.changes of each server's binding changes, in order.
  std::unordered_map<std::string, std::vector<size_t>> bind_changes_;
  NameCache names_;
  const std::string kAuthSubject = "CN=Microsoft Exchange Server Auth Certificate";
};

}  // namespace

DiffResult Diff(const Desired& desired, const ActualState& actual, TimePoint now) {
  DiffResult r = Differ(desired, actual, now).Run();
  std::set<std::string> listed;
  for (const Blocked& b : r.blocked) listed.insert(b.server);
  for (const DesiredCertificate& d : desired.certificates) {
    for (const std::string& server : d.servers) {
      auto it = actual.find(server);
      if (it != actual.end() && it->second.complete()) continue;
      if (!listed.insert(server).second) continue;
      std::string why = it == actual.end()
                            ? "the store of " + server + " was not found"
                            : "the store of " + server +
                                  " could not be read completely: " + it->second.problems.front();
      r.blocked.push_back(
          {server, server, why + "; no step touches this server until it reads cleanly"});
    }
  }
  return r;
}

}  // namespace xcert
