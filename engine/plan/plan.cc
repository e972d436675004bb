#include "engine/plan/plan.h"

#include <algorithm>
#include <set>
#include <tuple>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/depth_first_search.hpp>

#include "engine/util/strings.h"

namespace xcert {

namespace {

struct KindInfo {
  StepKind kind;
  std::string_view name;
};
constexpr KindInfo kKinds[] = {
    {StepKind::kBackupExport, "backup-export"},
    {StepKind::kIssue, "issue"},
    {StepKind::kCreate, "create"},
    {StepKind::kImport, "import"},
    {StepKind::kExport, "export"},
    {StepKind::kEnable, "enable"},
    {StepKind::kRemove, "remove"},
};

}  // namespace

std::string_view StepKindName(StepKind k) {
  for (const KindInfo& i : kKinds) {
    if (i.kind == k) return i.name;
  }
  return "?";
}

std::optional<StepKind> ParseStepKind(std::string_view name) {
  for (const KindInfo& i : kKinds) {
    if (i.name == name) return i.kind;
  }
  return std::nullopt;
}

int EnableGroup(ServiceSet s) {
  if (s.Has(Service::kIis)) return 0;
  if (s.Has(Service::kImap) || s.Has(Service::kPop)) return 1;
  if (s.Has(Service::kSmtp)) return 2;
  return 3;
}

Step BackupExportStep(const std::string& server, const CertificateInfo& c, const std::string& why) {
  Step s;
  s.kind = StepKind::kBackupExport;
  s.server = server;
  s.thumbprint = c.thumbprint;
  s.certificate_only = !c.has_private_key || !c.exportable;
  s.friendly_name = c.friendly_name;
  s.subject = c.subject;
  s.summary = "back up " + ShortThumb(c.thumbprint) + " (" +
              (c.friendly_name.empty() ? c.subject : c.friendly_name) + ") from " + server + why +
              (s.certificate_only ? " (certificate only)" : "");
  return s;
}

size_t Plan::CountOf(StepKind k) const {
  return std::count_if(steps.begin(), steps.end(), [k](const Step& s) { return s.kind == k; });
}

namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;
using Vertex = Graph::vertex_descriptor;

// Deterministic position among steps that are ready at the same time.
using OrderKey = std::tuple<int, std::string, int, std::string, std::string, size_t>;

class Builder {
 public:
  Builder(const Desired& desired, const ActualState& actual, const PlanOptions& options,
          TimePoint now)
      : desired_(desired), actual_(actual), options_(options), now_(now) {
    for (const DesiredCertificate& d : desired.certificates) by_artifact_[d.artifact] = &d;
  }

  Result<Plan> Build(DiffResult diff) {
    diff_ = std::move(diff);
    for (const Blocked& b : diff_.blocked) blocked_servers_.insert(b.server);
    for (const Change& c : diff_.changes) {
      if (c.action != ChangeAction::kBind && c.provision != Provision::kNone) Provision(c);
    }
    for (const Change& c : diff_.changes) {
      if (c.action == ChangeAction::kBind) Bind(c);
    }
    for (const UnmanagedCertificate& u : diff_.unmanaged) {
      if (u.remove && Mutable(u.server)) Prune(u);
    }
    AddServerOrdering();
    XCERT_ASSIGN_OR_RETURN(std::vector<size_t> order, Order());
    Plan plan;
    plan.created_at = now_;
    plan.warnings = std::move(warnings_);
    plan.warnings.insert(plan.warnings.end(), diff_.warnings.begin(), diff_.warnings.end());
    plan.steps = Renumber(order);
    for (const Step& s : plan.steps) Observe(s.server, &plan);
    for (const Step& s : plan.steps) Observe(s.source_server, &plan);
    plan.diff = std::move(diff_);
    return plan;
  }

 private:
  bool Mutable(const std::string& server) const {
    if (blocked_servers_.count(server)) return false;
    return options_.servers.empty() || options_.servers.count(server);
  }

  const CertificateInfo* Find(const std::string& server, const std::string& thumbprint) const {
    auto it = actual_.find(server);
    return it == actual_.end() ? nullptr : it->second.Find(thumbprint);
  }

  size_t Add(Step s) {
    steps_.push_back(std::move(s));
    deps_.emplace_back();
    return steps_.size() - 1;
  }

  void Depend(size_t step, size_t on) {
    if (step != on) deps_[step].insert(on);
  }

