#include "engine/plan/drift_report.h"

#include <algorithm>
#include <map>
#include <set>

#include "engine/plan/plan_json.h"
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

namespace {

using Key = std::pair<std::string, std::string>;  // server, certificate

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
std::map<Key, std::vector<ReasonDetail>> ReasonsByCertificate(const DiffResult& diff) {
  std::set<Key> made;
  for (const Change& c : diff.changes) {
    if (MakesCertificate(c)) made.insert({c.server, c.certificate});
  }
  std::map<Key, std::vector<ReasonDetail>> reasons;
  struct Following {
    ServiceSet services;
    Location where;  // of the first binding
  };
  std::map<Key, Following> follows;  // the bindings that follow, one line each certificate
  for (const Change& c : diff.changes) {
    const Key key{c.server, c.certificate};
    if (!FollowsNewCertificate(c) || !made.count(key)) {
      auto& list = reasons[key];
      list.insert(list.end(), c.reasons.begin(), c.reasons.end());
      continue;
    }
    Following& f = follows.try_emplace(key, Following{{}, c.where}).first->second;
    f.services = f.services.Union(c.services);
  }
  for (const auto& [key, f] : follows) {
    reasons[key].push_back({Reason::kBindingMismatch,
                            "then " + f.services.ToString() +
                                (f.services.ToVector().size() == 1 ? " moves" : " move") +
                                " to the new " + Quote(key.second),
                            f.where});
  }
  return reasons;
}

}  // namespace

