#include "engine/plan/drift_report.h"

#include <map>

#include "engine/plan/plan_json.h"

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

std::vector<DriftItem> DriftItems(const DiffResult& diff) {
  using Key = std::pair<std::string, std::string>;
  std::map<Key, std::vector<ReasonDetail>> reasons;
  for (const Change& c : diff.changes) {
    auto& list = reasons[{c.server, c.certificate}];
    list.insert(list.end(), c.reasons.begin(), c.reasons.end());
  }
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

std::string XmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

size_t CountNotInSync(const std::vector<DriftItem>& items) {
  size_t n = 0;
  for (const DriftItem& i : items) n += i.status != DriftStatus::kInSync;
  return n;
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
  for (const UnmanagedCertificate& u : diff.unmanaged) {
    if (u.remove)
      out += "  " + paint("31", "prune  ") + " " + u.server + "/certificate/" +
             u.certificate.thumbprint + " would be removed\n";
  }
  const size_t bad = CountNotInSync(items);
  out += "\n";
  out += bad == 0 && !diff.HasDrift()
             ? "In sync: " + std::to_string(items.size()) + " certificates match the manifest.\n"
             : "Drift: " + std::to_string(bad) + " of " + std::to_string(items.size()) +
                   " certificates differ from the manifest; run xcert plan to see the steps.\n";
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
  return j.dump(2) + "\n";
}

std::string RenderDriftMarkdown(const DiffResult& diff) {
  const std::vector<DriftItem> items = DriftItems(diff);
  const size_t bad = CountNotInSync(items);
  std::string out = "### xcert drift\n\n";
  out += bad == 0 && !diff.HasDrift()
             ? "✅ In sync: " + std::to_string(items.size()) + " certificates match the manifest.\n"
             : "❌ " + std::to_string(bad) + " of " + std::to_string(items.size()) +
                   " certificates differ from the manifest.\n";
  if (bad == 0) return out;
  out += "\n| Server | Certificate | Status | Reasons |\n|---|---|---|---|\n";
  for (const DriftItem& i : items) {
    if (i.status == DriftStatus::kInSync) continue;
    std::string reasons = i.detail;
    for (const ReasonDetail& r : i.reasons)
      reasons += (reasons.empty() ? "" : "<br>") + ReasonLine(r);
    for (char& c : reasons) {
      if (c == '|') c = '/';
    }
    out += "| " + i.server + " | " + i.certificate + " | " +
           std::string(DriftStatusName(i.status)) + " | " + reasons + " |\n";
  }
  return out;
}

std::string RenderDriftJunit(const DiffResult& diff) {
  const std::vector<DriftItem> items = DriftItems(diff);
  std::map<std::string, std::vector<const DriftItem*>> by_server;
  std::vector<std::string> order;
  for (const DriftItem& i : items) {
    if (!by_server.count(i.server)) order.push_back(i.server);
    by_server[i.server].push_back(&i);
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"xcert drift\" tests=\"" + std::to_string(items.size()) +
         "\" failures=\"" + std::to_string(CountNotInSync(items)) + "\">\n";
  for (const std::string& server : order) {
    const auto& list = by_server[server];
    size_t failures = 0;
    for (const DriftItem* i : list) failures += i->status != DriftStatus::kInSync;
    out += "  <testsuite name=\"" + XmlEscape(server) + "\" tests=\"" +
           std::to_string(list.size()) + "\" failures=\"" + std::to_string(failures) + "\">\n";
    for (const DriftItem* i : list) {
      out += "    <testcase classname=\"" + XmlEscape(server) + "\" name=\"certificate/" +
             XmlEscape(i->certificate) + "\" file=\"" + XmlEscape(i->where.file) + "\" line=\"" +
             std::to_string(i->where.line) + "\"";
      if (i->status == DriftStatus::kInSync) {
        out += "/>\n";
        continue;
      }
      std::string message = i->reasons.empty() ? i->detail : ReasonLine(i->reasons.front());
      std::string body = i->detail;
      for (const ReasonDetail& r : i->reasons) body += (body.empty() ? "" : "\n") + ReasonLine(r);
      out += ">\n      <failure type=\"" + std::string(DriftStatusName(i->status)) +
             "\" message=\"" + XmlEscape(message) + "\">" + XmlEscape(body) +
             "</failure>\n    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace xcert
