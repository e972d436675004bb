// The Exchange vocabulary the whole tool speaks: services (AllowedServices
// flags), server roles and versions, and which services a role and version can
// use. Values and letters follow Get-ExchangeCertificate
// (see docs/exchange.md and reference/exchange.md §0, §1.2, §3.2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xcert {

// AllowedServices flag values, exactly as Exchange numbers them.
enum class Service : uint8_t {
  kImap = 1,
  kPop = 2,
  kUm = 4,
  kIis = 8,
  kSmtp = 16,
  kFederation = 32,
  kUmCallRouter = 64,
};

// Every service in ascending bit order (Exchange's display order).
inline constexpr Service kAllServices[] = {
    Service::kImap, Service::kPop,        Service::kUm,          Service::kIis,
    Service::kSmtp, Service::kFederation, Service::kUmCallRouter};

// "IMAP", "POP", "UM", "IIS", "SMTP", "Federation", "UMCallRouter".
std::string_view ServiceName(Service s);
// Case-insensitive inverse of ServiceName.
std::optional<Service> ParseService(std::string_view name);

// A set of services; the bits are the AllowedServices value.
class ServiceSet {
 public:
  constexpr ServiceSet() = default;
  constexpr explicit ServiceSet(uint8_t bits) : bits_(bits) {}
  ServiceSet(std::initializer_list<Service> services);

  constexpr uint8_t bits() const { return bits_; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr bool Has(Service s) const { return (bits_ & uint8_t(s)) != 0; }
  constexpr bool Contains(ServiceSet other) const { return (bits_ & other.bits_) == other.bits_; }
  void Add(Service s) { bits_ |= uint8_t(s); }
  void Remove(Service s) { bits_ &= uint8_t(~uint8_t(s)); }
  ServiceSet Union(ServiceSet o) const { return ServiceSet(uint8_t(bits_ | o.bits_)); }
  ServiceSet Minus(ServiceSet o) const { return ServiceSet(uint8_t(bits_ & ~o.bits_)); }
  std::vector<Service> ToVector() const;

  // "IMAP, POP, IIS, SMTP" (Exchange's string form); "None" when empty.
  std::string ToString() const;
  // Exchange's 7-letter column "IPUWSFC" with '.' for absent services: "IP.WS..".
  std::string ToLetters() const;

  bool operator==(const ServiceSet&) const = default;

 private:
  uint8_t bits_ = 0;
};

enum class Role : uint8_t { kMailbox, kClientAccess, kEdgeTransport };
std::string_view RoleName(Role r);  // "Mailbox", "ClientAccess", "EdgeTransport"
std::optional<Role> ParseRole(std::string_view name);

enum class ExchangeVersion : uint8_t { k2013, k2016, k2019, kSE };
std::string_view VersionName(ExchangeVersion v);  // "2013", "2016", "2019", "SE"
std::optional<ExchangeVersion> ParseVersion(std::string_view name);

// Whether a server of `version` can have `role` (ClientAccess exists only in 2013).
bool RoleExistsIn(Role role, ExchangeVersion version);

// Services that can be enabled on a server with these roles and version,
// excluding Federation, which Enable-ExchangeCertificate always refuses.
// (Edge: SMTP only; UM/UMCallRouter only on 2013/2016; ...)
ServiceSet EnableableServices(const std::vector<Role>& roles, ExchangeVersion version);

// Why `service` cannot be enabled on such a server, or "" if it can.
std::string WhyNotEnableable(Service service, const std::vector<Role>& roles,
                             ExchangeVersion version);

}  // namespace xcert
