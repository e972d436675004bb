// http-01 answered by xcert itself: while at least one challenge is
// presented, an HttpResponder (http_responder.h) listens on the configured
// ADDRESS:PORT and answers GET /.well-known/acme-challenge/TOKEN with the key
// authorization (text/plain); anything else gets 404. The socket is opened
// by the first Present and closed by the last CleanUp, so nothing listens
// between orders. Several orders (threads) share one listener.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "resources/acme/http_responder.h"
#include "resources/acme/solver.h"

namespace xcert::acme {

class StandaloneSolver final : public ChallengeSolver {
 public:
  // `address`: "ADDR:PORT" as HttpResponder::Start takes it (":80" for all).
  explicit StandaloneSolver(std::string address) : address_(std::move(address)) {}
  std::string type() const override { return "http-01"; }
  Status Present(const ChallengeTask& task) override;
  Status CleanUp(const ChallengeTask& task) override;
  // Whether the listener is open now (tests).
  bool listening() const;

 private:
  std::string address_;
  // lifecycle_mu_ orders opening and closing the listener (a new one never
  // binds while the old one still holds the port); mu_ guards the answers,
  // which the responder's thread reads.
  mutable std::mutex lifecycle_mu_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> answers_;  // token -> key authorization
  std::unique_ptr<HttpResponder> responder_;
};

}  // namespace xcert::acme
