#include "resources/acme/obtain.h"

#include <algorithm>
#include <set>

#include "engine/util/strings.h"
#include "resources/acme/jws.h"
#include "resources/x509/parse.h"

namespace xcert::acme {

namespace {

using std::chrono::steady_clock;

std::set<std::string> Lowered(const std::vector<std::string>& names) {
  std::set<std::string> out;
  for (const std::string& n : names) out.insert(ToLower(n));
  return out;
}

bool SameNames(const Order& order, const std::vector<std::string>& names) {
  std::vector<std::string> ids;
  for (const Identifier& id : order.identifiers) ids.push_back(id.value);
  return Lowered(ids) == Lowered(names);
}

// Undoes every presented challenge when it goes out of scope.
class Presented {
 public:
  explicit Presented(ChallengeSolver& solver) : solver_(solver) {}
  ~Presented() { (void)CleanUpAll(); }
  void Add(const ChallengeTask& task) { tasks_.push_back(task); }
  Status CleanUpAll() {
    std::vector<std::string> failures;
    for (const ChallengeTask& t : tasks_) {
      const Status s = solver_.CleanUp(t);
      if (!s.ok()) failures.push_back(s.message());
    }
    tasks_.clear();
    if (failures.empty()) return Status::Ok();
    return Unavailable("clean-up failed: " + Join(failures, "; "));
  }

 private:
  ChallengeSolver& solver_;
  std::vector<ChallengeTask> tasks_;
};

struct Pending {
  Authorization authz;
  ChallengeTask task;
  std::string challenge_url;
};

// The error for an authorization that did not become valid.
Status AuthorizationFailure(const Authorization& a, const std::string& type,
                            const std::string& token) {
  const std::string context = "validating " + a.identifier.value + " (" + type + ")";
  for (const Challenge& c : a.challenges) {
    if (c.type == type && c.error) {
      return ProblemStatus(*c.error, context,
                           ChallengeAdvice(type, a.identifier.value, token, *c.error));
    }
  }
  return FailedPrecondition(context + ": the authorization is " + a.status +
                            " without a reason from the server; try again");
}

class Obtainer {
 public:
  Obtainer(AcmeClient& client, ChallengeSolver& solver, const ObtainRequest& request)
      : client_(client),
        solver_(solver),
        request_(request),
        deadline_(steady_clock::now() + request.timeout),
        presented_(solver) {}

  Result<ObtainResult> Run() {
    if (request_.names.empty()) return InvalidArgument("no names to order");
    if (request_.csr_der.empty()) return InvalidArgument("no certificate request (CSR)");
    XCERT_ASSIGN_OR_RETURN(const Account account, client_.EnsureAccount());
    (void)account;
    XCERT_ASSIGN_OR_RETURN(Order order, StartOrder());
    if (request_.on_order) request_.on_order(order.url);
    result_.order_url = order.url;

    if (order.status == "pending") {
      const Status authorized = Authorize(order);
      const Status cleaned = presented_.CleanUpAll();
      if (!authorized.ok()) {
        return cleaned.ok()
                   ? authorized
                   : Status(authorized.code(), authorized.message() + "; " + cleaned.message());
      }
      if (!cleaned.ok()) result_.warnings.push_back(cleaned.message());
      XCERT_ASSIGN_OR_RETURN(order, client_.PollOrder(order.url, "pending", deadline_));
    }
    if (order.status == "ready") {
      XCERT_ASSIGN_OR_RETURN(order, client_.Finalize(order, request_.csr_der));
    }
    if (order.status == "processing" || order.status == "ready") {
      XCERT_ASSIGN_OR_RETURN(order, client_.PollOrder(order.url, order.status, deadline_));
    }
    if (order.status == "invalid") return OrderInvalid(order);
    if (order.status != "valid" || order.certificate.empty()) {
      return Unavailable("the order " + order.url + " is " + order.status +
                         " with no certificate; run again to resume it");
    }
    XCERT_ASSIGN_OR_RETURN(
        const CertificateChain chain,
        client_.DownloadCertificate(order.certificate, request_.preferred_chain));
    result_.chain_pem = chain.pem;
    result_.certificate_url = chain.url;
    result_.preferred_chain = chain.preferred;
    XCERT_ASSIGN_OR_RETURN(const std::vector<std::string> ders, x509::ReadCertificates(chain.pem));
    result_.certificate_der = ders.front();
    auto id = AriCertificateId(result_.certificate_der);
    if (id.ok()) {
      result_.ari_id = *id;
      if (!client_.directory().renewal_info.empty()) {
        auto info = client_.GetRenewalInfo(result_.certificate_der);
        if (info.ok()) {
          result_.renewal_info = *info;
        } else {
          result_.warnings.push_back(info.status().message());
        }
      }
    }
    return result_;
  }

