// Errors as values. Every fallible function across a module boundary returns
// Status or Result<T>; exceptions thrown by libraries (yaml-cpp, nlohmann-json)
// are caught at the boundary that calls them and converted here.
//
// A Status message is written for the user: it says where (file:line:col,
// server/thumbprint or a path) and what to do. Callers add context with
// Status::WithContext("loading store /srv/store: ...").
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace xcert {

enum class Code {
  kOk = 0,
  kInvalidArgument,     // bad input from the user (manifest, flags, files)
  kNotFound,            // a thing that was asked for does not exist
  kAlreadyExists,       // e.g. Import of a thumbprint already in the store
  kFailedPrecondition,  // a rule refuses the operation (bound certificate, ...)
  kPermissionDenied,    // file modes, refused authentication
  kUnavailable,         // lock held, transport down, timeout
  kDataLoss,            // damaged or foreign file
  kAborted,             // stale plan, user declined
  kIo,                  // operating-system error
  kInternal,            // a bug in xcert
};

// Short lower-case name of a code ("invalid argument"), for logs and JSON.
const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "context: message".
  Status WithContext(const std::string& context) const;

  // "message" for errors, "OK" otherwise.
  std::string ToString() const;

  bool operator==(const Status&) const = default;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {Code::kFailedPrecondition, std::move(m)};
}
inline Status PermissionDenied(std::string m) { return {Code::kPermissionDenied, std::move(m)}; }
inline Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
inline Status DataLoss(std::string m) { return {Code::kDataLoss, std::move(m)}; }
inline Status Aborted(std::string m) { return {Code::kAborted, std::move(m)}; }
inline Status IoError(std::string m) { return {Code::kIo, std::move(m)}; }
inline Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

// Status from errno after a failed system call: "what: strerror(errno)".
Status ErrnoStatus(const std::string& what, int err);

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    if (std::get<Status>(v_).ok()) v_ = Status(Code::kInternal, "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  // REQUIRES: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace xcert

#define XCERT_CONCAT_INNER(a, b) a##b
#define XCERT_CONCAT(a, b) XCERT_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function if `expr` is not OK.
#define XCERT_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::xcert::Status xcert_status_ = (expr);        \
    if (!xcert_status_.ok()) return xcert_status_; \
  } while (0)

// `XCERT_ASSIGN_OR_RETURN(auto x, F());` declares x from a Result or returns its Status.
#define XCERT_ASSIGN_OR_RETURN(lhs, expr) \
  XCERT_ASSIGN_OR_RETURN_IMPL(XCERT_CONCAT(xcert_result_, __LINE__), lhs, expr)
#define XCERT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
