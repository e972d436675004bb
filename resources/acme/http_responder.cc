#include "resources/acme/http_responder.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <thread>

#include <netinet/in.h>

#include "engine/util/strings.h"

namespace xcert::acme {

namespace {

constexpr size_t kMaxHead = 16 * 1024;
constexpr size_t kMaxBody = 1024 * 1024;
constexpr auto kReadDeadline = std::chrono::seconds(5);

const char* Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

void WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.remove_prefix(static_cast<size_t>(n));
  }
}

void Reply(int fd, const ServedReply& reply, bool head) {
  std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " " + Reason(reply.status) +
                    "\r\nContent-Length: " + std::to_string(reply.body.size()) +
                    "\r\nConnection: close\r\n";
  for (const auto& [k, v] : reply.headers) out += k + ": " + v + "\r\n";
  out += "\r\n";
  if (!head) out += reply.body;
  WriteAll(fd, out);
}

}  // namespace

std::string ServedRequest::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return "";
}

struct HttpResponder::Thread {
  std::thread t;
};

Result<std::pair<std::string, uint16_t>> SplitHostPort(std::string_view address) {
  std::string host;
  std::string_view port_text;
  if (address.starts_with("[")) {
    const size_t close = address.find(']');
    if (close == std::string_view::npos || close + 1 >= address.size() ||
        address[close + 1] != ':') {
      return InvalidArgument("'" + std::string(address) + "' is not [IPv6]:PORT");
    }
    host = address.substr(1, close - 1);
    port_text = address.substr(close + 2);
  } else {
    const size_t colon = address.rfind(':');
    if (colon == std::string_view::npos) {
      return InvalidArgument("'" + std::string(address) + "' is not ADDRESS:PORT");
    }
    host = address.substr(0, colon);
    port_text = address.substr(colon + 1);
  }
  unsigned port = 0;
  const auto [end, ec] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return InvalidArgument("'" + std::string(address) + "': the port must be 0 to 65535");
  }
  return std::make_pair(host, static_cast<uint16_t>(port));
}

Result<std::unique_ptr<HttpResponder>> HttpResponder::Start(const std::string& address,
                                                            Handler handler) {
  XCERT_ASSIGN_OR_RETURN(const auto host_port, SplitHostPort(address));
  const auto& [host, port] = host_port;
  addrinfo hints{};
  hints.ai_family = host.empty() ? AF_INET6 : AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port_text = std::to_string(port);
  if (::getaddrinfo(host.empty() ? nullptr : host.c_str(), port_text.c_str(), &hints, &found) !=
          0 ||
      found == nullptr) {
    return InvalidArgument("'" + address + "': the address must be a numeric IPv4 or IPv6 address");
  }
  const int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ::freeaddrinfo(found);
    return ErrnoStatus("socket for " + address, errno);
  }
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (found->ai_family == AF_INET6 && host.empty()) {
    const int zero = 0;  // ":PORT" serves IPv4 too
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  }
  const int bound = ::bind(fd, found->ai_addr, found->ai_addrlen);
  const int bind_errno = errno;
  ::freeaddrinfo(found);
  if (bound != 0 || ::listen(fd, 64) != 0) {
    ::close(fd);
    const int err = bound != 0 ? bind_errno : errno;
    return Unavailable("cannot listen on " + address + ": " + std::strerror(err) +
                       (err == EADDRINUSE ? ": stop the web server using that port, or use webroot"
                        : err == EACCES   ? ": ports below 1024 need root or CAP_NET_BIND_SERVICE"
                                          : ""));
  }
  sockaddr_storage bound_addr{};
  socklen_t len = sizeof bound_addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound_addr), &len);
  const uint16_t actual = bound_addr.ss_family == AF_INET6
                              ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound_addr)->sin6_port)
                              : ntohs(reinterpret_cast<sockaddr_in*>(&bound_addr)->sin_port);
  int wake[2];
  if (::pipe2(wake, O_CLOEXEC) != 0) {
    ::close(fd);
    return ErrnoStatus("pipe", errno);
  }
  std::unique_ptr<HttpResponder> r(
      new HttpResponder(fd, wake[0], wake[1], actual, std::move(handler)));
  r->thread_ = std::make_unique<Thread>();
  r->thread_->t = std::thread([p = r.get()] { p->Serve(); });
  return r;
}

HttpResponder::HttpResponder(int listen_fd, int wake_read, int wake_write, uint16_t port,
                             Handler handler)
    : listen_fd_(listen_fd),
      wake_read_(wake_read),
      wake_write_(wake_write),
      port_(port),
      handler_(std::move(handler)) {}

HttpResponder::~HttpResponder() {
  const char byte = 0;
  while (::write(wake_write_, &byte, 1) < 0 && errno == EINTR) {
  }
  if (thread_ && thread_->t.joinable()) thread_->t.join();
  ::close(listen_fd_);
  ::close(wake_read_);
  ::close(wake_write_);
}

void HttpResponder::Serve() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_read_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    ServeOne(fd);
    ::close(fd);
  }
}

void HttpResponder::ServeOne(int fd) {
  const auto deadline = std::chrono::steady_clock::now() + kReadDeadline;
  std::string data;
  size_t head_end = std::string::npos;
  size_t want = 0;
  ServedRequest request;
  for (;;) {
    if (head_end != std::string::npos && data.size() >= head_end + 4 + want) break;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    pollfd p[2] = {{fd, POLLIN, 0}, {wake_read_, POLLIN, 0}};
    if (::poll(p, 2, static_cast<int>(left.count())) <= 0) continue;
    if (p[1].revents != 0) return;
    char buf[8192];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data.append(buf, static_cast<size_t>(n));
    if (head_end == std::string::npos) {
      head_end = data.find("\r\n\r\n");
      if (head_end == std::string::npos) {
        if (data.size() > kMaxHead) return Reply(fd, {413, {}, ""}, false);
        continue;
      }
      const std::vector<std::string> lines =
          Split(std::string_view(data).substr(0, head_end), '\n');
      const std::vector<std::string> first = Split(Trim(lines[0]), ' ');
      if (first.size() != 3) return Reply(fd, {400, {}, ""}, false);
      request.method = first[0];
      request.target = first[1];
      for (size_t i = 1; i < lines.size(); ++i) {
        const std::string_view line = Trim(lines[i]);
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        request.headers.emplace_back(ToLower(Trim(line.substr(0, colon))),
                                     std::string(Trim(line.substr(colon + 1))));
      }
      const std::string length = request.Header("content-length");
      if (!length.empty()) {
        const auto [end, ec] = std::from_chars(length.data(), length.data() + length.size(), want);
        if (ec != std::errc() || end != length.data() + length.size()) {
          return Reply(fd, {400, {}, ""}, false);
        }
        if (want > kMaxBody) return Reply(fd, {413, {}, ""}, false);
      }
    }
  }
  request.body = data.substr(head_end + 4, want);
  Reply(fd, handler_(request), request.method == "HEAD");
}

}  // namespace xcert::acme
