#include "resources/exchange/nrbf.h"

#include <algorithm>
#include <bit>
#include <limits>

namespace xcert::exchange::nrbf {

namespace {

// [MS-NRBF] 2.1.2.1 RecordTypeEnumeration.
enum RecordType : uint8_t {
  kSerializedStreamHeader = 0,
  kClassWithId = 1,
  kSystemClassWithMembers = 2,
  kClassWithMembers = 3,
  kSystemClassWithMembersAndTypes = 4,
  kClassWithMembersAndTypes = 5,
  kBinaryObjectString = 6,
  kBinaryArray = 7,
  kMemberPrimitiveTyped = 8,
  kMemberReference = 9,
  kObjectNull = 10,
  kMessageEnd = 11,
  kBinaryLibrary = 12,
  kObjectNullMultiple256 = 13,
  kObjectNullMultiple = 14,
  kArraySinglePrimitive = 15,
  kArraySingleObject = 16,
  kArraySingleString = 17,
  kMethodCall = 21,
  kMethodReturn = 22,
};

std::string RecordName(uint8_t type) {
  switch (type) {
    case kSerializedStreamHeader: return "SerializedStreamHeader";
    case kClassWithId: return "ClassWithId";
    case kSystemClassWithMembers: return "SystemClassWithMembers";
    case kClassWithMembers: return "ClassWithMembers";
    case kSystemClassWithMembersAndTypes: return "SystemClassWithMembersAndTypes";
    case kClassWithMembersAndTypes: return "ClassWithMembersAndTypes";
    case kBinaryObjectString: return "BinaryObjectString";
    case kBinaryArray: return "BinaryArray";
    case kMemberPrimitiveTyped: return "MemberPrimitiveTyped";
    case kMemberReference: return "MemberReference";
    case kObjectNull: return "ObjectNull";
    case kMessageEnd: return "MessageEnd";
    case kBinaryLibrary: return "BinaryLibrary";
    case kObjectNullMultiple256: return "ObjectNullMultiple256";
    case kObjectNullMultiple: return "ObjectNullMultiple";
    case kArraySinglePrimitive: return "ArraySinglePrimitive";
    case kArraySingleObject: return "ArraySingleObject";
    case kArraySingleString: return "ArraySingleString";
    case kMethodCall: return "MethodCall";
    case kMethodReturn: return "MethodReturn";
    default: return "unknown record type " + std::to_string(type);
  }
}

// BinaryArrayTypeEnumeration values with lower bounds ("...Offset").
bool ArrayTypeHasLowerBounds(uint8_t t) { return t >= 3 && t <= 5; }

// Size in bytes of a fixed-size primitive, 0 for Char and Decimal (variable)
// and for types that cannot appear as values.
size_t FixedSize(PrimitiveType t) {
  switch (t) {
    case PrimitiveType::kBoolean:
    case PrimitiveType::kByte:
    case PrimitiveType::kSByte: return 1;
    case PrimitiveType::kInt16:
    case PrimitiveType::kUInt16: return 2;
    case PrimitiveType::kInt32:
    case PrimitiveType::kUInt32:
    case PrimitiveType::kSingle: return 4;
    case PrimitiveType::kInt64:
    case PrimitiveType::kUInt64:
    case PrimitiveType::kDouble:
    case PrimitiveType::kTimeSpan:
    case PrimitiveType::kDateTime: return 8;
    default: return 0;
  }
}

// Whether `t` can be the type of a stored primitive value (Null and String are
// enumerated but never stored as primitives; 4 is unused).
bool IsValuePrimitive(uint8_t t) { return t >= 1 && t <= 16 && t != 4; }

// A bounds-checked little-endian cursor. Every read names what it was reading
// so that a truncated stream says where and what was cut.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }

  Status Error(size_t at, const std::string& what) const {
    return DataLoss("offset " + std::to_string(at) + ": " + what);
  }

  Result<std::string_view> Take(size_t n, std::string_view what) {
    if (n > remaining()) {
      return Error(pos_, "need " + std::to_string(n) + " bytes for " + std::string(what) +
                             ", only " + std::to_string(remaining()) + " left (the data is cut)");
    }
    std::string_view out = data_.substr(pos_, n);
    pos_ += n;
    return out;
  }

