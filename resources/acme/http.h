// The HTTP client the ACME client talks through (libcurl), and the parsers
// for the response headers ACME relies on (Retry-After, Link).
//
// HttpClient is thread-safe: it keeps a small pool of libcurl handles, so a
// request from any thread reuses a kept-alive connection when one is free.
// TLS is always verified: against the system store, or only against
// `ca_bundle` when one is given (a private ACME server: step-ca, Pebble).
// Redirects are not followed (ACME does not use them).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/util/status.h"
#include "engine/util/time.h"

namespace xcert::acme {

struct HttpResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
  std::string body;

  // The first value of header `name` (case-insensitive), or "".
  std::string Header(std::string_view name) const;
  // Every value of header `name`, in order.
  std::vector<std::string> Headers(std::string_view name) const;
};

struct HttpOptions {
  std::string ca_bundle;  // PEM file of trusted CAs; empty: the system store
  std::chrono::seconds timeout{30};
  std::string user_agent = "xcert-acme/1";
};

class HttpClient {
 public:
  explicit HttpClient(HttpOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `method` is GET, HEAD or POST. A transport failure (refused, timeout,
  // TLS) is Unavailable naming the URL and what to check; any HTTP status is
  // a response, not an error.
  Result<HttpResponse> Send(std::string_view method, const std::string& url,
                            std::string_view body = {}, std::string_view content_type = {}) const;

 private:
  struct Pool;
  HttpOptions options_;
  std::unique_ptr<Pool> pool_;
};

// The wait a Retry-After value asks for (RFC 9110 §10.2.3: delta-seconds or
// an HTTP-date), never negative; nullopt when absent or unreadable.
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value, TimePoint now);

struct Link {
  std::string url;  // resolved against the request URL
  std::string rel;
};
// The links of every Link header value (RFC 8288), relative references
// resolved against `base_url`.
std::vector<Link> ParseLinks(const std::vector<std::string>& values, const std::string& base_url);

// Whether `url` is http:// (not https://) to a loopback host (127.0.0.0/8,
// localhost, [::1]): the only plain-HTTP ACME servers xcert talks to (tests).
bool IsLoopbackHttpUrl(std::string_view url);

}  // namespace xcert::acme
