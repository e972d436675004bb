#include "resources/issuers/open_issuers.h"

#include "resources/issuers/acme_issuer.h"
#include "resources/issuers/ca_issuer.h"
#include "resources/issuers/file_issuer.h"
#include "resources/issuers/issuer_context.h"
#include "resources/issuers/request_issuer.h"
#include "resources/issuers/self_signed_issuer.h"

namespace xcert::issuers {

namespace {

class IssuerMap final : public IssuerSet {
 public:
  void Add(std::unique_ptr<Issuer> issuer) {
    const std::string name = issuer->name();
    issuers_[name] = std::move(issuer);
  }
  // Read-only after OpenIssuers: safe from apply's threads.
  Issuer* Find(const std::string& name) override {
    auto it = issuers_.find(name);
    return it == issuers_.end() ? nullptr : it->second.get();
  }

 private:
  std::map<std::string, std::unique_ptr<Issuer>> issuers_;
};

// The issuer, after copying its facts (nullptr after errors: facts keep name and type).
template <typename T>
std::unique_ptr<Issuer> Keep(std::unique_ptr<T> issuer, IssuerFacts* facts) {
  if (issuer) *facts = issuer->Facts();
  return issuer;
}

std::unique_ptr<Issuer> Open(IssuerContext& ctx, const Manifest& manifest,
                             const ActualState& actual, TimePoint now, IssuerFacts* facts) {
  switch (ctx.spec().type) {
    case IssuerType::kSelfSigned:
      return Keep(std::make_unique<SelfSignedIssuer>(ctx.spec().name), facts);
    case IssuerType::kCa: return Keep(CaIssuer::Open(ctx, now), facts);
    case IssuerType::kRequest: return Keep(RequestIssuer::Open(ctx, actual, now), facts);
    case IssuerType::kFile: return Keep(FileIssuer::Open(ctx, manifest, now), facts);
    case IssuerType::kAcme: return Keep(AcmeIssuer::Open(ctx), facts);
  }
  return nullptr;
}

}  // namespace

OpenedIssuers OpenIssuers(const Manifest& manifest, const ActualState& actual, TimePoint now,
                          Diagnostics* diagnostics) {
  auto set = std::make_unique<IssuerMap>();
  OpenedIssuers out;
  for (const IssuerSpec& spec : manifest.issuers) {
    IssuerFacts& facts = out.facts[spec.name];
    facts.name = spec.name;
    facts.type = spec.type;
    IssuerContext ctx(manifest, spec, diagnostics);
    if (std::unique_ptr<Issuer> issuer = Open(ctx, manifest, actual, now, &facts))
      set->Add(std::move(issuer));
  }
  out.issuers = std::move(set);
  return out;
}

void PrepareToIssue(IssuerSet& issuers, const std::set<std::string>& names,
                    Diagnostics* diagnostics) {
  for (const std::string& name : names) {
    // Only ca and acme issuers defer anything; the Issuer seam has no call
    // for it, because apply needs none (Issue reads what it needs itself).
    Issuer* issuer = issuers.Find(name);
    if (auto* ca = dynamic_cast<CaIssuer*>(issuer)) (void)ca->LoadKey(diagnostics);
    if (auto* acme = dynamic_cast<AcmeIssuer*>(issuer)) (void)acme->CheckReady(diagnostics);
  }
}

}  // namespace xcert::issuers
