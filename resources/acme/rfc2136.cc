#include "resources/acme/rfc2136.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <memory>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <ldns/ldns.h>
#include <netinet/in.h>

#include "engine/util/strings.h"
#include "resources/acme/http_responder.h"
#include "resources/acme/jws.h"

namespace xcert::acme {

namespace {

struct ResolverDeleter {
  void operator()(ldns_resolver* r) const { ldns_resolver_deep_free(r); }
};
struct PktDeleter {
  void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
struct RdfDeleter {
  void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};
struct RrListDeleter {
  void operator()(ldns_rr_list* l) const { ldns_rr_list_deep_free(l); }
};
using ResolverPtr = std::unique_ptr<ldns_resolver, ResolverDeleter>;
using PktPtr = std::unique_ptr<ldns_pkt, PktDeleter>;
using RdfPtr = std::unique_ptr<ldns_rdf, RdfDeleter>;
using RrListPtr = std::unique_ptr<ldns_rr_list, RrListDeleter>;

std::string Absolute(std::string_view name) {
  std::string n = ToLower(name);
  if (n.empty() || n.back() != '.') n += '.';
  return n;
}

struct Endpoint {
  std::string address;  // numeric
  uint16_t port = 53;
};

// "ADDR", "ADDR:PORT", "[V6]:PORT" or "host[:PORT]" -> numeric addresses.
Result<std::vector<Endpoint>> Resolve(const std::string& server) {
  std::string host = server;
  uint16_t port = 53;
  const size_t colons = static_cast<size_t>(std::count(server.begin(), server.end(), ':'));
  if (server.starts_with("[") || colons == 1) {
    XCERT_ASSIGN_OR_RETURN(const auto hp, SplitHostPort(server));
    host = hp.first;
    port = hp.second;
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (host.empty() || ::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) {
    return Unavailable("cannot resolve the DNS server " + Quote(server) +
                       ": give its address (rfc2136.server)");
  }
  std::vector<Endpoint> out;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* src =
        a->ai_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
    if (::inet_ntop(a->ai_family, src, text, sizeof text) != nullptr) {
      out.push_back({text, port});
    }
  }
  ::freeaddrinfo(found);
  return out;
}

Result<ResolverPtr> ResolverFor(const Endpoint& e) {
  ResolverPtr r(ldns_resolver_new());
  if (!r) return Internal("ldns_resolver_new failed");
  const bool v6 = e.address.find(':') != std::string::npos;
  RdfPtr addr(ldns_rdf_new_frm_str(v6 ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A, e.address.c_str()));
  if (!addr || ldns_resolver_push_nameserver(r.get(), addr.get()) != LDNS_STATUS_OK) {
    return InvalidArgument("not an IP address: " + e.address);
  }
  ldns_resolver_set_port(r.get(), e.port);
  ldns_resolver_set_recursive(r.get(), false);
  ldns_resolver_set_retry(r.get(), 2);
  ldns_resolver_set_timeout(r.get(), timeval{2, 0});
  return r;
}

std::string ShowEndpoint(const Endpoint& e) {
  const bool v6 = e.address.find(':') != std::string::npos;
  return (v6 ? "[" + e.address + "]" : e.address) + ":" + std::to_string(e.port);
}

// TXT strings of `name` in the answer section of a query to `e`.
Result<std::vector<std::string>> Txt(const Endpoint& e, const std::string& name) {
  XCERT_ASSIGN_OR_RETURN(ResolverPtr r, ResolverFor(e));
  RdfPtr dname(ldns_dname_new_frm_str(Absolute(name).c_str()));
  if (!dname) return InvalidArgument("not a DNS name: " + name);
  PktPtr answer(ldns_resolver_query(r.get(), dname.get(), LDNS_RR_TYPE_TXT, LDNS_RR_CLASS_IN, 0));
  if (!answer) return Unavailable("no answer from " + ShowEndpoint(e) + " for " + name + " TXT");
  std::vector<std::string> values;
  RrListPtr txt(ldns_pkt_rr_list_by_type(answer.get(), LDNS_RR_TYPE_TXT, LDNS_SECTION_ANSWER));
  for (size_t i = 0; txt && i < ldns_rr_list_rr_count(txt.get()); ++i) {
    const ldns_rr* rr = ldns_rr_list_rr(txt.get(), i);
    std::string value;
    for (size_t k = 0; k < ldns_rr_rd_count(rr); ++k) {
      const ldns_rdf* rdf = ldns_rr_rdf(rr, k);
      // A character-string is a length octet and the bytes.
      const auto* data = ldns_rdf_data(rdf);
      if (ldns_rdf_size(rdf) >= 1) value.append(reinterpret_cast<const char*>(data) + 1, data[0]);
    }
    values.push_back(std::move(value));
  }
  return values;
}

// Names of the zone's name servers and their addresses, asked of `primary`.
std::vector<Endpoint> AuthoritativeServers(const Endpoint& primary, const std::string& zone) {
  std::vector<Endpoint> out;
  auto r = ResolverFor(primary);
  if (!r.ok()) return out;
  RdfPtr zone_name(ldns_dname_new_frm_str(Absolute(zone).c_str()));
  if (!zone_name) return out;
  PktPtr ns_answer(
      ldns_resolver_query(r->get(), zone_name.get(), LDNS_RR_TYPE_NS, LDNS_RR_CLASS_IN, 0));
  if (!ns_answer) return out;
  RrListPtr ns(ldns_pkt_rr_list_by_type(ns_answer.get(), LDNS_RR_TYPE_NS, LDNS_SECTION_ANSWER));
  for (size_t i = 0; ns && i < ldns_rr_list_rr_count(ns.get()); ++i) {
    const ldns_rdf* target = ldns_rr_rdf(ldns_rr_list_rr(ns.get(), i), 0);
    for (ldns_rr_type type : {LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA}) {
      PktPtr a(ldns_resolver_query(r->get(), target, type, LDNS_RR_CLASS_IN, 0));
      RrListPtr addrs(a ? ldns_pkt_rr_list_by_type(a.get(), type, LDNS_SECTION_ANSWER) : nullptr);
      for (size_t k = 0; addrs && k < ldns_rr_list_rr_count(addrs.get()); ++k) {
        char* text = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(addrs.get(), k), 0));
        if (text != nullptr) out.push_back({text, primary.port});
        free(text);  // NOLINT: ldns allocates with malloc
      }
    }
    if (out.empty()) {
      // Out-of-zone name server: the system resolver knows it.
      char* text = ldns_rdf2str(target);
      if (text != nullptr) {
        auto resolved = Resolve(text);
        if (resolved.ok()) {
          for (Endpoint e : *resolved) out.push_back({e.address, primary.port});
        }
      }
      free(text);  // NOLINT
    }
  }
  return out;
}

std::string RcodeAdvice(ldns_pkt_rcode rcode, const Rfc2136Config& c) {
  switch (rcode) {
    case LDNS_RCODE_NOTAUTH:
      return "the server did not accept TSIG key " + Quote(c.tsig_key_name) +
             ": check tsigKeyName, tsigAlgorithm and the secret";
    case LDNS_RCODE_REFUSED:
      return "the server refused the update: allow updates of zone " + c.zone + " for key " +
             Quote(c.tsig_key_name) + " (BIND: update-policy or allow-update)";
    case LDNS_RCODE_NOTZONE: return "the name is not in zone " + c.zone + ": check rfc2136.zone";
    case LDNS_RCODE_SERVFAIL: return "the server failed; check its log";
    default: return "check the server's log";
  }
}

}  // namespace