  // An unsigned little-endian integer of `n` <= 8 bytes.
  Result<uint64_t> Uint(size_t n, std::string_view what) {
    XCERT_ASSIGN_OR_RETURN(std::string_view b, Take(n, what));
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;) v = (v << 8) | static_cast<unsigned char>(b[i]);
    return v;
  }

  Result<uint8_t> U8(std::string_view what) {
    XCERT_ASSIGN_OR_RETURN(uint64_t v, Uint(1, what));
    return static_cast<uint8_t>(v);
  }

  Result<int32_t> I32(std::string_view what) {
    XCERT_ASSIGN_OR_RETURN(uint64_t v, Uint(4, what));
    return static_cast<int32_t>(static_cast<uint32_t>(v));
  }

  // An int32 that must be >= 0 (counts, lengths).
  Result<int32_t> Count(std::string_view what) {
    size_t at = pos_;
    XCERT_ASSIGN_OR_RETURN(int32_t v, I32(what));
    if (v < 0) return Error(at, std::string(what) + " is negative (" + std::to_string(v) + ")");
    return v;
  }

  // [MS-NRBF] 2.1.1.6 LengthPrefixedString: a 7-bit encoded length (at most
  // 5 bytes, at most 2^31-1) followed by that many UTF-8 bytes.
  Result<std::string> String(std::string_view what) {
    size_t at = pos_;
    uint32_t length = 0;
    for (int i = 0;; ++i) {
      XCERT_ASSIGN_OR_RETURN(uint8_t b, U8(what));
      if (i == 4 && (b & 0xF8) != 0) {
        return Error(at, "length of " + std::string(what) + " is larger than 2^31-1");
      }
      length |= uint32_t(b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) break;
    }
    XCERT_ASSIGN_OR_RETURN(std::string_view bytes, Take(length, what));
    return std::string(bytes);
  }