  // A step about desired certificate `d`, with the parameters its kind needs.
  Step ForCertificate(StepKind kind, const std::string& server, const DesiredCertificate& d) {
    Step s;
    s.kind = kind;
    s.server = server;
    s.certificate = d.artifact;
    s.where = d.where;
    if (kind == StepKind::kCreate || kind == StepKind::kIssue) {
      s.subject = d.subject;
      s.dns_names = d.dns_names;
      s.key = d.key;
      s.validity = d.validity;
      s.friendly_name = d.friendly_name;
      s.issuer = d.issuer;
    }
    if (kind == StepKind::kImport) {
      s.exportable = d.key.exportable;
      s.friendly_name = d.friendly_name;
      s.issuer = d.issuer;
    }
    return s;
  }

  void Provision(const Change& c) {
    if (!Mutable(c.server)) return;
    auto dit = by_artifact_.find(c.certificate);
    if (dit == by_artifact_.end()) return;
    const DesiredCertificate& d = *dit->second;
    switch (c.provision) {
      case Provision::kNone: return;
      case Provision::kCreate:
      case Provision::kCreateRequest: {
        Step s = ForCertificate(StepKind::kCreate, c.server, d);
        s.pending_request = c.provision == Provision::kCreateRequest;
        s.summary = s.pending_request
                        ? "create a key and certificate request for " + Quote(d.name) + " on " +
                              c.server + " (" + d.key.ToString() + "; CSR to the outbox of " +
                              d.issuer + ")"
                        : "create self-signed " + Quote(d.name) + " on " + c.server + " (" +
                              CreateSpec(d, c.server) + ")";
        provision_[{c.server, d.artifact}] = Add(std::move(s));
        return;
      }
      case Provision::kImportIssued: {
        Step s = ForCertificate(StepKind::kImport, c.server, d);
        s.source = ImportSource::kArtifact;
        s.summary = "import " + Quote(d.name) + " issued by " + d.issuer + " on " + c.server;
        const size_t import = Add(std::move(s));
        Depend(import, IssueStep(d));
        provision_[{c.server, d.artifact}] = import;
        return;
      }
      case Provision::kImportFile:
      case Provision::kCompleteRequest: {
        Step s = ForCertificate(StepKind::kImport, c.server, d);
        s.thumbprint = c.target;
        s.source =
            c.provision == Provision::kImportFile ? ImportSource::kFile : ImportSource::kInbox;
        s.source_path = c.source_path;
        s.summary = c.provision == Provision::kImportFile
                        ? "import " + Quote(d.name) + " from " + c.source_path + " on " + c.server
                        : "complete the request of " + Quote(d.name) + " on " + c.server +
                              " with " + c.source_path;
        provision_[{c.server, d.artifact}] = Add(std::move(s));
        return;
      }
      case Provision::kImportFromServer: {
        if (blocked_servers_.count(c.source_server)) {
          diff_.blocked.push_back({c.address, c.server,
                                   Quote(d.name) + " would be copied from " + c.source_server +
                                       ", whose store could not be read completely"});
          return;
        }
        Step s = ForCertificate(StepKind::kImport, c.server, d);
        s.thumbprint = c.target;
        s.source = ImportSource::kArtifact;
        s.source_server = c.source_server;
        s.summary = "import " + Quote(d.name) + " on " + c.server + " (copied from " +
                    c.source_server + ")";
        const size_t import = Add(std::move(s));
        Depend(import, ExportStep(d, c.source_server, c.target));
        provision_[{c.server, d.artifact}] = import;
        return;
      }
    }
  }

  size_t IssueStep(const DesiredCertificate& d) {
    auto it = issue_.find(d.artifact);
    if (it != issue_.end()) return it->second;
    Step s = ForCertificate(StepKind::kIssue, "", d);
    s.summary = "issue " + Quote(d.name) + " from " + d.issuer + " (" + IssueSpec(d) + ")";
    return issue_[d.artifact] = Add(std::move(s));
  }

  size_t ExportStep(const DesiredCertificate& d, const std::string& server,
                    const std::string& thumb) {
    auto it = export_.find(d.artifact);
    if (it != export_.end()) return it->second;
    Step s = ForCertificate(StepKind::kExport, server, d);
    s.thumbprint = thumb;
    s.source_server = server;
    s.summary = "export " + Quote(d.name) + " from " + server + " to copy it to its other servers";
    const size_t e = export_[d.artifact] = Add(std::move(s));
    auto p = provision_.find({server, d.artifact});
    if (p != provision_.end()) Depend(e, p->second);
    return e;
  }