Result<std::vector<std::string>> QueryTxt(const std::string& server, const std::string& name) {
  XCERT_ASSIGN_OR_RETURN(const std::vector<Endpoint> eps, Resolve(server));
  if (eps.empty()) return Unavailable("no address for " + server);
  return Txt(eps.front(), name);
}

Status Rfc2136Solver::Update(const ChallengeTask& task, bool add) {
  const std::string record = "_acme-challenge." + Absolute(task.identifier);
  const std::string zone = Absolute(config_.zone);
  const std::string what = std::string(add ? "adding" : "removing") + " the TXT record " + record +
                           " (dns-01 for " + task.identifier + ") at " + config_.server;
  if (!(record.size() > zone.size() && record.ends_with("." + zone))) {
    return InvalidArgument(what + ": " + task.identifier + " is not inside zone " + config_.zone +
                           ": use a solver whose zone holds it");
  }
  XCERT_ASSIGN_OR_RETURN(const std::vector<Endpoint> eps, Resolve(config_.server));
  if (eps.empty()) return Unavailable(what + ": no address for the server");
  auto r = ResolverFor(eps.front());
  if (!r.ok()) return r.status().WithContext(what);
  const std::string key_name = Absolute(config_.tsig_key_name);
  const std::string algorithm = Absolute(config_.tsig_algorithm);
  ldns_resolver_set_tsig_keyname(r->get(), key_name.c_str());
  ldns_resolver_set_tsig_algorithm(r->get(), algorithm.c_str());
  ldns_resolver_set_tsig_keydata(r->get(), config_.tsig_secret.c_str());

  ldns_rr* rr = nullptr;
  const std::string text = record + " " + std::to_string(config_.ttl) + " IN TXT \"" +
                           Dns01TxtValue(task.key_authorization) + "\"";
  if (ldns_rr_new_frm_str(&rr, text.c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK) {
    return Internal(what + ": cannot build the record");
  }
  if (!add) {
    ldns_rr_set_class(rr, LDNS_RR_CLASS_NONE);  // delete this RR only
    ldns_rr_set_ttl(rr, 0);
  }
  RrListPtr updates(ldns_rr_list_new());
  ldns_rr_list_push_rr(updates.get(), rr);
  RdfPtr zone_rdf(ldns_dname_new_frm_str(zone.c_str()));
  PktPtr pkt(ldns_update_pkt_new(ldns_rdf_clone(zone_rdf.get()), LDNS_RR_CLASS_IN, nullptr,
                                 updates.get(), nullptr));
  if (!pkt) return Internal(what + ": cannot build the update");
  if (ldns_update_pkt_tsig_add(pkt.get(), r->get()) != LDNS_STATUS_OK) {
    return InvalidArgument(what + ": cannot sign with TSIG: check tsigAlgorithm " +
                           Quote(config_.tsig_algorithm) + " and that the secret is base64");
  }
  ldns_pkt* answer_raw = nullptr;
  const ldns_status sent = ldns_send(&answer_raw, r->get(), pkt.get());
  PktPtr answer(answer_raw);
  if (answer && ldns_pkt_get_rcode(answer.get()) != LDNS_RCODE_NOERROR) {
    char* rcode = ldns_pkt_rcode2str(ldns_pkt_get_rcode(answer.get()));
    const std::string name = rcode != nullptr ? rcode : "error";
    free(rcode);  // NOLINT
    return FailedPrecondition(what + ": " + name + ": " +
                              RcodeAdvice(ldns_pkt_get_rcode(answer.get()), config_));
  }
  if (sent == LDNS_STATUS_CRYPTO_TSIG_BOGUS) {
    return PermissionDenied(what + ": the answer's TSIG signature does not verify: the secret of " +
                            Quote(config_.tsig_key_name) + " differs from the server's");
  }
  if (sent != LDNS_STATUS_OK || !answer) {
    return Unavailable(what + ": " + ldns_get_errorstr_by_id(sent) +
                       ": check that the server is up and reachable");
  }
  return Status::Ok();
}

Status Rfc2136Solver::WaitForAuthoritative(const ChallengeTask& task) {
  const std::string record = "_acme-challenge." + Absolute(task.identifier);
  const std::string value = Dns01TxtValue(task.key_authorization);
  XCERT_ASSIGN_OR_RETURN(const std::vector<Endpoint> eps, Resolve(config_.server));
  std::vector<Endpoint> servers = AuthoritativeServers(eps.front(), config_.zone);
  if (servers.empty()) servers.push_back(eps.front());
  const auto deadline = std::chrono::steady_clock::now() + config_.propagation_timeout;
  for (;;) {
    std::vector<std::string> missing;
    for (const Endpoint& e : servers) {
      const auto values = Txt(e, record);
      if (!values.ok() || std::find(values->begin(), values->end(), value) == values->end()) {
        missing.push_back(ShowEndpoint(e));
      }
    }
    if (missing.empty()) return Status::Ok();
    if (std::chrono::steady_clock::now() + config_.propagation_interval > deadline) {
      return Unavailable("dns-01 for " + task.identifier + ": the TXT record " + record +
                         " is not served by " + QuotedList(missing) + " after " +
                         std::to_string(config_.propagation_timeout.count()) +
                         " s: check zone transfers to the secondary servers");
    }
    std::this_thread::sleep_for(config_.propagation_interval);
  }
}

Status Rfc2136Solver::Present(const ChallengeTask& task) {
  XCERT_RETURN_IF_ERROR(Update(task, /*add=*/true));
  return WaitForAuthoritative(task);
}

Status Rfc2136Solver::CleanUp(const ChallengeTask& task) { return Update(task, /*add=*/false); }

}  // namespace xcert::acme
