// Typed fields of a JSON document that xcert wrote and reads back (a saved
// plan, a drift report to merge), with the first problem kept as an error
// that names the file instead of nlohmann's exceptions:
//
//   JsonReader r(path + ": not a valid xcert plan: ");
//   int version = r.Get<int>(doc, "format_version");
//   if (!r.error().empty()) return InvalidArgument(r.error());
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace xcert {

class JsonReader {
 public:
  // `prefix` starts every error: "plan.json: not a valid xcert plan: ".
  explicit JsonReader(std::string prefix) : prefix_(std::move(prefix)) {}

  // obj[field] as T; `fallback` when it is absent, or (after Fail) when it
  // has another type.
  template <typename T>
  T Get(const nlohmann::json& obj, const char* field, const T& fallback = T()) {
    if (!obj.is_object() || !obj.contains(field)) return fallback;
    try {
      return obj.at(field).get<T>();
    } catch (const nlohmann::json::exception&) {
      Fail(std::string("field '") + field + "' has the wrong type");
      return fallback;
    }
  }
  // obj[field] when it is an array; an empty array (after Fail when it is
  // present with another type) otherwise.
  const nlohmann::json& Array(const nlohmann::json& obj, const char* field) {
    static const nlohmann::json kEmpty = nlohmann::json::array();
    if (!obj.is_object() || !obj.contains(field)) return kEmpty;
    if (!obj.at(field).is_array()) {
      Fail(std::string("field '") + field + "' is not a list");
      return kEmpty;
    }
    return obj.at(field);
  }
  void Fail(const std::string& what) {
    if (error_.empty()) error_ = prefix_ + what;
  }
  const std::string& error() const { return error_; }

 private:
  std::string prefix_;
  std::string error_;
};

}  // namespace xcert
