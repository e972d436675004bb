#include "engine/model/manifest.h"

namespace xcert {

std::string_view LockTypeName(LockType t) {
  switch (t) {
    case LockType::kFile: return "file";
    case LockType::kPostgres: return "postgres";
  }
  return "?";
}

std::string_view StoreTypeName(StoreType t) {
  switch (t) {
    case StoreType::kLocal: return "local";
    case StoreType::kExchange: return "exchange";
    case StoreType::kSnapshot: return "snapshot";
  }
  return "?";
}

std::string_view IssuerTypeName(IssuerType t) {
  switch (t) {
    case IssuerType::kSelfSigned: return "self-signed";
    case IssuerType::kCa: return "ca";
    case IssuerType::kRequest: return "request";
    case IssuerType::kFile: return "file";
    case IssuerType::kAcme: return "acme";
  }
  return "?";
}

void SourceMap::Set(std::string pointer, int line, int column) {
  positions_[std::move(pointer)] = {line, column};
}

Location SourceMap::Find(const std::string& pointer) const {
  std::string p = pointer;
  for (;;) {
    auto it = positions_.find(p);
    if (it != positions_.end()) return Location{file_, it->second.first, it->second.second};
    if (p.empty()) return Location{file_, 0, 0};
    const size_t slash = p.rfind('/');
    p = slash == std::string::npos ? "" : p.substr(0, slash);
  }
}

namespace {

template <typename T>
const T* FindByName(const std::vector<T>& items, const std::string& name) {
  for (const T& item : items) {
    if (item.name == name) return &item;
  }
  return nullptr;
}

template <typename T>
Location WhereIn(const Manifest& m, const std::vector<T>& items, const char* section,
                 const std::string& name, const std::string& field) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].name == name) {
      std::string p = std::string("/") + section + "/" + std::to_string(i);
      if (!field.empty()) p += "/" + field;
      return m.source.Find(p);
    }
  }
  return m.source.Find(std::string("/") + section);
}

}  // namespace

const IssuerSpec* Manifest::FindIssuer(const std::string& n) const {
  return FindByName(issuers, n);
}
const ServerSpec* Manifest::FindServer(const std::string& n) const {
  return FindByName(servers, n);
}
const CertificateSpec* Manifest::FindCertificate(const std::string& n) const {
  return FindByName(certificates, n);
}

std::string Manifest::Resolve(const std::string& relative) const {
  if (relative.empty()) return relative;
  std::filesystem::path p(relative);
  if (p.is_absolute() || base_dir.empty()) return p.lexically_normal().string();
  return (std::filesystem::path(base_dir) / p).lexically_normal().string();
}

Location Manifest::WhereCertificate(const std::string& name, const std::string& field) const {
  return WhereIn(*this, certificates, "certificates", name, field);
}
Location Manifest::WhereServer(const std::string& name, const std::string& field) const {
  return WhereIn(*this, servers, "servers", name, field);
}
Location Manifest::WhereIssuer(const std::string& name, const std::string& field) const {
  return WhereIn(*this, issuers, "issuers", name, field);
}

bool Manifest::SameContent(const Manifest& o) const {
  return version == o.version && organization == o.organization && store == o.store &&
         backup == o.backup && lock == o.lock && prune == o.prune && issuers == o.issuers &&
         servers == o.servers && certificates == o.certificates && trust == o.trust &&
         acknowledgements == o.acknowledgements;
}

}  // namespace xcert