 private:
  Result<Order> StartOrder() {
    if (!request_.resume_order_url.empty()) {
      auto old = client_.GetOrder(request_.resume_order_url);
      if (old.ok() && old->status != "invalid" && SameNames(*old, request_.names)) {
        result_.resumed = true;
        return old;
      }
      result_.warnings.push_back(
          "the interrupted order " + request_.resume_order_url + " cannot be resumed (" +
          (old.ok() ? (old->status == "invalid" ? std::string("it is invalid")
                                                : std::string("its names differ"))
                    : old.status().message()) +
          "); a new order was placed");
    }
    return client_.NewOrder(request_.names, request_.profile, request_.replaces);
  }

  Status Authorize(const Order& order) {
    const std::string type = solver_.type();
    std::vector<Pending> pending;
    for (const std::string& url : order.authorizations) {
      XCERT_ASSIGN_OR_RETURN(Authorization a, client_.GetAuthorization(url));
      if (a.status == "valid") continue;
      if (a.status != "pending") return AuthorizationFailure(a, type, "");
      const Challenge* c = a.Find(type);
      if (c == nullptr) {
        std::vector<std::string> offered;
        for (const Challenge& o : a.challenges) offered.push_back(o.type);
        return FailedPrecondition(
            "the ACME server offers no " + type + " challenge for " + a.identifier.value +
            (a.wildcard ? " (a wildcard needs dns-01)" : "") + " (it offers " +
            QuotedList(offered) + "): use another challenge type");
      }
      XCERT_ASSIGN_OR_RETURN(const std::string keyauth,
                             KeyAuthorization(c->token, client_.account_key()));
      Pending p{a, {a.identifier.value, c->token, keyauth}, c->url};
      presented_.Add(p.task);  // CleanUp is owed even when Present fails half-way
      XCERT_RETURN_IF_ERROR(solver_.Present(p.task));
      pending.push_back(std::move(p));
    }
    for (const Pending& p : pending) {
      const auto answered = client_.RespondChallenge(p.challenge_url);
      if (!answered.ok()) return answered.status();
    }
    for (const Pending& p : pending) {
      XCERT_ASSIGN_OR_RETURN(const Authorization done,
                             client_.PollAuthorization(p.authz.url, deadline_));
      if (done.status != "valid") return AuthorizationFailure(done, type, p.task.token);
    }
    return Status::Ok();
  }

  Status OrderInvalid(const Order& order) {
    // The authorization that failed says more than the order does.
    for (const std::string& url : order.authorizations) {
      auto a = client_.GetAuthorization(url);
      if (a.ok() && a->status == "invalid") {
        const Challenge* c = a->Find(solver_.type());
        return AuthorizationFailure(*a, solver_.type(), c ? c->token : "");
      }
    }
    if (order.error) return ProblemStatus(*order.error, "the order " + order.url + " is invalid");
    return FailedPrecondition("the order " + order.url +
                              " became invalid without a reason from the server; run again to "
                              "place a new order");
  }

  AcmeClient& client_;
  ChallengeSolver& solver_;
  const ObtainRequest& request_;
  steady_clock::time_point deadline_;
  Presented presented_;
  ObtainResult result_;
};

}  // namespace

Result<ObtainResult> ObtainCertificate(AcmeClient& client, ChallengeSolver& solver,
                                       const ObtainRequest& request) {
  Obtainer obtainer(client, solver, request);
  auto result = obtainer.Run();
  if (!result.ok()) {
    const std::string who =
        request.label.empty() ? "" : "certificate " + Quote(request.label) + " ";
    return result.status().WithContext(who + "(" + Join(request.names, ", ") + ")");
  }
  return result;
}

}  // namespace xcert::acme