  void Bind(const Change& c) {
    if (!Mutable(c.server)) return;
    const bool new_cert = c.target.empty();
    auto p = provision_.find({c.server, c.certificate});
    if (new_cert && p == provision_.end()) return;  // its provisioning was blocked
    std::optional<size_t> backup;
    if (!c.current.empty() && c.current != c.target) {
      backup = BackupStep(c.server, c.current, c.services, c.address);
      if (!backup) return;
    }
    const int group = EnableGroup(c.services);
    auto key = std::make_tuple(c.server, c.certificate, group);
    auto it = enable_.find(key);
    if (it == enable_.end()) {
      auto dit = by_artifact_.find(c.certificate);
      Step s;
      s.kind = StepKind::kEnable;
      s.server = c.server;
      s.certificate = c.certificate;
      s.thumbprint = c.target;
      s.replace_default_smtp = dit != by_artifact_.end() && dit->second->replace_default_smtp &&
                               c.services.Has(Service::kSmtp);
      s.where = c.where;
      it = enable_.emplace(key, Add(std::move(s))).first;
      if (p != provision_.end()) Depend(it->second, p->second);
    }
    Step& s = steps_[it->second];
    s.services.Add(c.services.ToVector().front());
    const std::string name =
        by_artifact_.count(c.certificate) ? by_artifact_[c.certificate]->name : c.certificate;
    s.summary = "enable " + Quote(name) + " for " + s.services.ToString() + " on " + c.server;
    if (s.replace_default_smtp) s.summary += " (replacing the default SMTP certificate)";
    if (backup) Depend(it->second, *backup);
  }

  // The backup of `thumb` on `server` before it loses `services` or is
  // removed; nullopt (and a Blocked entry) when it cannot be backed up safely.
  std::optional<size_t> BackupStep(const std::string& server, const std::string& thumb,
                                   ServiceSet services, const std::string& address) {
    auto it = backup_.find({server, thumb});
    if (it != backup_.end()) return it->second;
    const CertificateInfo* c = Find(server, thumb);
    if (!c || !c->attributes_known) {
      diff_.blocked.push_back({address, server,
                               ShortThumb(thumb) + " on " + server +
                                   " cannot be backed up before it changes: " +
                                   (c ? "its attributes are unknown (recorded as RawData only)"
                                      : "it is not among the certificates the store could read")});
      return std::nullopt;
    }
    Step s = BackupExportStep(
        server, *c,
        services.empty() ? " before it is removed" : " before it loses " + services.ToString());
    if (s.certificate_only) {
      const std::string what = ShortThumb(thumb) + " (" +
                               (c->friendly_name.empty() ? c->subject : c->friendly_name) + ")";
      warnings_.push_back("backup of " + what + " on " + server +
                          " holds the certificate only: its private key " +
                          (c->has_private_key ? "is not exportable" : "is not in the store"));
    }
    return backup_[{server, thumb}] = Add(std::move(s));
  }

  void Prune(const UnmanagedCertificate& u) {
    const std::string address = u.server + "/certificate/" + u.certificate.thumbprint;
    auto backup = BackupStep(u.server, u.certificate.thumbprint, ServiceSet(), address);
    if (!backup) return;
    Step s;
    s.kind = StepKind::kRemove;
    s.server = u.server;
    s.thumbprint = u.certificate.thumbprint;
    s.friendly_name = u.certificate.friendly_name;
    s.subject = u.certificate.subject;
    s.summary = "remove " + ShortThumb(s.thumbprint) + " (" +
                (s.friendly_name.empty() ? s.subject : s.friendly_name) + ") from " + u.server +
                (u.superseded.empty() ? " (unmanaged; prune)"
                                      : " (superseded by " + Quote(u.superseded) + ")");
    Depend(Add(std::move(s)), *backup);
  }

