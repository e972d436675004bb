// A small HTTP/1.1 server on one thread: what xcert answers http-01
// challenges with when it runs standalone (standalone.h), and what the tests'
// fake ACME server is built on.
//
// One request per connection (the reply carries "Connection: close"),
// requests read with a 5 s deadline, request heads up to 16 KiB and bodies
// up to 1 MiB (larger ones get 413). Connections are served one after the
// other, so a handler needs no locking against itself; it runs on the
// responder's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/util/status.h"

namespace xcert::acme {

struct ServedRequest {
  std::string method;
  std::string target;                                        // path and query, as sent
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string Header(std::string_view name) const;
};

struct ServedReply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class HttpResponder {
 public:
  using Handler = std::function<ServedReply(const ServedRequest&)>;

  // Listens on `address` ("127.0.0.1:5002", "[::1]:80", ":80" for every
  // IPv4 and IPv6 address; port 0 picks a free port) and serves with `handler`
  // until destroyed. An address already in use is Unavailable naming it.
  static Result<std::unique_ptr<HttpResponder>> Start(const std::string& address, Handler handler);
  ~HttpResponder();
  HttpResponder(const HttpResponder&) = delete;
  HttpResponder& operator=(const HttpResponder&) = delete;

  uint16_t port() const { return port_; }

 private:
  HttpResponder(int listen_fd, int wake_read, int wake_write, uint16_t port, Handler handler);
  void Serve();
  void ServeOne(int fd);

  int listen_fd_;
  int wake_read_;
  int wake_write_;
  uint16_t port_;
  Handler handler_;
  struct Thread;
  std::unique_ptr<Thread> thread_;
};

// Splits "HOST:PORT", "[V6]:PORT" or ":PORT" (host "" means every address).
Result<std::pair<std::string, uint16_t>> SplitHostPort(std::string_view address);

}  // namespace xcert::acme
