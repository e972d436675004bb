#include "resources/issuers/inbox.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "engine/model/dn.h"
#include "engine/util/strings.h"
#include "resources/x509/name_match.h"

namespace xcert::issuers {

namespace {

namespace fs = std::filesystem;

struct PendingRef {
  std::string server;
  const CertificateInfo* request;
};

// Pending requests by the SHA-1 of their public key.
std::map<std::string, PendingRef> PendingByKey(const ActualState& actual) {
  std::map<std::string, PendingRef> out;
  for (const auto& [server, state] : actual) {
    for (const CertificateInfo& c : state.certificates) {
      if (c.pending_request && !c.public_key_sha1.empty()) {
        out.try_emplace(ToUpper(c.public_key_sha1), PendingRef{server, &c});
      }
    }
  }
  return out;
}

// Thumbprints of every certificate already in a store (answers imported earlier).
std::set<std::string> Imported(const ActualState& actual) {
  std::set<std::string> out;
  for (const auto& [server, state] : actual) {
    for (const CertificateInfo& c : state.certificates) {
      if (!c.pending_request) out.insert(ToUpper(c.thumbprint));
    }
  }
  return out;
}

// The regular, visible files of `dir`, sorted by name.
std::vector<std::string> AnswerFiles(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code type_ec;
    if (name.empty() || name[0] == '.' || !it->is_regular_file(type_ec)) continue;
    out.push_back(it->path().lexically_normal().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Whether `a` is a better answer to one request than `b`.
bool Better(const InboxItem& a, const InboxItem& b) {
  if (a.problem.empty() != b.problem.empty()) return a.problem.empty();
  return a.certificate.not_after > b.certificate.not_after;
}

class Scanner {
 public:
  Scanner(IssuerContext& ctx, const ActualState& actual, TimePoint now)
      : ctx_(ctx), pending_(PendingByKey(actual)), imported_(Imported(actual)), now_(now) {}

  void File(const std::string& path) {
    const std::string fix = "put the CA's answer there as PEM, DER or PKCS#7 (.p7b), or remove it";
    Result<std::string> data = ReadSmallFile(path);
    if (!data.ok()) {
      ctx_.Warning("inbox", "inbox file " + path + " cannot be read: " + data.status().message(),
                   fix);
      return;
    }
    Result<std::vector<LoadedCertificate>> certs = LoadCertificates(*data);
    if (!certs.ok()) {
      ctx_.Warning(
          "inbox",
          "inbox file " + path + " holds no readable certificate: " + certs.status().message(),
          fix);
      return;
    }
    std::optional<size_t> leaf = PickLeaf(*certs, [this](const LoadedCertificate& c) {
      return pending_.count(ToUpper(c.info.public_key_sha1)) > 0;
    });
    if (!leaf) {
      ctx_.Warning("inbox", "inbox file " + path + " holds only CA certificates",
                   "put the signed certificate itself there (its chain may come with it)");
      return;
    }
    const CertificateInfo& answer = (*certs)[*leaf].info;
    scan_.leaf_of[path] = answer.thumbprint;
    auto it = pending_.find(ToUpper(answer.public_key_sha1));
    if (it == pending_.end()) {
      if (imported_.count(ToUpper(answer.thumbprint))) return;  // completed by an earlier apply
      ctx_.Warning("inbox",
                   "inbox file " + path + " (" + Quote(answer.subject) + ", " + answer.thumbprint +
                       ") answers no pending request: its key matches none on the servers",
                   "remove it from the inbox; xcert completes only the requests it created and "
                   "that are still pending");
      return;
    }
    InboxItem item{path, answer, it->second.server, it->second.request->thumbprint,
                   AnswerProblem(path, answer, *it->second.request, now_)};
    Keep(std::move(item));
  }

  InboxScan Take() {
    for (auto& [request, item] : best_) scan_.items.push_back(std::move(item));
    return std::move(scan_);
  }

 private:
  void Keep(InboxItem item) {
    const std::string request = item.server + "/" + item.request_thumbprint;
    auto [it, inserted] = best_.try_emplace(request, item);
    if (!inserted && Better(item, it->second)) it->second = std::move(item);
  }

  IssuerContext& ctx_;
  const std::map<std::string, PendingRef> pending_;
  const std::set<std::string> imported_;
  const TimePoint now_;
  std::map<std::string, InboxItem> best_;  // server/request -> best answer
  InboxScan scan_;
};

}  // namespace

std::string AnswerProblem(const std::string& path, const CertificateInfo& answer,
                          const CertificateInfo& request, TimePoint now) {
  std::vector<std::string> problems;
  if (std::vector<std::string> missing = x509::UncoveredNames(answer, request.dns_names);
      !missing.empty()) {
    problems.push_back("it does not cover " + Join(missing, ", "));
  }
  if (!SameDn(answer.subject, request.subject)) {
    problems.push_back("it is issued to " + Quote(answer.subject) + ", the request is for '" +
                       request.subject + "'");
  }
  if (answer.IsExpired(now)) {
    problems.push_back("it expired on " + DateOf(answer.not_after));
  } else if (answer.IsNotYetValid(now)) {
    problems.push_back("it is valid only from " + DateOf(answer.not_before));
  }
  if (problems.empty()) return "";
  return path + ": " + Join(problems, "; ") +
         "; have the CA sign the request again and replace the file";
}

InboxScan ScanInbox(IssuerContext& ctx, const std::string& inbox_dir, const ActualState& actual,
                    TimePoint now) {
  Scanner scanner(ctx, actual, now);
  for (const std::string& path : AnswerFiles(inbox_dir)) scanner.File(path);
  return scanner.Take();
}

}  // namespace xcert::issuers
