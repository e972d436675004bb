// http-01 through an existing web server's document root: the key
// authorization is written to ROOT/.well-known/acme-challenge/TOKEN and
// removed after.
//
// Safety: tokens are checked to be base64url (RFC 8555 §8.3), so they cannot
// name another path; .well-known and acme-challenge are created (0755) when
// missing but never followed when they are symbolic links (or anything but
// directories); the token file is created with O_NOFOLLOW|O_EXCL, mode 0644
// (the web server must read it) and removed with unlinkat relative to the
// opened directory. Directories the solver created are removed again when
// the last token is gone.
#pragma once

#include <filesystem>
#include <mutex>

#include "resources/acme/solver.h"

namespace xcert::acme {

class WebrootSolver final : public ChallengeSolver {
 public:
  explicit WebrootSolver(std::filesystem::path root) : root_(std::move(root)) {}
  std::string type() const override { return "http-01"; }
  Status Present(const ChallengeTask& task) override;
  Status CleanUp(const ChallengeTask& task) override;

 private:
  std::filesystem::path root_;
  std::mutex mu_;
  int live_ = 0;                  // tokens present
  bool made_well_known_ = false;  // directories this solver created
  bool made_challenge_ = false;
};

// Whether `token` is a non-empty base64url string (safe as a file name).
bool IsBase64UrlToken(std::string_view token);

}  // namespace xcert::acme
