#include "engine/plan/drift_report.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "engine/plan/json_reader.h"
#include "engine/plan/plan_json.h"
#include "engine/util/quote.h"
#include "engine/util/strings.h"
#include "engine/util/xml.h"

namespace xcert {

std::string_view DriftStatusName(DriftStatus s) {
  switch (s) {
    case DriftStatus::kInSync: return "in-sync";
    case DriftStatus::kDrift: return "drift";
    case DriftStatus::kPending: return "pending";
    case DriftStatus::kBlocked: return "blocked";
  }
  return "?";
}

std::string_view DriftCategoryName(DriftCategory c) {
  switch (c) {
    case DriftCategory::kNone: return "";
    case DriftCategory::kOutside: return "outside";
    case DriftCategory::kManifest: return "manifest";
    case DriftCategory::kDue: return "due";
    case DriftCategory::kUnmanaged: return "unmanaged";
  }
  return "?";
}

std::string_view DriftCategoryTitle(DriftCategory c) {
  switch (c) {
    case DriftCategory::kNone: return "";
    case DriftCategory::kOutside: return "changed outside xcert";
    case DriftCategory::kManifest: return "manifest changed";
    case DriftCategory::kDue: return "due";
    case DriftCategory::kUnmanaged: return "unmanaged";
  }
  return "?";
}

std::set<DriftCategory> AllDriftCategories() {
  return {DriftCategory::kOutside, DriftCategory::kManifest, DriftCategory::kDue,
          DriftCategory::kUnmanaged};
}

std::string DriftCategoryList(const std::set<DriftCategory>& categories) {
  std::vector<std::string> names;
  for (DriftCategory c : categories) names.emplace_back(DriftCategoryName(c));
  return Join(names, ",");
}

Result<std::set<DriftCategory>> ParseDriftCategories(std::string_view text) {
  std::set<DriftCategory> out;
  for (const std::string& part : Split(text, ',')) {
    const std::string name(Trim(part));
    bool known = false;
    for (DriftCategory c : AllDriftCategories()) {
      if (DriftCategoryName(c) != name) continue;
      out.insert(c);
      known = true;
    }
    if (!known) {
      return InvalidArgument("--fail-on " + std::string(text) + ": " + Quote(name) +
                             " is not a category; list some of outside, manifest, due, "
                             "unmanaged, separated by commas");
    }
  }
  return out;
}

namespace {

using Key = std::pair<std::string, std::string>;  // server, certificate

// What only the passing of time changed: nobody's edit.
bool IsTimeReason(Reason r) {
  return r == Reason::kExpired || r == Reason::kRenewalDue || r == Reason::kNotYetValid ||
         r == Reason::kRenewedFile;
}

// The reasons about one certificate on one server.
struct CertificateReasons {
  std::vector<ReasonDetail> reasons;
  bool time_only = true;  // every reason of its own changes is a time reason
};

// A binding that moves to a certificate still to be made follows from that
// certificate's change (missing, expired, names changed...).
bool FollowsNewCertificate(const Change& c) {
  return c.action == ChangeAction::kBind && c.target.empty();
}

bool MakesCertificate(const Change& c) {
  return c.action == ChangeAction::kCreate || c.action == ChangeAction::kReplace;
}

// The reasons of every change, by certificate. The bindings that only follow
// from a certificate being made or replaced become one line after its own
// reasons ("then IMAP, POP, IIS, SMTP move to the new 'mail'"), not one per
// service.
std::map<Key, CertificateReasons> ReasonsByCertificate(const DiffResult& diff) {
  std::set<Key> made;
  for (const Change& c : diff.changes) {
    if (MakesCertificate(c)) made.insert({c.server, c.certificate});
  }
  std::map<Key, CertificateReasons> reasons;
  struct Following {
    ServiceSet services;
    Location where;  // of the first binding
  };
  std::map<Key, Following> follows;  // the bindings that follow, one line each certificate
  for (const Change& c : diff.changes) {
    const Key key{c.server, c.certificate};
    if (!FollowsNewCertificate(c) || !made.count(key)) {
      CertificateReasons& r = reasons[key];
      r.reasons.insert(r.reasons.end(), c.reasons.begin(), c.reasons.end());
      for (const ReasonDetail& d : c.reasons) {
        if (d.reason != Reason::kPending) r.time_only = r.time_only && IsTimeReason(d.reason);
      }
      continue;
    }
    Following& f = follows.try_emplace(key, Following{{}, c.where}).first->second;
    f.services = f.services.Union(c.services);
  }
  for (const auto& [key, f] : follows) {
    reasons[key].reasons.push_back({Reason::kBindingMismatch,
                                    "then " + f.services.ToString() +
                                        (f.services.ToVector().size() == 1 ? " moves" : " move") +
                                        " to the new " + Quote(key.second),
                                    f.where});
  }
  return reasons;
}

}  // namespace

std::vector<DriftItem> DriftItems(const DiffResult& diff) {
  const std::map<Key, CertificateReasons> reasons = ReasonsByCertificate(diff);
  std::map<Key, const PendingRequest*> pending;
  for (const PendingRequest& p : diff.pending) pending[{p.server, p.certificate}] = &p;
  std::map<std::string, const Blocked*> blocked;
  for (const Blocked& b : diff.blocked) blocked.emplace(b.server, &b);

  std::vector<DriftItem> items;
  items.reserve(diff.checked.size());
  for (const CheckedItem& c : diff.checked) {
    DriftItem item{c.server, c.certificate, c.where};
    const Key key{c.server, c.certificate};
    if (auto it = reasons.find(key); it != reasons.end()) {
      item.status = DriftStatus::kDrift;
      item.reasons = it->second.reasons;
      item.category = it->second.time_only ? DriftCategory::kDue : DriftCategory::kManifest;
    }
    if (auto it = pending.find(key); it != pending.end()) {
      item.status = DriftStatus::kPending;
      item.detail = "submit " + it->second->csr_path + " to the CA";
      if (!it->second->problem.empty())
        item.detail += "; the inbox answer cannot complete it: " + it->second->problem;
      item.reasons.push_back({Reason::kPending, item.detail, c.where});
    } else {
      for (const ReasonDetail& r : item.reasons) {
        if (r.reason == Reason::kPending) item.status = DriftStatus::kPending;
      }
    }
    if (item.status == DriftStatus::kPending && item.category == DriftCategory::kNone)
      item.category = DriftCategory::kManifest;
    if (auto it = blocked.find(c.server); it != blocked.end()) {
      item.status = DriftStatus::kBlocked;
      item.category = DriftCategory::kNone;
      item.detail = it->second->reason;
    }
    items.push_back(std::move(item));
  }
  return items;
}

namespace {

std::string ReasonLine(const ReasonDetail& r) {
  std::string s = std::string(ReasonName(r.reason));
  if (!r.detail.empty()) s += ": " + r.detail;
  if (r.where.line > 0) s += " (" + r.where.ToString() + ")";
  return s;
}

size_t CountNotInSync(const std::vector<DriftItem>& items) {
  size_t n = 0;
  for (const DriftItem& i : items) n += i.status != DriftStatus::kInSync;
  return n;
}

constexpr const char* kPruneReason =
    "the manifest does not describe it; apply removes it (prune: true)";

// What is not as declared, e.g. "2 of 3 certificates differ from the
// manifest, and 1 certificate it does not describe would be removed (prune:
// true)". Items whose store could not be read are counted apart: they are not
// known to differ.
std::string DriftHeadline(const std::vector<DriftItem>& items, size_t removals) {
  size_t differ = 0, blocked = 0;
  for (const DriftItem& i : items) {
    differ += i.status == DriftStatus::kDrift || i.status == DriftStatus::kPending;
    blocked += i.status == DriftStatus::kBlocked;
  }
  const std::string of = " of " + CountNoun(items.size(), "certificate") + " ";
  std::vector<std::string> parts;
  if (differ > 0 || blocked == 0) {
    parts.push_back(std::to_string(differ) + of + (differ == 1 ? "differs" : "differ") +
                    " from the manifest");
  }
  if (blocked > 0) {
    parts.push_back(std::to_string(blocked) + of + "could not be checked (" +
                    (blocked == 1 ? "its" : "their") + " store could not be read)");
  }
  if (removals > 0) {
    parts.push_back(CountNoun(removals, "certificate") +
                    " it does not describe would be removed (prune: true)");
  }
  std::string s;
  for (size_t i = 0; i < parts.size(); ++i)
    s += (i == 0 ? "" : i + 1 == parts.size() ? ", and " : ", ") + parts[i];
  return s;
}

// "In sync: 3 certificates match the manifest."
std::string InSyncLine(size_t certificates) {
  return "In sync: " + CountNoun(certificates, "certificate") +
         (certificates == 1 ? " matches" : " match") + " the manifest.\n";
}

// Whether plan has anything to show: something differs (not only unreadable stores).
bool PlanWouldChange(const std::vector<DriftItem>& items, size_t removals) {
  if (removals > 0) return true;
  return std::any_of(items.begin(), items.end(), [](const DriftItem& i) {
    return i.status == DriftStatus::kDrift || i.status == DriftStatus::kPending;
  });
}

// The first line that explains an item that is not in sync: a blocked or
// pending item's detail, otherwise its first reason.
std::string Headline(const DriftItem& i) {
  if (!i.detail.empty() || i.reasons.empty()) return i.detail;
  if (i.status == DriftStatus::kPending) {
    for (const ReasonDetail& r : i.reasons) {
      if (r.reason == Reason::kPending) return ReasonLine(r);
    }
  }
  return ReasonLine(i.reasons.front());
}

// Everything about an item, one entry each: the blocking reason, then the
// reasons (a pending item's detail is already one of its reasons).
std::vector<std::string> ExplanationLines(const DriftItem& i) {
  std::vector<std::string> out;
  if (i.status == DriftStatus::kBlocked && !i.detail.empty()) out.push_back(i.detail);
  for (const ReasonDetail& r : i.reasons) out.push_back(ReasonLine(r));
  return out;
}

// "acknowledged until 2027-01-15: the vendor renews it (CHG-1)", or
// "acknowledgement expired on 2027-01-15 (3 days ago): ..."; "" without one.
std::string AckLine(const std::optional<Acknowledged>& a) {
  if (!a) return "";
  const std::string why = a->reason + (a->ticket.empty() ? "" : " (" + a->ticket + ")");
  if (!a->expired) return "acknowledged until " + a->until + ": " + why;
  return "acknowledgement expired on " + a->until + " (" + CountNoun(size_t(a->days_ago), "day") +
         " ago): " + why + "; fix the drift, or renew the acknowledgement (" + a->where.ToString() +
         ")";
}

// "[changed outside xcert] " before a JUnit failure's message.
std::string CategoryPrefix(DriftCategory c) {
  return c == DriftCategory::kNone ? "" : "[" + std::string(DriftCategoryTitle(c)) + "] ";
}

// "  [changed outside xcert]" after an item's address.
std::string CategorySuffix(DriftCategory c) {
  return c == DriftCategory::kNone ? "" : "  [" + std::string(DriftCategoryTitle(c)) + "]";
}

// How many differences each category holds (removals are unmanaged).
std::map<DriftCategory, size_t> CategoryCounts(const DriftReport& report) {
  std::map<DriftCategory, size_t> counts;
  for (DriftCategory c : AllDriftCategories()) counts[c] = 0;
  for (const DriftItem& i : report.items) {
    if (i.category != DriftCategory::kNone) ++counts[i.category];
  }
  counts[DriftCategory::kUnmanaged] += report.removals.size();
  return counts;
}

// "By category: 1 changed outside xcert, 2 manifest changed." ("" without drift).
std::string CategoryLine(const DriftReport& report) {
  std::vector<std::string> parts;
  for (const auto& [c, n] : CategoryCounts(report)) {
    if (n > 0) parts.push_back(std::to_string(n) + " " + std::string(DriftCategoryTitle(c)));
  }
  size_t accepted = 0;
  for (const DriftItem& i : report.items) accepted += i.acknowledged && !i.acknowledged->expired;
  for (const DriftRemoval& r : report.removals)
    accepted += r.acknowledged && !r.acknowledged->expired;
  if (parts.empty()) return "";
  return "By category: " + Join(parts, ", ") +
         (accepted > 0 ? "; " + std::to_string(accepted) + " acknowledged (not failing)" : "") +
         ".\n";
}

nlohmann::ordered_json AcknowledgedToJson(const Acknowledged& a) {
  return {{"reason", a.reason},   {"until", a.until},       {"ticket", a.ticket},
          {"expired", a.expired}, {"days_ago", a.days_ago}, {"location", LocationToJson(a.where)}};
}

// "shards 3/4, 4/4 sent no report: their servers were not checked".
std::string MissingLine(const std::vector<ShardSpec>& missing) {
  std::vector<std::string> names;
  for (const ShardSpec& m : missing) names.push_back(m.ToString());
  return (missing.size() == 1 ? "shard " : "shards ") + Join(names, ", ") +
         (missing.size() == 1 ? " sent no report: its" : " sent no report: their") +
         " servers were not checked";
}

}  // namespace

DriftReport MakeDriftReport(const DiffResult& diff, TimePoint now, const ShardSpec& shard,
                            const std::set<ServerArtifact>& applied_as_asked) {
  DriftReport r;
  r.checked_at = now;
  r.in_sync = !diff.HasDrift();
  r.shard = shard;
  r.items = DriftItems(diff);
  for (DriftItem& i : r.items) {
    if (i.category == DriftCategory::kManifest && applied_as_asked.count({i.server, i.certificate}))
      i.category = DriftCategory::kOutside;
  }
  // Certificates the manifest does not describe that apply would remove:
  // drift too, every report shows them.
  for (const UnmanagedCertificate& u : diff.unmanaged) {
    if (u.remove) r.removals.push_back({u.server, u.certificate.thumbprint, u.certificate.subject});
  }
  r.changes = diff.changes;
  r.warnings = diff.warnings;
  return r;
}

bool HasDriftIn(const DriftReport& report, const std::set<DriftCategory>& categories) {
  auto accepted = [](const std::optional<Acknowledged>& a) { return a && !a->expired; };
  bool any = !report.removals.empty();
  for (const DriftRemoval& r : report.removals) {
    if (!accepted(r.acknowledged) && categories.count(DriftCategory::kUnmanaged)) return true;
  }
  for (const DriftItem& i : report.items) {
    if (i.status != DriftStatus::kDrift && i.status != DriftStatus::kPending) continue;
    any = true;
    if (!accepted(i.acknowledged) && categories.count(i.category)) return true;
  }
  // Drift the items do not show (a report of an older xcert): the manifest's.
  return !any && !report.in_sync && categories.count(DriftCategory::kManifest);
}

std::string RenderDriftText(const DriftReport& report, bool color) {
  const std::vector<DriftItem>& items = report.items;
  auto paint = [color](const char* code, const std::string& s) {
    return color ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
  };
  std::string out;
  for (const DriftItem& i : items) {
    const std::string addr = i.server + "/certificate/" + i.certificate;
    switch (i.status) {
      case DriftStatus::kInSync: out += "  " + paint("32", "ok     ") + " " + addr + "\n"; break;
      case DriftStatus::kDrift:
        out += "  " + paint("31", "drift  ") + " " + addr + CategorySuffix(i.category) + "\n";
        break;
      case DriftStatus::kPending:
        out += "  " + paint("33", "pending") + " " + addr + CategorySuffix(i.category) + "\n";
        break;
      case DriftStatus::kBlocked:
        out += "  " + paint("31", "blocked") + " " + addr + ": " + i.detail + "\n";
        break;
    }
    if (i.status == DriftStatus::kBlocked) continue;
    if (i.acknowledged) out += "            " + AckLine(i.acknowledged) + "\n";
    for (const ReasonDetail& r : i.reasons) out += "            " + ReasonLine(r) + "\n";
  }
  for (const DriftRemoval& u : report.removals) {
    out += "  " + paint("31", "prune  ") + " " + u.server + "/certificate/" + u.thumbprint +
           " would be removed" + CategorySuffix(DriftCategory::kUnmanaged) + "\n";
    if (u.acknowledged) out += "            " + AckLine(u.acknowledged) + "\n";
  }
  if (!report.missing.empty()) {
    out += "  " + paint("31", "missing") + " " + MissingLine(report.missing) + "\n";
  }
  const size_t bad = CountNotInSync(items);
  out += "\n";
  if (bad == 0 && report.in_sync) {
    out += InSyncLine(items.size());
  } else if (PlanWouldChange(items, report.removals.size())) {
    out += "Drift: " + DriftHeadline(items, report.removals.size()) +
           "; run xcert plan to see the steps.\n" + CategoryLine(report);
  } else {
    out += DriftHeadline(items, report.removals.size()) + ".\n";
  }
  return out;
}

std::string RenderDriftJson(const DriftReport& report) {
  const std::vector<DriftItem>& items = report.items;
  nlohmann::ordered_json j{{"checked_at", FormatIso8601(report.checked_at)},
                           {"in_sync", report.in_sync},
                           {"total", items.size()},
                           {"differing", CountNotInSync(items)}};
  if (report.shard.active()) j["shard"] = report.shard.ToString();
  nlohmann::ordered_json categories = nlohmann::ordered_json::object();
  for (const auto& [c, n] : CategoryCounts(report)) categories[DriftCategoryName(c)] = n;
  j["categories"] = std::move(categories);
  auto names = [](const std::vector<ShardSpec>& shards) {
    std::vector<std::string> out;
    for (const ShardSpec& s : shards) out.push_back(s.ToString());
    return out;
  };
  if (!report.merged.empty()) {
    j["merged_shards"] = names(report.merged);
    j["missing_shards"] = names(report.missing);
  }
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const DriftItem& i : items) {
    nlohmann::ordered_json item{{"server", i.server},
                                {"certificate", i.certificate},
                                {"status", DriftStatusName(i.status)}};
    if (i.category != DriftCategory::kNone) item["category"] = DriftCategoryName(i.category);
    if (i.acknowledged) item["acknowledged"] = AcknowledgedToJson(*i.acknowledged);
    item["reasons"] = ReasonsToJson(i.reasons);
    item["detail"] = i.detail;
    item["location"] = LocationToJson(i.where);
    list.push_back(std::move(item));
  }
  j["items"] = std::move(list);
  nlohmann::ordered_json changes = nlohmann::ordered_json::array();
  for (const Change& c : report.changes) changes.push_back(ChangeToJson(c));
  j["changes"] = std::move(changes);
  nlohmann::ordered_json removed = nlohmann::ordered_json::array();
  for (const DriftRemoval& u : report.removals) {
    nlohmann::ordered_json r{{"server", u.server},
                             {"thumbprint", u.thumbprint},
                             {"subject", u.subject},
                             {"category", DriftCategoryName(DriftCategory::kUnmanaged)}};
    if (u.acknowledged) r["acknowledged"] = AcknowledgedToJson(*u.acknowledged);
    removed.push_back(std::move(r));
  }
  j["removals"] = std::move(removed);
  j["warnings"] = report.warnings;
  return j.dump(2) + "\n";
}