  // Backups before every mutation of their server; enables in a chain (IIS,
  // IMAP/POP, SMTP, UM); removes after the last enable.
  void AddServerOrdering() {
    std::map<std::string, std::vector<size_t>> backups, enables;
    for (size_t i = 0; i < steps_.size(); ++i) {
      if (steps_[i].kind == StepKind::kBackupExport) backups[steps_[i].server].push_back(i);
      if (steps_[i].kind == StepKind::kEnable) enables[steps_[i].server].push_back(i);
    }
    for (size_t i = 0; i < steps_.size(); ++i) {
      const Step& s = steps_[i];
      const bool mutation = s.kind == StepKind::kCreate || s.kind == StepKind::kImport ||
                            s.kind == StepKind::kEnable || s.kind == StepKind::kRemove;
      if (!mutation) continue;
      for (size_t b : backups[s.server]) Depend(i, b);
    }
    for (auto& [server, list] : enables) {
      std::sort(list.begin(), list.end(), [this](size_t a, size_t b) { return Key(a) < Key(b); });
      for (size_t k = 1; k < list.size(); ++k) Depend(list[k], list[k - 1]);
    }
    for (size_t i = 0; i < steps_.size(); ++i) {
      if (steps_[i].kind != StepKind::kRemove) continue;
      const auto& list = enables[steps_[i].server];
      if (!list.empty()) Depend(i, list.back());
    }
  }

  OrderKey Key(size_t i) const {
    const Step& s = steps_[i];
    const int group = s.kind == StepKind::kEnable ? EnableGroup(s.services) : 0;
    return {int(s.kind), s.server, group, s.certificate, s.thumbprint, i};
  }

  // Kahn's algorithm on the Boost graph, smallest OrderKey first among ready steps.
  Result<std::vector<size_t>> Order() const {
    Graph g(steps_.size());
    for (size_t i = 0; i < steps_.size(); ++i) {
      for (size_t d : deps_[i]) boost::add_edge(d, i, g);
    }
    std::vector<size_t> indegree(steps_.size());
    std::set<OrderKey> ready;
    for (size_t i = 0; i < steps_.size(); ++i) {
      indegree[i] = boost::in_degree(i, g);
      if (indegree[i] == 0) ready.insert(Key(i));
    }
    std::vector<size_t> order;
    while (!ready.empty()) {
      const size_t v = std::get<5>(*ready.begin());
      ready.erase(ready.begin());
      order.push_back(v);
      for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) {
        const size_t w = boost::target(*e, g);
        if (--indegree[w] == 0) ready.insert(Key(w));
      }
    }
    if (order.size() != steps_.size()) return Internal(DescribeCycle(g));
    return order;
  }

  std::string DescribeCycle(const Graph& g) const {
    struct Visitor : boost::default_dfs_visitor {
      std::vector<Vertex>* parent;
      std::optional<std::pair<Vertex, Vertex>>* back;
      void tree_edge(Graph::edge_descriptor e, const Graph& gr) {
        (*parent)[boost::target(e, gr)] = boost::source(e, gr);
      }
      void back_edge(Graph::edge_descriptor e, const Graph& gr) {
        if (!*back) *back = std::make_pair(boost::source(e, gr), boost::target(e, gr));
      }
    };
    std::vector<Vertex> parent(boost::num_vertices(g));
    std::optional<std::pair<Vertex, Vertex>> back;
    Visitor vis;
    vis.parent = &parent;
    vis.back = &back;
    boost::depth_first_search(g, boost::visitor(vis));
    std::string out = "dependency cycle in the plan (a bug in xcert, please report it): ";
    if (!back) return out + "not found";
    std::vector<Vertex> path = {back->second};
    for (Vertex v = back->first; v != back->second; v = parent[v]) path.insert(path.begin() + 1, v);
    for (Vertex v : path) out += steps_[v].summary + " -> ";
    return out + steps_[back->second].summary;
  }

  std::vector<Step> Renumber(const std::vector<size_t>& order) const {
    std::vector<int> id(steps_.size());
    for (size_t k = 0; k < order.size(); ++k) id[order[k]] = int(k + 1);
    std::vector<Step> out;
    out.reserve(order.size());
    for (size_t idx : order) {
      Step s = steps_[idx];
      s.id = id[idx];
      s.depends_on.clear();
      for (size_t d : deps_[idx]) s.depends_on.push_back(id[d]);
      std::sort(s.depends_on.begin(), s.depends_on.end());
      out.push_back(std::move(s));
    }
    return out;
  }

  void Observe(const std::string& server, Plan* plan) const {
    if (server.empty() || plan->observed.count(server)) return;
    auto it = actual_.find(server);
    if (it == actual_.end()) return;
    plan->observed[server] = {it->second.Fingerprint(), ObservedSummary(it->second)};
  }

