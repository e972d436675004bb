#include "resources/acme/http.h"

#include <mutex>

#include <curl/curl.h>

#include "engine/util/strings.h"

namespace xcert::acme {

namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// Collects "Name: value" lines; a new status line (a 1xx answer before the
// final one) starts the list again.
size_t WriteHeader(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<std::vector<std::pair<std::string, std::string>>*>(user);
  const std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    headers->clear();
    return size * n;
  }
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    headers->emplace_back(ToLower(Trim(line.substr(0, colon))),
                          std::string(Trim(line.substr(colon + 1))));
  }
  return size * n;
}

// What to do about a transport error, for the message.
std::string Advice(CURLcode code, const std::string& ca_bundle) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST: return "check the host name in the directory URL";
    case CURLE_COULDNT_CONNECT:
      return "check the directory URL, that the ACME server is up, and the network (proxy, "
             "firewall)";
    case CURLE_OPERATION_TIMEDOUT: return "the server did not answer in time; try again later";
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
      return ca_bundle.empty()
                 ? "the server's certificate is not trusted: for a private ACME server give "
                   "its CA in caBundle"
                 : "the server's certificate does not chain to caBundle " + ca_bundle +
                       ": give the CA that issued the ACME server's certificate";
    default: return "check the directory URL and the network";
  }
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return "";
}

std::vector<std::string> HttpResponse::Headers(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) out.push_back(v);
  }
  return out;
}

struct HttpClient::Pool {
  std::mutex mu;
  std::vector<CURL*> idle;
  ~Pool() {
    for (CURL* c : idle) curl_easy_cleanup(c);
  }
  CURL* Take() {
    {
      std::lock_guard lock(mu);
      if (!idle.empty()) {
        CURL* c = idle.back();
        idle.pop_back();
        return c;
      }
    }
    return curl_easy_init();
  }
  void Give(CURL* c) {
    std::lock_guard lock(mu);
    if (idle.size() < 8) {
      idle.push_back(c);
    } else {
      curl_easy_cleanup(c);
    }
  }
};

HttpClient::HttpClient(HttpOptions options)
    : options_(std::move(options)), pool_(std::make_unique<Pool>()) {
  GlobalInit();
}

HttpClient::~HttpClient() = default;

Result<HttpResponse> HttpClient::Send(std::string_view method, const std::string& url,
                                      std::string_view body, std::string_view content_type) const {
  CURL* curl = pool_->Take();
  if (curl == nullptr) return Internal("libcurl could not create a handle");
  curl_easy_reset(curl);
  HttpResponse response;
  char error[CURL_ERROR_SIZE] = {};
  struct curl_slist* headers = nullptr;
  // Expect: 100-continue would add a round trip to every POST for nothing.
  headers = curl_slist_append(headers, "Expect:");
  std::string ct;
  if (!content_type.empty()) {
    ct = "Content-Type: " + std::string(content_type);
    headers = curl_slist_append(headers, ct.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, static_cast<long>(options_.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options_.ca_bundle.empty())
    curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_bundle.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  if (method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  } else if (method != "GET") {
    curl_slist_free_all(headers);
    pool_->Give(curl);
    return Internal("unsupported HTTP method " + std::string(method));
  }
  const CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_slist_free_all(headers);
  pool_->Give(curl);
  if (code != CURLE_OK) {
    const std::string reason = error[0] != '\0' ? error : curl_easy_strerror(code);
    return Unavailable(std::string(method) + " " + url + " failed: " + reason + ": " +
                       Advice(code, options_.ca_bundle));
  }
  return response;
}

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value, TimePoint now) {
  const std::string v(Trim(value));
  if (v.empty()) return std::nullopt;
  if (v.find_first_not_of("0123456789") == std::string::npos) {
    if (v.size() > 9) return std::chrono::seconds(999999999);
    return std::chrono::seconds(std::stoll(v));
  }
  const time_t when = curl_getdate(v.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  const auto delta = std::chrono::seconds(when) - now.time_since_epoch();
  return delta.count() > 0 ? delta : std::chrono::seconds(0);
}

std::vector<Link> ParseLinks(const std::vector<std::string>& values, const std::string& base_url) {
  std::vector<Link> links;
  for (const std::string& value : values) {
    // A header may hold several comma-separated links; a comma inside <...>
    // belongs to the URL.
    size_t pos = 0;
    while (pos < value.size()) {
      const size_t lt = value.find('<', pos);
      if (lt == std::string::npos) break;
      const size_t gt = value.find('>', lt);
      if (gt == std::string::npos) break;
      Link link;
      const std::string target = value.substr(lt + 1, gt - lt - 1);
      size_t end = value.find('<', gt);
      const std::string params =
          value.substr(gt + 1, end == std::string::npos ? end : end - gt - 1);
      for (const std::string& param : Split(params, ';')) {
        const std::string_view p = Trim(param);
        const size_t eq = p.find('=');
        if (eq == std::string_view::npos) continue;
        if (!EqualsIgnoreCase(Trim(p.substr(0, eq)), "rel")) continue;
        std::string_view rel = Trim(p.substr(eq + 1));
        while (!rel.empty() && (rel.back() == ',' || rel.back() == ' ')) rel.remove_suffix(1);
        if (rel.size() >= 2 && rel.front() == '"' && rel.back() == '"') {
          rel = rel.substr(1, rel.size() - 2);
        }
        link.rel = ToLower(rel);
      }
      CURLU* u = curl_url();
      char* resolved = nullptr;
      if (u != nullptr && curl_url_set(u, CURLUPART_URL, base_url.c_str(), 0) == CURLUE_OK &&
          curl_url_set(u, CURLUPART_URL, target.c_str(), 0) == CURLUE_OK &&
          curl_url_get(u, CURLUPART_URL, &resolved, 0) == CURLUE_OK) {
        link.url = resolved;
      } else {
        link.url = target;
      }
      curl_free(resolved);
      curl_url_cleanup(u);
      links.push_back(std::move(link));
      pos = end == std::string::npos ? value.size() : end;
    }
  }
  return links;
}

bool IsLoopbackHttpUrl(std::string_view url) {
  if (!url.starts_with("http://")) return false;
  std::string_view rest = url.substr(7);
  const size_t at = rest.find('@');
  if (at != std::string_view::npos && at < rest.find('/')) return false;
  if (rest.starts_with("[::1]")) return true;
  const size_t end = rest.find_first_of(":/");
  const std::string host = ToLower(rest.substr(0, end));
  return host == "localhost" ||
         (host.starts_with("127.") && host.find_first_not_of("0123456789.") == std::string::npos);
}

}  // namespace xcert::acme
