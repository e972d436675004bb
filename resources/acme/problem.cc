#include "resources/acme/problem.h"

#include "engine/util/strings.h"

namespace xcert::acme {

namespace {

std::string StringMember(const nlohmann::json& j, const char* name) {
  const auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

Code CodeFor(const Problem& p) {
  const std::string t = p.ShortType();
  if (t == "rateLimited" || t == "serverInternal" || t == "badNonce") return Code::kUnavailable;
  if (t == "accountDoesNotExist") return Code::kNotFound;
  if (t == "unauthorized" || t == "incorrectResponse" || t == "connection" || t == "dns" ||
      t == "caa" || t == "tls" || t == "rejectedIdentifier" || t == "userActionRequired" ||
      t == "orderNotReady" || t == "alreadyRevoked") {
    return Code::kFailedPrecondition;
  }
  if (t == "badSignatureAlgorithm" || t == "badPublicKey") return Code::kInvalidArgument;
  if (p.status >= 500) return Code::kUnavailable;
  return Code::kInvalidArgument;
}

// Advice that does not depend on the challenge.
std::string TypeAdvice(const Problem& p) {
  const std::string t = p.ShortType();
  if (t == "externalAccountRequired") {
    return "this CA requires external account binding: set eab.keyId and eab.hmacKeyEnv from "
           "the CA's account page";
  }
  if (t == "unauthorized" && p.detail.find("xternal account") != std::string::npos) {
    return "check eab.keyId and the MAC key in eab.hmacKeyEnv against the CA's account page";
  }
  if (t == "userActionRequired") {
    return p.instance.empty() ? "visit the CA's website to accept its new terms"
                              : "visit " + p.instance + " and accept the CA's new terms";
  }
  if (t == "badCSR") return "the certificate request was refused; check the names and key type";
  if (t == "rejectedIdentifier") {
    return "the CA will not issue for this name; remove it from the certificate";
  }
  if (t == "caa") {
    return "the name's CAA records do not allow this CA: add a CAA record naming it";
  }
  if (t == "invalidProfile") {
    return "choose one of the profiles the directory lists (meta.profiles)";
  }
  return "";
}

}  // namespace

std::string Problem::ShortType() const {
  return type.starts_with(kErrorPrefix) ? type.substr(kErrorPrefix.size()) : type;
}

std::optional<Problem> ParseProblem(const nlohmann::json& body) {
  if (!body.is_object() || !body.contains("type") || !body["type"].is_string()) {
    return std::nullopt;
  }
  Problem p;
  p.type = body["type"].get<std::string>();
  p.detail = StringMember(body, "detail");
  p.instance = StringMember(body, "instance");
  if (body.contains("status") && body["status"].is_number_integer()) {
    p.status = body["status"].get<int>();
  }
  if (body.contains("subproblems") && body["subproblems"].is_array()) {
    for (const nlohmann::json& s : body["subproblems"]) {
      if (!s.is_object()) continue;
      Subproblem sub{StringMember(s, "type"), StringMember(s, "detail"), ""};
      if (s.contains("identifier") && s["identifier"].is_object()) {
        sub.identifier = StringMember(s["identifier"], "value");
      }
      p.subproblems.push_back(std::move(sub));
    }
  }
  return p;
}

std::optional<Problem> ParseProblem(std::string_view body) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return ParseProblem(j);
}

std::string ChallengeAdvice(std::string_view challenge_type, std::string_view identifier,
                            std::string_view token, const Problem& problem) {
  const std::string t = problem.ShortType();
  const std::string name(identifier);
  if (challenge_type == "http-01" &&
      (t == "unauthorized" || t == "incorrectResponse" || t == "connection" || t == "tls")) {
    return "token not served at http://" + name + "/.well-known/acme-challenge/" +
           std::string(token) + ": make port 80 of " + name +
           " reach the server that answers the challenge (webroot or standalone)";
  }
  if (challenge_type == "http-01" && t == "dns") {
    return name + " does not resolve in public DNS: add an A or AAAA record for it";
  }
  if (challenge_type == "dns-01" &&
      (t == "unauthorized" || t == "incorrectResponse" || t == "dns")) {
    return "the TXT record _acme-challenge." + name +
           " was not seen by the CA: check that every authoritative server of the zone serves "
           "it (a CNAME to another zone needs that zone updated)";
  }
  return TypeAdvice(problem);
}

Status ProblemStatus(const Problem& problem, std::string_view context, std::string_view advice) {
  std::string message(context);
  message += ": ";
  message += problem.detail.empty() ? "the ACME server refused the request" : problem.detail;
  message += " (" + problem.ShortType() + ")";
  for (const Subproblem& s : problem.subproblems) {
    message += "\n  " + (s.identifier.empty() ? std::string("(no identifier)") : s.identifier) +
               ": " + (s.detail.empty() ? "refused" : s.detail) + " (" +
               Problem{s.type, "", 0, "", {}}.ShortType() + ")";
  }
  const std::string extra = advice.empty() ? TypeAdvice(problem) : std::string(advice);
  if (!extra.empty()) message += "; " + extra;
  return Status(CodeFor(problem), message);
}

}  // namespace xcert::acme