std::string RenderDriftMarkdown(const DriftReport& report) {
  const std::vector<DriftItem>& items = report.items;
  const size_t bad = CountNotInSync(items);
  std::string out = "### xcert drift\n\n";
  out += bad == 0 && report.in_sync
             ? "✅ " + InSyncLine(items.size())
             : "❌ " + DriftHeadline(items, report.removals.size()) + ".\n" + CategoryLine(report);
  if (!report.missing.empty()) out += "\n> [!CAUTION]\n> " + MissingLine(report.missing) + ".\n";
  for (const std::string& w : report.warnings) out += "\n> [!WARNING]\n> " + w + "\n";
  if (bad == 0 && report.removals.empty()) return out;
  // Table cells cannot hold '|'.
  auto cell = [](std::string s) {
    for (char& c : s) {
      if (c == '|') c = '/';
    }
    return s;
  };
  out += "\n| Server | Certificate | Status | Category | Reasons |\n|---|---|---|---|---|\n";
  for (const DriftItem& i : items) {
    if (i.status == DriftStatus::kInSync) continue;
    std::string reasons = AckLine(i.acknowledged);
    for (const std::string& line : ExplanationLines(i))
      reasons += (reasons.empty() ? "" : "<br>") + line;
    out += "| " + cell(i.server) + " | " + cell(i.certificate) + " | " +
           std::string(DriftStatusName(i.status)) + " | " +
           std::string(DriftCategoryTitle(i.category)) + " | " + cell(reasons) + " |\n";
  }
  for (const DriftRemoval& u : report.removals) {
    out += "| " + cell(u.server) + " | `" + u.thumbprint + "` " + cell(u.subject) + " | prune | " +
           std::string(DriftCategoryTitle(DriftCategory::kUnmanaged)) + " | " + kPruneReason +
           " |\n";
  }
  return out;
}

