// Reading PowerShell CliXml ([MS-PSRP] 2.2.5), the format of Export-Clixml
// and of remote PowerShell output:
//
//   <Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">
//     <Obj RefId="0">
//       <TN RefId="0"><T>Some.Type</T><T>System.Object</T></TN>
//       <ToString>text</ToString>
//       <Props><S N="Name">value</S> ...</Props>      adapted properties
//       <MS><BA N="SerializationData">...</BA></MS>    extended members
//       <LST>/<IE>/<STK>/<QUE>/<DCT> ...               collection content
//     </Obj>
//   </Objs>
//
// The reader turns a file into a PsDocument: a list of top-level PsValues.
// Type names are resolved (<TNRef> to the <TN> it names), <Ref> elements
// resolve to the object they name, strings are decoded (XML entities and the
// CliXml `_xHHHH_` escapes), <BA> is base64-decoded and every primitive is
// checked against its type, so readers of known objects can trust what they
// get. Accepted encodings: UTF-8 with or without BOM, and UTF-16 with a BOM
// (what Windows PowerShell 5.1's Export-Clixml writes by default).
//
// Errors name the source and where: "FILE:LINE: malformed XML: ..." for
// XML syntax, and "FILE: object 3/Fqdn/Domain: ..." (the path of member names
// from the top-level object) for content that is not valid CliXml.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/util/status.h"
#include "engine/util/time.h"

namespace xcert::exchange {

// XML nesting deeper than this is refused before parsing (protects the
// recursive parser's stack from hostile input; real files nest < 50 levels).
inline constexpr int kMaxClixmlDepth = 400;

// The CliXml element a value came from.
enum class PsType : uint8_t {
  kNil,           // Nil
  kString,        // S
  kChar,          // C (a UTF-16 code unit as a number)
  kBool,          // B
  kDateTime,      // DT
  kDuration,      // TS (xs:duration)
  kByte,          // By
  kSByte,         // SB
  kUInt16,        // U16
  kInt16,         // I16
  kUInt32,        // U32
  kInt32,         // I32
  kUInt64,        // U64
  kInt64,         // I64
  kSingle,        // Sg
  kDouble,        // Db
  kDecimal,       // D
  kBytes,         // BA
  kGuid,          // G
  kUri,           // URI
  kVersion,       // Version
  kXmlDocument,   // XD
  kScriptBlock,   // SBK
  kSecureString,  // SS (kept encrypted, as base64 text)
  kObject,        // Obj or Ref
};

struct PsObject;

// One value. Primitives keep their text; accessors parse it (the reader has
// already checked that it parses, so they fail only on a type mismatch).
// An object value points into the PsDocument that owns the object: it is
// valid as long as that document lives.
struct PsValue {
  PsType type = PsType::kNil;
  // kString, kUri, kXmlDocument, kScriptBlock: the decoded text. kBytes: the
  // decoded bytes. Other primitives: the element text as written.
  std::string text;
  const PsObject* object = nullptr;  // kObject

  bool is_nil() const { return type == PsType::kNil; }
  // kString only.
  const std::string* AsString() const;
  // Text for display and for reading string-like members: the text of
  // strings and other primitives, an object's <ToString>; nullopt for Nil
  // and for objects without <ToString>.
  std::optional<std::string> AsText() const;
  // kBool.
  std::optional<bool> AsBool() const;
  // Any integer type (and kChar) whose value fits in int64_t.
  std::optional<int64_t> AsInt64() const;
  // kSingle, kDouble, kDecimal.
  std::optional<double> AsDouble() const;
  // kDateTime, as UTC (see ParseClixmlDateTime).
  std::optional<TimePoint> AsTime() const;
  // kBytes.
  const std::string* AsBytes() const;
};

struct PsMember {
  std::string name;
  PsValue value;
};

enum class PsCollection : uint8_t { kNone, kList, kEnumerable, kStack, kQueue, kDictionary };

struct PsObject {
  std::string ref_id;
  // <TN>, most derived first; "Deserialized." prefixes kept as written.
  std::shared_ptr<const std::vector<std::string>> type_names;
  std::optional<std::string> to_string;
  // The primitive an object wraps, e.g. an enum's <I32>2</I32>.
  std::optional<PsValue> value;
  std::vector<PsMember> properties;  // <Props>
  std::vector<PsMember> extended;    // <MS>
  PsCollection collection = PsCollection::kNone;
  std::vector<PsValue> items;                        // LST, IE, STK, QUE
  std::vector<std::pair<PsValue, PsValue>> entries;  // DCT: key, value

  const std::vector<std::string>& types() const;
  // Whether the type names include `type_name`, or "Deserialized." + it.
  bool IsA(std::string_view type_name) const;
  // The first type name, or "" if the object has none.
  const std::string& type() const;
  // The member called `name` (exact match; <Props> first, then <MS>), or nullptr.
  const PsValue* Find(std::string_view name) const;
  // Find(name)->AsText(); nullopt when absent or Nil.
  std::optional<std::string> FindText(std::string_view name) const;
  // Find(name)->AsBool(); nullopt when absent or not a <B>.
  std::optional<bool> FindBool(std::string_view name) const;
};

// A parsed file. Objects live as long as the document (moving it is fine).
class PsDocument {
 public:
  PsDocument() = default;
  PsDocument(PsDocument&&) = default;
  PsDocument& operator=(PsDocument&&) = default;

  // The top-level values, in file order.
  const std::vector<PsValue>& values() const { return values_; }

 private:
  friend class ClixmlReader;
  std::vector<PsValue> values_;
  std::vector<std::unique_ptr<PsObject>> arena_;
};

// Parses `text` (the whole file). `source_name` (usually the path) prefixes
// every error message.
Result<PsDocument> ParseClixml(std::string_view text, const std::string& source_name);

// Decodes the CliXml string escapes: `_xHHHH_` (one UTF-16 code unit;
// consecutive escapes form surrogate pairs) and `_xHHHHHHHH_` (a code
// point). Other text is left alone.
std::string DecodeClixmlString(std::string_view text);

// xs:dateTime as PowerShell writes it: "2023-02-03T14:16:02+00:00",
// "2019-12-03T14:47:32.1234567-08:00", "2021-10-07T22:20:07Z" or, for a
// DateTime of unspecified kind, "2021-10-07T22:20:07" (taken as UTC).
// Fractions of a second are dropped.
Result<TimePoint> ParseClixmlDateTime(std::string_view text);

}  // namespace xcert::exchange
