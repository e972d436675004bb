// libFuzzer target for the CliXml reader (resources/exchange/clixml.h) and,
// through it, the MS-NRBF decoder on every <BA> it yields. See fuzz/README.md.
//
// Beyond "never crashes, no undefined behaviour, bounded stack" it checks the
// reader's contract on every document it accepts: primitives were checked
// against their type, so the accessor of a value's own type never fails;
// <Ref>s resolve to objects of the document (cycles included).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "resources/exchange/clixml.h"
#include "resources/exchange/nrbf.h"

namespace {

using xcert::exchange::PsObject;
using xcert::exchange::PsType;
using xcert::exchange::PsValue;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "clixml_fuzzer: %s\n", what.c_str());
  std::abort();
}

class Walker {
 public:
  void Value(const PsValue& v) {
    switch (v.type) {
      case PsType::kString:
        if (!v.AsString()) Fail("S without AsString");
        break;
      case PsType::kBool:
        if (!v.AsBool()) Fail("B '" + v.text + "' without AsBool");
        break;
      case PsType::kDateTime:
        if (!v.AsTime()) Fail("DT '" + v.text + "' without AsTime");
        break;
      case PsType::kSingle:
      case PsType::kDouble:
      case PsType::kDecimal:
        if (!v.AsDouble()) Fail("number '" + v.text + "' without AsDouble");
        break;
      case PsType::kByte:
      case PsType::kSByte:
      case PsType::kUInt16:
      case PsType::kInt16:
      case PsType::kUInt32:
      case PsType::kInt32:
      case PsType::kInt64:
      case PsType::kChar:
        if (!v.AsInt64()) Fail("integer '" + v.text + "' without AsInt64");
        break;
      case PsType::kBytes:
        if (!v.AsBytes()) Fail("BA without AsBytes");
        (void)xcert::exchange::nrbf::Decode(v.text);
        break;
      case PsType::kObject:
        if (!v.object) Fail("object value without an object");
        Object(*v.object);
        break;
      default: (void)v.AsInt64(); break;
    }
    (void)v.AsText();
  }

 private:
  void Object(const PsObject& o) {
    if (!seen_.insert(&o).second) return;  // <Ref> cycles
    (void)o.type();
    (void)o.types();
    if (o.value) Value(*o.value);
    for (const auto& m : o.properties) {
      if (o.Find(m.name) == nullptr) Fail("property '" + m.name + "' not found by name");
      (void)o.FindText(m.name);
      (void)o.FindBool(m.name);
      Value(m.value);
    }
    for (const auto& m : o.extended) Value(m.value);
    for (const PsValue& v : o.items) Value(v);
    for (const auto& [k, v] : o.entries) {
      Value(k);
      Value(v);
    }
  }
  std::set<const PsObject*> seen_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  xcert::Result<xcert::exchange::PsDocument> doc = xcert::exchange::ParseClixml(text, "fuzz.xml");
  if (!doc.ok()) {
    if (doc.status().message().rfind("fuzz.xml", 0) != 0) {
      Fail("an error that does not name the source: " + doc.status().message());
    }
    return 0;
  }
  Walker w;
  for (const PsValue& v : doc->values()) w.Value(v);
  return 0;
}