  // [MS-NRBF] 2.1.1.1 Char: one UTF-8 encoded character.
  Result<std::string> Utf8Char() {
    size_t at = pos_;
    XCERT_ASSIGN_OR_RETURN(uint8_t lead, U8("Char"));
    size_t extra = lead < 0x80             ? 0
                   : (lead & 0xE0) == 0xC0 ? 1
                   : (lead & 0xF0) == 0xE0 ? 2
                   : (lead & 0xF8) == 0xF0 ? 3
                                           : 4;
    if (extra == 4) return Error(at, "Char starts with an invalid UTF-8 byte");
    XCERT_ASSIGN_OR_RETURN(std::string_view rest, Take(extra, "Char"));
    return std::string(1, static_cast<char>(lead)) + std::string(rest);
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// Where a record is read: the stream's top level, a class member, or an array
// element. Each allows a different set of records.
enum class Context { kTopLevel, kMember, kArrayElement };

// What one record contributed: a value, a run of nulls (arrays only), or the
// end of the stream (top level only).
struct Item {
  Value value;
  uint32_t null_run = 0;
  bool end = false;
};

class Parser {
 public:
  explicit Parser(std::string_view payload) : in_(payload) {}

  Result<Graph> Run() {
    XCERT_RETURN_IF_ERROR(ReadHeader());
    for (;;) {
      XCERT_ASSIGN_OR_RETURN(Item item, ReadRecord(Context::kTopLevel, 0));
      if (item.end) break;
    }
    if (in_.remaining() != 0) {
      return in_.Error(in_.offset(),
                       std::to_string(in_.remaining()) + " unexpected bytes after MessageEnd");
    }
    XCERT_RETURN_IF_ERROR(CheckReferences());
    return std::move(graph_);
  }

 private:
  Status ReadHeader() {
    XCERT_ASSIGN_OR_RETURN(uint8_t type, in_.U8("SerializedStreamHeader"));
    if (type != kSerializedStreamHeader) {
      return DataLoss("not a .NET BinaryFormatter stream: it starts with byte " +
                      std::to_string(type) + ", not a SerializedStreamHeader (0)");
    }
    XCERT_ASSIGN_OR_RETURN(graph_.root_id, in_.I32("RootId"));
    XCERT_RETURN_IF_ERROR(in_.I32("HeaderId").status());  // unused by BinaryFormatter
    size_t at = in_.offset();
    XCERT_ASSIGN_OR_RETURN(int32_t major, in_.I32("MajorVersion"));
    XCERT_ASSIGN_OR_RETURN(int32_t minor, in_.I32("MinorVersion"));
    if (major != 1 || minor != 0) {
      return in_.Error(at, "unsupported BinaryFormatter version " + std::to_string(major) + "." +
                               std::to_string(minor) + " (expected 1.0)");
    }
    return Status::Ok();
  }

  Result<Item> ReadRecord(Context ctx, int depth) {
    if (depth > kMaxDepth) {
      return in_.Error(in_.offset(),
                       "records nested deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    for (;;) {
      size_t at = in_.offset();
      XCERT_ASSIGN_OR_RETURN(uint8_t type, in_.U8("a record type"));
      switch (type) {
        case kBinaryLibrary:
          // A library record may precede any record; the value is the next one.
          XCERT_RETURN_IF_ERROR(ReadLibrary());
          continue;
        case kClassWithId:
        case kSystemClassWithMembers:
        case kClassWithMembers:
        case kSystemClassWithMembersAndTypes:
        case kClassWithMembersAndTypes: {
          XCERT_ASSIGN_OR_RETURN(int32_t id, ReadClass(type, at, depth));
          return RefItem(id);
        }
        case kBinaryObjectString: {
          XCERT_ASSIGN_OR_RETURN(int32_t id, ReadObjectString(at));
          return RefItem(id);
        }
        case kBinaryArray:
        case kArraySinglePrimitive:
        case kArraySingleObject:
        case kArraySingleString: {
          XCERT_ASSIGN_OR_RETURN(int32_t id, ReadArray(type, at, depth));
          return RefItem(id);
        }
        case kMessageEnd:
          if (ctx != Context::kTopLevel) return NotAllowed(type, at, ctx);
          return Item{.end = true};
        default: return ReadValueRecord(type, at, ctx);
      }
    }
  }

  Status NotAllowed(uint8_t type, size_t at, Context ctx) const {
    return in_.Error(at, RecordName(type) + " record is not allowed " +
                             (ctx == Context::kTopLevel ? "at the top level"
                              : ctx == Context::kMember ? "as a member value"
                                                        : "as an array element"));
  }

  static Item RefItem(int32_t id) {
    Item item;
    item.value.kind = Value::Kind::kObject;
    item.value.object_id = id;
    return item;
  }

  // Records that carry a value but define no object.
  Result<Item> ReadValueRecord(uint8_t type, size_t at, Context ctx) {
    Item item;
    switch (type) {
      case kMemberPrimitiveTyped: {
        if (ctx == Context::kTopLevel) return NotAllowed(type, at, ctx);
        XCERT_ASSIGN_OR_RETURN(PrimitiveType t, ReadPrimitiveType());
        XCERT_ASSIGN_OR_RETURN(item.value, ReadPrimitive(t));
        return item;
      }
      case kMemberReference: {
        if (ctx == Context::kTopLevel) return NotAllowed(type, at, ctx);
        item.value.kind = Value::Kind::kObject;
        XCERT_ASSIGN_OR_RETURN(item.value.object_id, in_.I32("MemberReference IdRef"));
        return item;
      }
      case kObjectNull:
        if (ctx == Context::kTopLevel) return NotAllowed(type, at, ctx);
        return item;
      case kObjectNullMultiple256:
      case kObjectNullMultiple: {
        if (ctx != Context::kArrayElement) return NotAllowed(type, at, ctx);
        int64_t n = 0;
        if (type == kObjectNullMultiple256) {
          XCERT_ASSIGN_OR_RETURN(n, in_.U8("NullCount"));
        } else {
          XCERT_ASSIGN_OR_RETURN(n, in_.I32("NullCount"));
        }
        if (n <= 0) {
          return in_.Error(at, RecordName(type) + " with a null count of " + std::to_string(n));
        }
        item.null_run = static_cast<uint32_t>(n);
        return item;
      }
      case kMethodCall:
      case kMethodReturn:
        return in_.Error(at, RecordName(type) + " records (remoting) are not supported");
      default:
        return in_.Error(at, RecordName(type) + " (the data is damaged or not BinaryFormatter)");
    }
  }

  Status ReadLibrary() {
    size_t at = in_.offset();
    XCERT_ASSIGN_OR_RETURN(int32_t id, in_.I32("LibraryId"));
    XCERT_ASSIGN_OR_RETURN(std::string name, in_.String("LibraryName"));
    if (!libraries_.emplace(id, std::move(name)).second) {
      return in_.Error(at, "library id " + std::to_string(id) + " is declared twice");
    }
    return Status::Ok();
  }

  Result<std::string> LibraryName(size_t at, int32_t id) const {
    auto it = libraries_.find(id);
    if (it == libraries_.end()) {
      return in_.Error(at, "class refers to library id " + std::to_string(id) +
                               ", which no earlier BinaryLibrary record declares");
    }
    return it->second;
  }

  Result<PrimitiveType> ReadPrimitiveType() {
    size_t at = in_.offset();
    XCERT_ASSIGN_OR_RETURN(uint8_t t, in_.U8("a PrimitiveTypeEnumeration"));
    if (!IsValuePrimitive(t)) {
      return in_.Error(at, "invalid primitive type " + std::to_string(t));
    }
    return static_cast<PrimitiveType>(t);
  }

  Result<Value> ReadPrimitive(PrimitiveType t) {
    Value v;
    v.kind = Value::Kind::kPrimitive;
    v.type = t;
    std::string what(PrimitiveTypeName(t));
    if (t == PrimitiveType::kChar) {
      XCERT_ASSIGN_OR_RETURN(v.text, in_.Utf8Char());
      return v;
    }
    if (t == PrimitiveType::kDecimal) {
      XCERT_ASSIGN_OR_RETURN(v.text, in_.String(what));
      return v;
    }
    size_t size = FixedSize(t);
    if (size == 0) return in_.Error(in_.offset(), "invalid primitive type " + what);
    XCERT_ASSIGN_OR_RETURN(uint64_t bits, in_.Uint(size, what));
    v.unsigned_integer = bits;
    switch (t) {
      case PrimitiveType::kBoolean: v.integer = bits != 0; break;
      case PrimitiveType::kSByte: v.integer = static_cast<int8_t>(bits); break;
      case PrimitiveType::kInt16: v.integer = static_cast<int16_t>(bits); break;
      case PrimitiveType::kInt32: v.integer = static_cast<int32_t>(bits); break;
      case PrimitiveType::kSingle:
        v.number = std::bit_cast<float>(static_cast<uint32_t>(bits));
        break;
      case PrimitiveType::kDouble: v.number = std::bit_cast<double>(bits); break;
      default: v.integer = static_cast<int64_t>(bits); break;  // unsigned and 64-bit types
    }
    return v;
  }

  // ClassInfo: ObjectId, Name, MemberCount, MemberNames.
  Result<ClassInfo> ReadClassInfo() {
    ClassInfo info;
    XCERT_ASSIGN_OR_RETURN(info.metadata_id, in_.I32("ObjectId"));
    XCERT_ASSIGN_OR_RETURN(info.name, in_.String("class name"));
    size_t at = in_.offset();
    XCERT_ASSIGN_OR_RETURN(int32_t count, in_.Count("MemberCount"));
    // Every member name takes at least one byte: a larger count is damage,
    // and checking it first keeps a hostile count from reserving memory.
    if (static_cast<size_t>(count) > in_.remaining()) {
      return in_.Error(at, "class '" + info.name + "' claims " + std::to_string(count) +
                               " members but only " + std::to_string(in_.remaining()) +
                               " bytes follow");
    }
    info.member_names.reserve(count);
    for (int32_t i = 0; i < count; ++i) {
      XCERT_ASSIGN_OR_RETURN(std::string name, in_.String("member name"));
      info.member_names.push_back(std::move(name));
    }
    info.member_types.assign(count, MemberType{});
    return info;
  }

  // The AdditionalInfo for one BinaryTypeEnumeration value.
  Status ReadAdditionalInfo(MemberType* type) {
    switch (type->binary_type) {
      case BinaryType::kPrimitive:
      case BinaryType::kPrimitiveArray: {
        XCERT_ASSIGN_OR_RETURN(type->primitive, ReadPrimitiveType());
        return Status::Ok();
      }
      case BinaryType::kSystemClass: {
        XCERT_ASSIGN_OR_RETURN(type->class_name, in_.String("class name"));
        return Status::Ok();
      }
      case BinaryType::kClass: {
        XCERT_ASSIGN_OR_RETURN(type->class_name, in_.String("class name"));
        // The library may be declared later in the stream; only the name matters.
        XCERT_RETURN_IF_ERROR(in_.I32("LibraryId").status());
        return Status::Ok();
      }
      default: return Status::Ok();
    }
  }

  Result<BinaryType> ReadBinaryType() {
    size_t at = in_.offset();
    XCERT_ASSIGN_OR_RETURN(uint8_t t, in_.U8("a BinaryTypeEnumeration"));
    if (t > 7) return in_.Error(at, "invalid binary type " + std::to_string(t));
    return static_cast<BinaryType>(t);
  }

  // MemberTypeInfo: one BinaryTypeEnumeration per member, then their
  // AdditionalInfos in the same order.
  Status ReadMemberTypeInfo(ClassInfo* info) {
    for (MemberType& t : info->member_types) {
      XCERT_ASSIGN_OR_RETURN(t.binary_type, ReadBinaryType());
    }
    for (MemberType& t : info->member_types) XCERT_RETURN_IF_ERROR(ReadAdditionalInfo(&t));
    return Status::Ok();
  }

  // Reads the metadata of a class record other than ClassWithId and
  // registers it for later ClassWithId records.
  Result<std::shared_ptr<const ClassInfo>> ReadClassMetadata(uint8_t type) {
    size_t at = in_.offset();
    XCERT_ASSIGN_OR_RETURN(ClassInfo info, ReadClassInfo());
    if (type == kSystemClassWithMembersAndTypes || type == kClassWithMembersAndTypes) {
      XCERT_RETURN_IF_ERROR(ReadMemberTypeInfo(&info));
    }
    if (type == kClassWithMembers || type == kClassWithMembersAndTypes) {
      size_t lib_at = in_.offset();
      XCERT_ASSIGN_OR_RETURN(int32_t library_id, in_.I32("LibraryId"));
      XCERT_ASSIGN_OR_RETURN(info.library, LibraryName(lib_at, library_id));
    }
    auto shared = std::make_shared<const ClassInfo>(std::move(info));
    if (!classes_.emplace(shared->metadata_id, shared).second) {
      return in_.Error(
          at, "class metadata id " + std::to_string(shared->metadata_id) + " is declared twice");
    }
    return shared;
  }

  // Adds an empty object with `id`; ids are unique within a stream.
  Result<Object*> NewObject(size_t at, int32_t id, ObjectKind kind) {
    auto [it, inserted] = graph_.objects.try_emplace(id);
    if (!inserted) return in_.Error(at, "object id " + std::to_string(id) + " is defined twice");
    it->second.id = id;
    it->second.kind = kind;
    return &it->second;  // std::map nodes stay put while later objects are added
  }

  // Record readers take `at`, the offset of the record's type byte, for
  // errors about the record as a whole.
  Result<int32_t> ReadClass(uint8_t type, size_t at, int depth) {
    std::shared_ptr<const ClassInfo> info;
    int32_t id = 0;
    if (type == kClassWithId) {
      XCERT_ASSIGN_OR_RETURN(id, in_.I32("ObjectId"));
      XCERT_ASSIGN_OR_RETURN(int32_t metadata_id, in_.I32("MetadataId"));
      auto it = classes_.find(metadata_id);
      if (it == classes_.end()) {
        return in_.Error(at, "ClassWithId refers to class metadata " + std::to_string(metadata_id) +
                                 ", which no earlier record declares");
      }
      info = it->second;
    } else {
      XCERT_ASSIGN_OR_RETURN(info, ReadClassMetadata(type));
      id = info->metadata_id;
    }
    XCERT_ASSIGN_OR_RETURN(Object * object, NewObject(at, id, ObjectKind::kClass));
    object->class_info = info;
    object->members.reserve(info->member_types.size());
    for (const MemberType& member : info->member_types) {
      XCERT_ASSIGN_OR_RETURN(Value v, ReadMemberValue(member, depth));
      object->members.push_back(std::move(v));
    }
    return id;
  }

  Result<Value> ReadMemberValue(const MemberType& type, int depth) {
    if (type.binary_type == BinaryType::kPrimitive) return ReadPrimitive(type.primitive);
    XCERT_ASSIGN_OR_RETURN(Item item, ReadRecord(Context::kMember, depth + 1));
    return std::move(item.value);
  }

  Result<int32_t> ReadObjectString(size_t at) {
    XCERT_ASSIGN_OR_RETURN(int32_t id, in_.I32("ObjectId"));
    XCERT_ASSIGN_OR_RETURN(std::string value, in_.String("string value"));
    XCERT_ASSIGN_OR_RETURN(Object * object, NewObject(at, id, ObjectKind::kString));
    object->string_value = std::move(value);
    return id;
  }

  // The header of any array record: id, element type and dimensions.
  struct ArrayHeader {
    int32_t id = 0;
    MemberType element_type;
    std::vector<int32_t> lengths;
    size_t count = 0;
  };

  Result<ArrayHeader> ReadBinaryArrayHeader() {
    ArrayHeader h;
    XCERT_ASSIGN_OR_RETURN(h.id, in_.I32("ObjectId"));
    XCERT_ASSIGN_OR_RETURN(uint8_t array_type, in_.U8("BinaryArrayTypeEnumeration"));
    size_t at = in_.offset();
    if (array_type > 5)
      return in_.Error(at - 1, "invalid array type " + std::to_string(array_type));
    XCERT_ASSIGN_OR_RETURN(int32_t rank, in_.Count("Rank"));
    if (rank < 1 || rank > 32) return in_.Error(at, "invalid array rank " + std::to_string(rank));
    for (int32_t i = 0; i < rank; ++i) {
      XCERT_ASSIGN_OR_RETURN(int32_t length, in_.Count("array length"));
      h.lengths.push_back(length);
    }
    if (ArrayTypeHasLowerBounds(array_type)) {
      for (int32_t i = 0; i < rank; ++i) XCERT_RETURN_IF_ERROR(in_.I32("lower bound").status());
    }
    XCERT_ASSIGN_OR_RETURN(h.element_type.binary_type, ReadBinaryType());
    XCERT_RETURN_IF_ERROR(ReadAdditionalInfo(&h.element_type));
    return h;
  }

  Result<ArrayHeader> ReadSingleArrayHeader(uint8_t type) {
    ArrayHeader h;
    XCERT_ASSIGN_OR_RETURN(h.id, in_.I32("ObjectId"));
    XCERT_ASSIGN_OR_RETURN(int32_t length, in_.Count("array length"));
    h.lengths.push_back(length);
    if (type == kArraySinglePrimitive) {
      h.element_type.binary_type = BinaryType::kPrimitive;
      XCERT_ASSIGN_OR_RETURN(h.element_type.primitive, ReadPrimitiveType());
    } else {
      h.element_type.binary_type =
          type == kArraySingleString ? BinaryType::kString : BinaryType::kObject;
    }
    return h;
  }

  // Multiplies the dimensions, refusing counts beyond what the element
  // budget or the remaining input could hold.
  Status CountElements(size_t at, ArrayHeader* h) {
    uint64_t count = 1;
    for (int32_t length : h->lengths) {
      count *= static_cast<uint64_t>(length);
      if (count > std::numeric_limits<uint32_t>::max()) break;
    }
    bool bytes = h->element_type.binary_type == BinaryType::kPrimitive &&
                 h->element_type.primitive == PrimitiveType::kByte;
    bool primitive = h->element_type.binary_type == BinaryType::kPrimitive;
    if (primitive && count > in_.remaining()) {
      return in_.Error(at, "array of " + std::to_string(count) + " elements but only " +
                               std::to_string(in_.remaining()) + " bytes follow (the data is cut)");
    }
    if (!bytes) {
      if (count > element_budget_) {
        return in_.Error(at, "array of " + std::to_string(count) +
                                 " elements exceeds the decoder's limit of " +
                                 std::to_string(kMaxArrayElements) + " elements per stream");
      }
      element_budget_ -= count;
    }
    h->count = static_cast<size_t>(count);
    return Status::Ok();
  }

  Result<int32_t> ReadArray(uint8_t type, size_t at, int depth) {
    ArrayHeader h;
    if (type == kBinaryArray) {
      XCERT_ASSIGN_OR_RETURN(h, ReadBinaryArrayHeader());
    } else {
      XCERT_ASSIGN_OR_RETURN(h, ReadSingleArrayHeader(type));
    }
    XCERT_RETURN_IF_ERROR(CountElements(at, &h));
    XCERT_ASSIGN_OR_RETURN(Object * array, NewObject(at, h.id, ObjectKind::kArray));
    array->element_type = h.element_type;
    array->lengths = h.lengths;
    if (h.element_type.binary_type == BinaryType::kPrimitive) {
      XCERT_RETURN_IF_ERROR(ReadPrimitiveElements(h, array));
    } else {
      XCERT_RETURN_IF_ERROR(ReadRecordElements(h, depth, array));
    }
    return h.id;
  }

  Status ReadPrimitiveElements(const ArrayHeader& h, Object* array) {
    if (h.element_type.primitive == PrimitiveType::kByte) {
      XCERT_ASSIGN_OR_RETURN(std::string_view bytes, in_.Take(h.count, "byte array"));
      array->bytes.assign(bytes);
      return Status::Ok();
    }
    array->elements.reserve(h.count);
    for (size_t i = 0; i < h.count; ++i) {
      XCERT_ASSIGN_OR_RETURN(Value v, ReadPrimitive(h.element_type.primitive));
      array->elements.push_back(std::move(v));
    }
    return Status::Ok();
  }

  Status ReadRecordElements(const ArrayHeader& h, int depth, Object* array) {
    array->elements.reserve(std::min(h.count, in_.remaining()));
    while (array->elements.size() < h.count) {
      size_t at = in_.offset();
      XCERT_ASSIGN_OR_RETURN(Item item, ReadRecord(Context::kArrayElement, depth + 1));
      if (item.null_run == 0) {
        array->elements.push_back(std::move(item.value));
        continue;
      }
      if (item.null_run > h.count - array->elements.size()) {
        return in_.Error(at, "a run of " + std::to_string(item.null_run) +
                                 " nulls overruns the array's " + std::to_string(h.count) +
                                 " elements");
      }
      array->elements.resize(array->elements.size() + item.null_run);
    }
    return Status::Ok();
  }

  Status CheckValue(int32_t from, const Value& v) const {
    if (v.kind != Value::Kind::kObject || graph_.Find(v.object_id) != nullptr) {
      return Status::Ok();
    }
    return DataLoss("object #" + std::to_string(from) + " refers to object #" +
                    std::to_string(v.object_id) + ", which the stream never defines");
  }

  Status CheckReferences() const {
    if (graph_.Find(graph_.root_id) == nullptr) {
      return DataLoss("the header names root object #" + std::to_string(graph_.root_id) +
                      ", which the stream never defines");
    }
    for (const auto& [id, object] : graph_.objects) {
      for (const Value& v : object.members) XCERT_RETURN_IF_ERROR(CheckValue(id, v));
      for (const Value& v : object.elements) XCERT_RETURN_IF_ERROR(CheckValue(id, v));
    }
    return Status::Ok();
  }

  Reader in_;
  Graph graph_;
  std::map<int32_t, std::string> libraries_;
  std::map<int32_t, std::shared_ptr<const ClassInfo>> classes_;
  size_t element_budget_ = kMaxArrayElements;
};

}  // namespace

Result<std::string_view> UnwrapSigned(std::string_view blob, std::string* trailer) {
  constexpr std::string_view kMagic = "#sig#";
  constexpr size_t kTrailer = 32;
  if (blob.substr(0, kMagic.size()) != kMagic) {
    return DataLoss("not a signed payload: it does not start with \"#sig#\"");
  }
  Reader in(blob.substr(kMagic.size()));
  XCERT_ASSIGN_OR_RETURN(int32_t length, in.Count("signed payload length"));
  size_t available = in.remaining();
  if (static_cast<size_t>(length) > available || available - length != kTrailer) {
    return DataLoss("signed payload: the header announces " + std::to_string(length) +
                    " payload bytes followed by a 32-byte signature, but " +
                    std::to_string(available) + " bytes follow (the data is cut or damaged)");
  }
  std::string_view payload = blob.substr(kMagic.size() + 4, length);
  if (trailer) trailer->assign(blob.substr(kMagic.size() + 4 + length));
  return payload;
}

Result<Graph> DecodePayload(std::string_view payload) { return Parser(payload).Run(); }

Result<Graph> Decode(std::string_view blob) {
  if (blob.substr(0, 5) != "#sig#") return DecodePayload(blob);
  std::string trailer;
  XCERT_ASSIGN_OR_RETURN(std::string_view payload, UnwrapSigned(blob, &trailer));
  Result<Graph> graph = DecodePayload(payload);
  if (!graph.ok()) return graph.status().WithContext("signed payload");
  graph->signed_payload = true;
  graph->signature = std::move(trailer);
  return graph;
}

}  // namespace xcert::exchange::nrbf