  // "RSA 2048, 1y" as `d` asks, or what the store will really give a
  // self-signed certificate on `server` ("RSA 2048, 5y: …").
  std::string CreateSpec(const DesiredCertificate& d, const std::string& server) const {
    const std::string asked = d.key.ToString() + ", " + FormatDuration(d.validity);
    auto it = actual_.find(server);
    const Seconds fixed = it == actual_.end() ? Seconds{} : it->second.fixed_self_signed_validity;
    if (fixed == Seconds{} || fixed == d.validity) return asked;
    return d.key.ToString() + ", " + FormatDuration(fixed) + ": the store makes self-signed " +
           "certificates for " + FormatDuration(fixed) + ", not the " + FormatDuration(d.validity) +
           " the manifest asks";
  }

  // "RSA 2048, 1y" as `d` asks, or, when its CA expires first, the validity
  // the certificate will really get: a certificate cannot outlive its CA.
  //
  // acme: the key, how the CA validates the names, and that the CA sets the
  // validity ("RSA 2048; ACME http-01 on :80 for a.example, b.example; the
  // ACME server sets the validity"): every name must be reachable that way.
  std::string IssueSpec(const DesiredCertificate& d) const {
    const std::string asked = d.key.ToString() + ", " + FormatDuration(d.validity);
    auto it = desired_.issuers.find(d.issuer);
    if (it != desired_.issuers.end() && it->second.type == IssuerType::kAcme) {
      return d.key.ToString() + "; ACME " + it->second.acme_challenge + " for " +
             Join(d.dns_names, ", ") + "; the ACME server sets the validity";
    }
    if (it == desired_.issuers.end() || it->second.type != IssuerType::kCa) return asked;
    const TimePoint ca_end = it->second.ca_not_after;
    if (ca_end == TimePoint{} || now_ + d.validity <= ca_end || ca_end <= now_) return asked;
    return asked + ", cut to " + std::to_string(DaysBetween(now_, ca_end)) +
           " days: the CA certificate expires on " + FormatIso8601(ca_end).substr(0, 10);
  }

  const Desired& desired_;
  const ActualState& actual_;
  const PlanOptions& options_;
  TimePoint now_;
  DiffResult diff_;
  std::map<std::string, const DesiredCertificate*> by_artifact_;
  std::set<std::string> blocked_servers_;
  std::vector<Step> steps_;
  std::vector<std::set<size_t>> deps_;
  std::vector<std::string> warnings_;
  std::map<std::pair<std::string, std::string>, size_t> provision_;  // (server, artifact)
  std::map<std::string, size_t> issue_;                              // artifact
  std::map<std::string, size_t> export_;                             // artifact
  std::map<std::pair<std::string, std::string>, size_t> backup_;     // (server, thumbprint)
  std::map<std::tuple<std::string, std::string, int>, size_t> enable_;
};

}  // namespace

Result<Plan> BuildPlan(const Desired& desired, const ActualState& actual, DiffResult diff,
                       const PlanOptions& options, TimePoint now) {
  XCERT_ASSIGN_OR_RETURN(Plan plan, Builder(desired, actual, options, now).Build(std::move(diff)));
  plan.servers = options.servers;
  return plan;
}

std::vector<std::string> StaleDifferences(const Plan& plan, const ActualState& now) {
  std::vector<std::string> out;
  for (const auto& [server, then] : plan.observed) {
    auto it = now.find(server);
    if (it == now.end()) {
      out.push_back(server + ": the server's store is no longer there");
      continue;
    }
    const std::map<std::string, std::string> current = ObservedSummary(it->second);
    if (then.summary == current) continue;
    for (const auto& [key, value] : then.summary) {
      auto c = current.find(key);
      if (c == current.end())
        out.push_back(server + ": " + key + " is gone (was " + value + ")");
      else if (c->second != value)
        out.push_back(server + ": " + key + " was " + value + ", now " + c->second);
    }
    for (const auto& [key, value] : current) {
      if (!then.summary.count(key))
        out.push_back(server + ": " + key + " appeared (" + value + ")");
    }
  }
  return out;
}

Status VerifyOrder(const std::vector<Step>& steps) {
  std::set<int> done;
  for (const Step& s : steps) {
    for (int d : s.depends_on) {
      if (!done.count(d)) {
        return Internal("step " + std::to_string(s.id) + " (" + s.summary + ") comes before step " +
                        std::to_string(d) + ", which it depends on");
      }
    }
    done.insert(s.id);
  }
  return Status::Ok();
}

}  // namespace xcert
