// Pretty-printed JSON written straight into a string: byte for byte what
// nlohmann::ordered_json::dump(2) prints for the same document, without
// building the document first. Building, dumping and freeing an nlohmann
// document of a 10,000-step plan (or of a 10,000-certificate `show`) took
// several times as long as making the plan; this writer only appends.
//
//   JsonWriter w(&out);
//   w.BeginObject();
//   w.Key("id"); w.Int(1);
//   w.Key("names"); w.BeginArray(); w.String("a"); w.EndArray();
//   w.EndObject();
//
// Strings are escaped as nlohmann escapes them with ensure_ascii off; a string
// that is not valid UTF-8 throws nlohmann's type_error 316, as dump() does.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/util/strings.h"

namespace xcert {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }

  // The name of the next member of the enclosing object.
  void Key(std::string_view key) {
    Level& level = levels_.back();
    out_->append(level.count++ == 0 ? "\n" : ",\n");
    Indent(levels_.size());
    AppendQuoted(key);
    out_->append(": ");
    key_pending_ = true;
  }

  void String(std::string_view value) {
    BeforeValue();
    AppendQuoted(value);
  }
  void Int(long long value) {
    BeforeValue();
    AppendNumber(value);
  }
  void Uint(unsigned long long value) {
    BeforeValue();
    AppendNumber(value);
  }
  void Bool(bool value) {
    BeforeValue();
    out_->append(value ? "true" : "false");
  }
  void Null() {
    BeforeValue();
    out_->append("null");
  }
  void Strings(const std::vector<std::string>& values) {
    BeginArray();
    for (const std::string& v : values) String(v);
    EndArray();
  }
  void Ints(const std::vector<int>& values) {
    BeginArray();
    for (int v : values) Int(v);
    EndArray();
  }
  // An object of string members, in the map's order.
  void StringMap(const std::map<std::string, std::string>& values) {
    BeginObject();
    for (const auto& [k, v] : values) Field(k, v);
    EndObject();
  }

  // Key + value.
  void Field(std::string_view key, std::string_view value) {
    Key(key);
    String(value);
  }
  void Field(std::string_view key, const char* value) { Field(key, std::string_view(value)); }
  void Field(std::string_view key, const std::string& value) {
    Field(key, std::string_view(value));
  }
  void Field(std::string_view key, bool value) {
    Key(key);
    Bool(value);
  }
  void Field(std::string_view key, int value) {
    Key(key);
    Int(value);
  }
  void Field(std::string_view key, long long value) {
    Key(key);
    Int(value);
  }
  void Field(std::string_view key, long value) {
    Key(key);
    Int(value);
  }
  void Field(std::string_view key, unsigned long value) {
    Key(key);
    Uint(value);
  }
  void Field(std::string_view key, unsigned long long value) {
    Key(key);
    Uint(value);
  }

 private:
  struct Level {
    size_t count = 0;  // values written so far
  };

  void BeforeValue() {
    if (key_pending_) {
      key_pending_ = false;
      return;
    }
    if (levels_.empty()) return;  // the top-level value
    Level& level = levels_.back();
    out_->append(level.count++ == 0 ? "\n" : ",\n");
    Indent(levels_.size());
  }

  void Open(char c) {
    BeforeValue();
    out_->push_back(c);
    levels_.push_back({});
  }

  void Close(char c) {
    const size_t count = levels_.back().count;
    levels_.pop_back();
    if (count > 0) {
      out_->push_back('\n');
      Indent(levels_.size());
    }
    out_->push_back(c);
  }

  void Indent(size_t depth) { out_->append(2 * depth, ' '); }

  template <typename T>
  void AppendNumber(T value) {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, value);
    out_->append(buf, r.ptr);
  }

  void AppendQuoted(std::string_view s) {
    // One pass decides: most strings (names, thumbprints, dates) need no
    // escaping and are copied whole.
    bool plain = true, ascii = true;
    for (char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      ascii &= c < 0x80;
      plain &= c >= 0x20 && c != '"' && c != '\\';
    }
    if (!ascii && !IsValidUtf8(s)) {  // nlohmann's type_error 316, as dump() throws
      out_->append(nlohmann::ordered_json(std::string(s)).dump());
      return;
    }
    out_->push_back('"');
    if (plain) {
      out_->append(s);
    } else {
      for (char ch : s) AppendEscaped(ch);
    }
    out_->push_back('"');
  }

  void AppendEscaped(char ch) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '\b': out_->append("\\b"); break;
      case '\t': out_->append("\\t"); break;
      case '\n': out_->append("\\n"); break;
      case '\f': out_->append("\\f"); break;
      case '\r': out_->append("\\r"); break;
      case '"': out_->append("\\\""); break;
      case '\\': out_->append("\\\\"); break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out_->append(buf);
        } else {
          out_->push_back(ch);  // UTF-8 bytes go out as they are (ensure_ascii off)
        }
    }
  }

  std::string* out_;
  std::vector<Level> levels_;
  bool key_pending_ = false;
};

}  // namespace xcert