std::string RenderDriftJunit(const DriftReport& report) {
  const std::vector<DriftItem>& items = report.items;
  std::map<std::string, std::vector<const DriftItem*>> by_server;
  std::map<std::string, std::vector<const DriftRemoval*>> removals_by_server;
  std::vector<std::string> order;
  for (const DriftItem& i : items) {
    if (!by_server.count(i.server)) order.push_back(i.server);
    by_server[i.server].push_back(&i);
  }
  for (const DriftRemoval& u : report.removals) {
    if (!by_server.count(u.server) && !removals_by_server.count(u.server))
      order.push_back(u.server);
    removals_by_server[u.server].push_back(&u);
  }
  const size_t missing = report.missing.size();
  // An acknowledged difference is a skipped test case until its day passes.
  auto accepted = [](const std::optional<Acknowledged>& a) { return a && !a->expired; };
  auto fails = [&](const DriftItem& i) {
    return i.status != DriftStatus::kInSync && !accepted(i.acknowledged);
  };
  size_t failures_total = missing;
  for (const DriftItem& i : items) failures_total += fails(i);
  for (const DriftRemoval& u : report.removals) failures_total += !accepted(u.acknowledged);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"xcert drift\" tests=\"" +
         std::to_string(items.size() + report.removals.size() + missing) + "\" failures=\"" +
         std::to_string(failures_total) + "\">\n";
  for (const std::string& server : order) {
    const auto& list = by_server[server];
    const auto& removed = removals_by_server[server];
    size_t failures = 0;
    for (const DriftRemoval* u : removed) failures += !accepted(u->acknowledged);
    for (const DriftItem* i : list) failures += fails(*i);
    out += "  <testsuite name=\"" + XmlEscape(server) + "\" tests=\"" +
           std::to_string(list.size() + removed.size()) + "\" failures=\"" +
           std::to_string(failures) + "\">\n";
    for (const DriftItem* i : list) {
      out += "    <testcase classname=\"" + XmlEscape(server) + "\" name=\"certificate/" +
             XmlEscape(i->certificate) + "\" file=\"" + XmlEscape(i->where.file) + "\" line=\"" +
             std::to_string(i->where.line) + "\"";
      if (i->status == DriftStatus::kInSync) {
        out += "/>\n";
        continue;
      }
      std::string body = AckLine(i->acknowledged);
      for (const std::string& line : ExplanationLines(*i))
        body += (body.empty() ? "" : "\n") + line;
      if (accepted(i->acknowledged)) {
        out += ">\n      <skipped message=\"" + XmlEscape(AckLine(i->acknowledged)) + "\">" +
               XmlEscape(body) + "</skipped>\n    </testcase>\n";
        continue;
      }
      out += ">\n      <failure type=\"" + std::string(DriftStatusName(i->status)) +
             "\" message=\"" + XmlEscape(CategoryPrefix(i->category) + Headline(*i)) + "\">" +
             XmlEscape(body) + "</failure>\n    </testcase>\n";
    }
    for (const DriftRemoval* u : removed) {
      out += "    <testcase classname=\"" + XmlEscape(server) + "\" name=\"unmanaged/" +
             XmlEscape(u->thumbprint) + "\">\n";
      out += accepted(u->acknowledged)
                 ? "      <skipped message=\"" + XmlEscape(AckLine(u->acknowledged)) + "\"/>\n"
                 : "      <failure type=\"prune\" message=\"" + XmlEscape(kPruneReason) + "\">" +
                       XmlEscape(u->subject) + "</failure>\n";
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  if (missing > 0) {
    out += "  <testsuite name=\"shards\" tests=\"" + std::to_string(missing) + "\" failures=\"" +
           std::to_string(missing) + "\">\n";
    for (const ShardSpec& m : report.missing) {
      out += "    <testcase classname=\"shards\" name=\"shard/" + m.ToString() +
             "\">\n      <failure type=\"missing\" message=\"" + XmlEscape(MissingLine({m})) +
             "\"/>\n    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

std::string RenderDriftReport(const DriftReport& report, const std::string& format, bool color) {
  if (format == "json") return RenderDriftJson(report);
  if (format == "markdown") return RenderDriftMarkdown(report);
  if (format == "junit") return RenderDriftJunit(report);
  return RenderDriftText(report, color);
}

std::string RenderDriftText(const DiffResult& diff, bool color) {
  return RenderDriftText(MakeDriftReport(diff, {}), color);
}
std::string RenderDriftJson(const DiffResult& diff, TimePoint now) {
  return RenderDriftJson(MakeDriftReport(diff, now));
}
std::string RenderDriftMarkdown(const DiffResult& diff) {
  return RenderDriftMarkdown(MakeDriftReport(diff, {}));
}
std::string RenderDriftJunit(const DiffResult& diff) {
  return RenderDriftJunit(MakeDriftReport(diff, {}));
}

namespace {

std::optional<DriftStatus> ParseDriftStatus(const std::string& name) {
  for (DriftStatus s :
       {DriftStatus::kInSync, DriftStatus::kDrift, DriftStatus::kPending, DriftStatus::kBlocked}) {
    if (DriftStatusName(s) == name) return s;
  }
  return std::nullopt;
}

Acknowledged AcknowledgedFromJson(JsonReader& r, const nlohmann::json& j) {
  Acknowledged a;
  a.reason = r.Get<std::string>(j, "reason");
  a.until = r.Get<std::string>(j, "until");
  a.ticket = r.Get<std::string>(j, "ticket");
  a.expired = r.Get<bool>(j, "expired");
  a.days_ago = r.Get<int>(j, "days_ago");
  if (j.contains("location")) a.where = LocationFromJson(r, j["location"]);
  return a;
}

std::vector<ShardSpec> ShardsFromJson(JsonReader& r, const nlohmann::json& j, const char* field) {
  std::vector<ShardSpec> out;
  for (const std::string& text : r.Get<std::vector<std::string>>(j, field)) {
    Result<ShardSpec> s = ParseShard(text);
    if (!s.ok()) r.Fail(std::string("field '") + field + "' holds '" + text + "', not K/N");
    if (s.ok()) out.push_back(*s);
  }
  return out;
}

}  // namespace

Result<DriftReport> DriftReportFromJson(std::string_view text, const std::string& path) {
  const std::string not_one = path + ": not a drift report of xcert drift --format json: ";
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return InvalidArgument(not_one + MessageValue(e.what()));
  }
  if (!j.is_object() || !j.contains("items") || !j.contains("in_sync")) {
    return InvalidArgument(not_one + "it has no 'items' and 'in_sync'");
  }
  JsonReader r(not_one);
  DriftReport report;
  Result<TimePoint> checked = ParseIso8601(r.Get<std::string>(j, "checked_at"));
  if (!checked.ok()) r.Fail("'checked_at' is not a UTC time");
  report.checked_at = checked.ok() ? *checked : TimePoint{};
  report.in_sync = r.Get<bool>(j, "in_sync");
  if (const std::string shard = r.Get<std::string>(j, "shard"); !shard.empty()) {
    Result<ShardSpec> s = ParseShard(shard);
    if (!s.ok()) r.Fail("'shard' is '" + shard + "', not K/N");
    if (s.ok()) report.shard = *s;
  }
  report.merged = ShardsFromJson(r, j, "merged_shards");
  report.missing = ShardsFromJson(r, j, "missing_shards");
  for (const nlohmann::json& item : r.Array(j, "items")) {
    DriftItem i;
    i.server = r.Get<std::string>(item, "server");
    i.certificate = r.Get<std::string>(item, "certificate");
    const std::string status = r.Get<std::string>(item, "status");
    const std::optional<DriftStatus> parsed = ParseDriftStatus(status);
    if (!parsed) r.Fail("an item's status is '" + status + "'");
    i.status = parsed.value_or(DriftStatus::kBlocked);
    if (const std::string category = r.Get<std::string>(item, "category"); !category.empty()) {
      Result<std::set<DriftCategory>> c = ParseDriftCategories(category);
      if (!c.ok() || c->size() != 1) r.Fail("an item's category is '" + category + "'");
      if (c.ok() && c->size() == 1) i.category = *c->begin();
    }
    i.reasons = ReasonsFromJson(r, r.Array(item, "reasons"));
    i.detail = r.Get<std::string>(item, "detail");
    if (item.contains("acknowledged"))
      i.acknowledged = AcknowledgedFromJson(r, item["acknowledged"]);
    if (item.contains("location")) i.where = LocationFromJson(r, item["location"]);
    report.items.push_back(std::move(i));
  }
  for (const nlohmann::json& c : r.Array(j, "changes")) {
    report.changes.push_back(ChangeFromJson(r, c));
  }
  for (const nlohmann::json& u : r.Array(j, "removals")) {
    DriftRemoval removal{r.Get<std::string>(u, "server"), r.Get<std::string>(u, "thumbprint"),
                         r.Get<std::string>(u, "subject"), std::nullopt};
    if (u.contains("acknowledged"))
      removal.acknowledged = AcknowledgedFromJson(r, u["acknowledged"]);
    report.removals.push_back(std::move(removal));
  }
  report.warnings = r.Get<std::vector<std::string>>(j, "warnings");
  if (!r.error().empty()) return InvalidArgument(r.error());
  return report;
}

Result<DriftReport> MergeDriftReports(std::vector<DriftReport> parts,
                                      const std::vector<std::string>& names) {
  if (parts.empty()) return InvalidArgument("no drift reports to merge");
  // Each part as the shards it holds (a merge holds several).
  std::map<int, std::string> seen;  // shard index -> the file that holds it
  int total = 0;
  for (size_t p = 0; p < parts.size(); ++p) {
    std::vector<ShardSpec> held = parts[p].merged;
    if (parts[p].shard.active()) held.push_back(parts[p].shard);
    if (held.empty()) {
      if (parts.size() == 1) return std::move(parts.front());
      return InvalidArgument(names[p] +
                             ": that report covers every server, not one shard; merge only the "
                             "reports of xcert drift --shard K/N (or of parallel CI jobs)");
    }
    for (const ShardSpec& s : held) {
      if (total != 0 && s.total != total) {
        return InvalidArgument(names[p] + ": shard " + s.ToString() + " is one of " +
                               std::to_string(s.total) + " shards, the other reports are of " +
                               std::to_string(total) + "; merge the reports of one sharded run");
      }
      total = s.total;
      auto [it, added] = seen.emplace(s.index, names[p]);
      if (!added) {
        return InvalidArgument(names[p] + ": shard " + s.ToString() + " is already in " +
                               it->second + "; give each shard's report once");
      }
    }
  }
  DriftReport merged;
  merged.checked_at = parts.front().checked_at;
  for (DriftReport& part : parts) {
    merged.checked_at = std::min(merged.checked_at, part.checked_at);
    merged.in_sync = merged.in_sync && part.in_sync;
    auto move_all = [](auto& to, auto& from) {
      to.insert(to.end(), std::make_move_iterator(from.begin()),
                std::make_move_iterator(from.end()));
    };
    move_all(merged.items, part.items);
    move_all(merged.removals, part.removals);
    move_all(merged.changes, part.changes);
    move_all(merged.warnings, part.warnings);
  }
  // The shards' items in the manifest's order of certificates, then by server.
  std::stable_sort(merged.items.begin(), merged.items.end(),
                   [](const DriftItem& a, const DriftItem& b) {
                     return std::tie(a.where.line, a.server) < std::tie(b.where.line, b.server);
                   });
  for (int k = 1; k <= total; ++k) {
    (seen.count(k) ? merged.merged : merged.missing).push_back(ShardSpec{k, total});
  }
  return merged;
}

}  // namespace xcert
