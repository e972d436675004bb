#include "resources/acme/standalone.h"

#include "resources/acme/webroot.h"

namespace xcert::acme {

namespace {
constexpr std::string_view kPrefix = "/.well-known/acme-challenge/";
}

Status StandaloneSolver::Present(const ChallengeTask& task) {
  if (!IsBase64UrlToken(task.token)) {
    return InvalidArgument("http-01 for " + task.identifier +
                           ": the ACME server sent a token that is not base64url");
  }
  std::lock_guard lifecycle(lifecycle_mu_);
  if (!responder_) {
    auto started = HttpResponder::Start(address_, [this](const ServedRequest& request) {
      ServedReply reply{404, {{"Content-Type", "text/plain"}}, "not found\n"};
      if (request.method != "GET" && request.method != "HEAD") return reply;
      std::string_view target = request.target;
      if (!target.starts_with(kPrefix)) return reply;
      target.remove_prefix(kPrefix.size());
      std::lock_guard lock(mu_);
      const auto it = answers_.find(std::string(target));
      if (it == answers_.end()) return reply;
      return ServedReply{200, {{"Content-Type", "text/plain"}}, it->second};
    });
    if (!started.ok()) {
      return started.status().WithContext("http-01 for " + task.identifier + " (standalone)");
    }
    responder_ = std::move(started).value();
  }
  std::lock_guard lock(mu_);
  answers_[task.token] = task.key_authorization;
  return Status::Ok();
}

Status StandaloneSolver::CleanUp(const ChallengeTask& task) {
  std::lock_guard lifecycle(lifecycle_mu_);
  bool last = false;
  {
    std::lock_guard lock(mu_);
    answers_.erase(task.token);
    last = answers_.empty();
  }
  // The responder's thread takes mu_, so it is stopped without holding mu_.
  if (last) responder_.reset();
  return Status::Ok();
}

bool StandaloneSolver::listening() const {
  std::lock_guard lifecycle(lifecycle_mu_);
  return responder_ != nullptr;
}

}  // namespace xcert::acme
