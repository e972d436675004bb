// A bounds-checked decoder for .NET BinaryFormatter streams ([MS-NRBF]), as
// found in the `SerializationData` member of Exchange objects recorded with
// Export-Clixml (reference/exchange.md §1.4).
//
// The decoder turns a stream into a generic object graph: every object record
// (class instance, string, array) becomes an Object keyed by its object id,
// and member or element values are primitives, null, or references to other
// objects by id. References are checked: after a successful Decode every
// Value of kind kObject names an object in the graph, and the root exists.
//
// Supported records: SerializedStreamHeader, BinaryLibrary, ClassWithId,
// SystemClassWithMembers, ClassWithMembers, SystemClassWithMembersAndTypes,
// ClassWithMembersAndTypes, BinaryObjectString, BinaryArray (single, jagged,
// rectangular, with or without lower bounds), ArraySinglePrimitive,
// ArraySingleObject, ArraySingleString, MemberPrimitiveTyped,
// MemberReference, ObjectNull, ObjectNullMultiple, ObjectNullMultiple256 and
// MessageEnd. Remoting records (MethodCall, MethodReturn) are refused.
//
// Two framings are accepted: the plain stream, and Exchange's signed variant
// "#sig#" + int32 little-endian payload length + payload + 32-byte trailer
// (the trailer is kept, not verified: its algorithm is not documented).
//
// Malformed input never reads out of bounds and never crashes: it returns an
// error naming the byte offset and what was expected. Limits that keep hostile
// input from exhausting memory or stack: nesting of inline records at most
// kMaxDepth, and at most kMaxArrayElements array elements in one stream
// (byte arrays are stored as bytes and are bounded by the input size).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"

namespace xcert::exchange::nrbf {

inline constexpr int kMaxDepth = 64;
inline constexpr size_t kMaxArrayElements = size_t{1} << 20;

// [MS-NRBF] 2.1.2.3 PrimitiveTypeEnumeration.
enum class PrimitiveType : uint8_t {
  kBoolean = 1,
  kByte = 2,
  kChar = 3,
  kDecimal = 5,
  kDouble = 6,
  kInt16 = 7,
  kInt32 = 8,
  kInt64 = 9,
  kSByte = 10,
  kSingle = 11,
  kTimeSpan = 12,
  kDateTime = 13,
  kUInt16 = 14,
  kUInt32 = 15,
  kUInt64 = 16,
  kNull = 17,
  kString = 18,
};
// "Boolean", "Int32", ... as .NET names them.
std::string_view PrimitiveTypeName(PrimitiveType t);

// [MS-NRBF] 2.1.2.2 BinaryTypeEnumeration: how a member or element is stored.
enum class BinaryType : uint8_t {
  kPrimitive = 0,
  kString = 1,
  kObject = 2,
  kSystemClass = 3,
  kClass = 4,
  kObjectArray = 5,
  kStringArray = 6,
  kPrimitiveArray = 7,
};

// The declared type of a member or of array elements.
struct MemberType {
  BinaryType binary_type = BinaryType::kObject;
  PrimitiveType primitive = PrimitiveType::kNull;  // kPrimitive and kPrimitiveArray
  std::string class_name;                          // kSystemClass and kClass
};

// The metadata a class record declares; ClassWithId records reuse it.
struct ClassInfo {
  int32_t metadata_id = 0;  // object id of the record that declared it
  std::string name;         // e.g. "System.Collections.Generic.List`1[[...]]"
  std::string library;      // assembly name; "" for system (mscorlib) classes
  std::vector<std::string> member_names;
  std::vector<MemberType> member_types;  // same length; kObject for untyped records
};

// A member or array element.
struct Value {
  enum class Kind : uint8_t { kNull, kPrimitive, kObject };

  Kind kind = Kind::kNull;
  PrimitiveType type = PrimitiveType::kNull;  // kPrimitive
  int64_t integer = 0;  // Boolean (0/1), integer types, TimeSpan ticks, DateTime raw 64 bits
  uint64_t unsigned_integer = 0;  // the same bits, for UInt64 values above INT64_MAX
  double number = 0;              // Single, Double
  std::string text;               // Char (UTF-8), Decimal (as written)
  int32_t object_id = 0;          // kObject: key in Graph::objects

  bool is_null() const { return kind == Kind::kNull; }
  // Boolean values only.
  std::optional<bool> AsBool() const;
  // Integer types (Byte ... UInt64) that fit in int64_t; nullopt otherwise.
  std::optional<int64_t> AsInt64() const;
};

enum class ObjectKind : uint8_t { kClass, kString, kArray };

struct Object {
  ObjectKind kind = ObjectKind::kClass;
  int32_t id = 0;

  // kClass
  std::shared_ptr<const ClassInfo> class_info;
  std::vector<Value> members;  // parallel to class_info->member_names

  // kString
  std::string string_value;

  // kArray: element type, dimensions, then the elements in row-major order.
  // Byte arrays keep their elements in `bytes`; all others in `elements`.
  MemberType element_type;
  std::vector<int32_t> lengths;
  std::string bytes;
  std::vector<Value> elements;

  // The class name ("" unless kClass).
  const std::string& class_name() const;
  // The member called `name` (exact match), or nullptr.
  const Value* Member(std::string_view name) const;
};

struct Graph {
  int32_t root_id = 0;
  bool signed_payload = false;  // came in the "#sig#" framing
  std::string signature;        // the 32-byte trailer of a signed payload
  std::map<int32_t, Object> objects;

  // The root object; always present in a decoded graph.
  const Object& root() const { return objects.at(root_id); }
  // The object with this id, or nullptr.
  const Object* Find(int32_t id) const;
  // The object `v` refers to, or nullptr for null and primitive values.
  const Object* Deref(const Value& v) const;

  // Typed member access for readers of known classes. Each returns nullptr /
  // nullopt when the member is absent, null, or of another shape.
  const std::string* StringMember(const Object& o, std::string_view name) const;
  const std::string* BytesMember(const Object& o, std::string_view name) const;
  std::optional<bool> BoolMember(const Object& o, std::string_view name) const;
  // An integer member, or an enum member (a boxed enum is a class whose only
  // member is `value__`).
  std::optional<int64_t> IntegerMember(const Object& o, std::string_view name) const;
  // The items of a serialized System.Collections.Generic.List`1 (the first
  // `_size` elements of `_items`), or nullopt if `list` is not shaped so.
  std::optional<std::vector<Value>> ListItems(const Object& list) const;
};

// Decodes a plain or signed blob.
Result<Graph> Decode(std::string_view blob);

// Decodes a plain NRBF stream (no "#sig#" framing).
Result<Graph> DecodePayload(std::string_view payload);

// Splits the signed framing: on success returns the NRBF payload and, in
// `trailer`, the 32 bytes after it. Errors if `blob` does not start with
// "#sig#" or its lengths do not add up.
Result<std::string_view> UnwrapSigned(std::string_view blob, std::string* trailer);

// One line per object in id order, for tests and diagnostics:
//   root #1
//   #1 class Foo [Lib]: a = 1 (Int32), b = #2, c = null
//   #2 string "hello"
//   #3 Byte[4] 0a0b0c0d
std::string DebugString(const Graph& graph);

}  // namespace xcert::exchange::nrbf