std::vector<DriftItem> DriftItems(const DiffResult& diff) {
  const std::map<Key, std::vector<ReasonDetail>> reasons = ReasonsByCertificate(diff);
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
      item.reasons = it->second;
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
    if (auto it = blocked.find(c.server); it != blocked.end()) {
      item.status = DriftStatus::kBlocked;
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

// Certificates the manifest does not describe that apply would remove
// (prune: true). They are drift too: every report shows them.
std::vector<const UnmanagedCertificate*> Removals(const DiffResult& diff) {
  std::vector<const UnmanagedCertificate*> out;
  for (const UnmanagedCertificate& u : diff.unmanaged) {
    if (u.remove) out.push_back(&u);
  }
  return out;
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

}  // namespace

std::string RenderDriftText(const DiffResult& diff, bool color) {
  const std::vector<DriftItem> items = DriftItems(diff);
  auto paint = [color](const char* code, const std::string& s) {
    return color ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
  };
  std::string out;
  for (const DriftItem& i : items) {
    const std::string addr = i.server + "/certificate/" + i.certificate;
    switch (i.status) {
      case DriftStatus::kInSync: out += "  " + paint("32", "ok     ") + " " + addr + "\n"; break;
      case DriftStatus::kDrift: out += "  " + paint("31", "drift  ") + " " + addr + "\n"; break;
      case DriftStatus::kPending: out += "  " + paint("33", "pending") + " " + addr + "\n"; break;
      case DriftStatus::kBlocked:
        out += "  " + paint("31", "blocked") + " " + addr + ": " + i.detail + "\n";
        break;
    }
    if (i.status == DriftStatus::kBlocked) continue;
    for (const ReasonDetail& r : i.reasons) out += "            " + ReasonLine(r) + "\n";
  }
  const std::vector<const UnmanagedCertificate*> removals = Removals(diff);
  for (const UnmanagedCertificate* u : removals) {
    out += "  " + paint("31", "prune  ") + " " + u->server + "/certificate/" +
           u->certificate.thumbprint + " would be removed\n";
  }
  const size_t bad = CountNotInSync(items);
  out += "\n";
  if (bad == 0 && !diff.HasDrift()) {
    out += InSyncLine(items.size());
  } else if (PlanWouldChange(items, removals.size())) {
    out +=
        "Drift: " + DriftHeadline(items, removals.size()) + "; run xcert plan to see the steps.\n";
  } else {
    out += DriftHeadline(items, removals.size()) + ".\n";
  }
  return out;
}

std::string RenderDriftJson(const DiffResult& diff, TimePoint now) {
  const std::vector<DriftItem> items = DriftItems(diff);
  nlohmann::ordered_json j{{"checked_at", FormatIso8601(now)},
                           {"in_sync", !diff.HasDrift()},
                           {"total", items.size()},
                           {"differing", CountNotInSync(items)}};
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const DriftItem& i : items) {
    list.push_back({{"server", i.server},
                    {"certificate", i.certificate},
                    {"status", DriftStatusName(i.status)},
                    {"reasons", ReasonsToJson(i.reasons)},
                    {"detail", i.detail},
                    {"location", LocationToJson(i.where)}});
  }
  j["items"] = std::move(list);
  nlohmann::ordered_json changes = nlohmann::ordered_json::array();
  for (const Change& c : diff.changes) changes.push_back(ChangeToJson(c));
  j["changes"] = std::move(changes);
  nlohmann::ordered_json removed = nlohmann::ordered_json::array();
  for (const UnmanagedCertificate* u : Removals(diff)) {
    removed.push_back({{"server", u->server},
                       {"thumbprint", u->certificate.thumbprint},
                       {"subject", u->certificate.subject}});
  }
  j["removals"] = std::move(removed);
  j["warnings"] = diff.warnings;
  return j.dump(2) + "\n";
}

std::string RenderDriftMarkdown(const DiffResult& diff) {
  const std::vector<DriftItem> items = DriftItems(diff);
  const std::vector<const UnmanagedCertificate*> removals = Removals(diff);
  const size_t bad = CountNotInSync(items);
  std::string out = "### xcert drift\n\n";
  out += bad == 0 && !diff.HasDrift() ? "✅ " + InSyncLine(items.size())
                                      : "❌ " + DriftHeadline(items, removals.size()) + ".\n";
  for (const std::string& w : diff.warnings) out += "\n> [!WARNING]\n> " + w + "\n";
  if (bad == 0 && removals.empty()) return out;
  // Table cells cannot hold '|'.
  auto cell = [](std::string s) {
    for (char& c : s) {
      if (c == '|') c = '/';
    }
    return s;
  };
  out += "\n| Server | Certificate | Status | Reasons |\n|---|---|---|---|\n";
  for (const DriftItem& i : items) {
    if (i.status == DriftStatus::kInSync) continue;
    std::string reasons;
    for (const std::string& line : ExplanationLines(i))
      reasons += (reasons.empty() ? "" : "<br>") + line;
    out += "| " + cell(i.server) + " | " + cell(i.certificate) + " | " +
           std::string(DriftStatusName(i.status)) + " | " + cell(reasons) + " |\n";
  }
  for (const UnmanagedCertificate* u : removals) {
    out += "| " + cell(u->server) + " | `" + u->certificate.thumbprint + "` " +
           cell(u->certificate.subject) + " | prune | " + kPruneReason + " |\n";
  }
  return out;
}

std::string RenderDriftJunit(const DiffResult& diff) {
  const std::vector<DriftItem> items = DriftItems(diff);
  const std::vector<const UnmanagedCertificate*> removals = Removals(diff);
  std::map<std::string, std::vector<const DriftItem*>> by_server;
  std::map<std::string, std::vector<const UnmanagedCertificate*>> removals_by_server;
  std::vector<std::string> order;
  for (const DriftItem& i : items) {
    if (!by_server.count(i.server)) order.push_back(i.server);
    by_server[i.server].push_back(&i);
  }
  for (const UnmanagedCertificate* u : removals) {
    if (!by_server.count(u->server) && !removals_by_server.count(u->server))
      order.push_back(u->server);
    removals_by_server[u->server].push_back(u);
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"xcert drift\" tests=\"" +
         std::to_string(items.size() + removals.size()) + "\" failures=\"" +
         std::to_string(CountNotInSync(items) + removals.size()) + "\">\n";
  for (const std::string& server : order) {
    const auto& list = by_server[server];
    const auto& removed = removals_by_server[server];
    size_t failures = removed.size();
    for (const DriftItem* i : list) failures += i->status != DriftStatus::kInSync;
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
      std::string body;
      for (const std::string& line : ExplanationLines(*i))
        body += (body.empty() ? "" : "\n") + line;
      out += ">\n      <failure type=\"" + std::string(DriftStatusName(i->status)) +
             "\" message=\"" + XmlEscape(Headline(*i)) + "\">" + XmlEscape(body) +
             "</failure>\n    </testcase>\n";
    }
    for (const UnmanagedCertificate* u : removed) {
      out += "    <testcase classname=\"" + XmlEscape(server) + "\" name=\"unmanaged/" +
             XmlEscape(u->certificate.thumbprint) +
             "\">\n      <failure type=\"prune\" message=\"" + XmlEscape(kPruneReason) + "\">" +
             XmlEscape(u->certificate.subject) + "</failure>\n    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace xcert
