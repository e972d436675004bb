// libFuzzer target for the MS-NRBF (.NET BinaryFormatter) decoder
// (resources/exchange/nrbf.h), plain and "#sig#"-framed. See fuzz/README.md.
//
// Beyond "never crashes, never reads out of bounds, no undefined behaviour,
// bounded memory" it checks the decoder's contract on every input that
// decodes: the root exists, and every object reference in a member or an
// array element names an object of the graph. The typed accessors readers
// use are exercised on every object.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "resources/exchange/nrbf.h"

namespace {

namespace nrbf = xcert::exchange::nrbf;

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "nrbf_fuzzer: %s\n", what.c_str());
  std::abort();
}

void CheckValue(const nrbf::Graph& g, const nrbf::Value& v, int32_t in) {
  if (v.kind == nrbf::Value::Kind::kObject && !g.Find(v.object_id)) {
    Fail("object " + std::to_string(in) + " refers to missing object " +
         std::to_string(v.object_id));
  }
  if (v.kind == nrbf::Value::Kind::kObject && g.Deref(v) == nullptr) Fail("Deref failed");
  (void)v.AsBool();
  (void)v.AsInt64();
}

void CheckGraph(const nrbf::Graph& g) {
  if (!g.Find(g.root_id)) Fail("the root " + std::to_string(g.root_id) + " is missing");
  (void)g.root();
  for (const auto& [id, o] : g.objects) {
    if (o.id != id) Fail("object filed under the wrong id");
    if (o.kind == nrbf::ObjectKind::kClass) {
      if (!o.class_info) Fail("class object without class info");
      if (o.members.size() != o.class_info->member_names.size()) {
        Fail("members do not match the class's member names");
      }
      for (const std::string& name : o.class_info->member_names) {
        (void)o.Member(name);
        (void)g.StringMember(o, name);
        (void)g.BytesMember(o, name);
        (void)g.BoolMember(o, name);
        (void)g.IntegerMember(o, name);
      }
      (void)g.ListItems(o);
    }
    for (const nrbf::Value& v : o.members) CheckValue(g, v, id);
    for (const nrbf::Value& v : o.elements) CheckValue(g, v, id);
  }
  (void)nrbf::DebugString(g);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view blob(reinterpret_cast<const char*>(data), size);
  const xcert::Result<nrbf::Graph> g = nrbf::Decode(blob);
  if (g.ok()) {
    CheckGraph(*g);
  } else if (g.status().message().empty()) {
    Fail("an error without a message");
  }
  // The payload alone, as if it came without the signed framing.
  if (const auto plain = nrbf::DecodePayload(blob); plain.ok()) CheckGraph(*plain);
  return 0;
}
