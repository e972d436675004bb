#include "engine/manifest/yaml_tree.h"

#include <algorithm>
#include <cstdio>
#include <sstream>
#include <unordered_map>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include "engine/manifest/pointer.h"
#include "engine/util/strings.h"

namespace xcert::manifest {

const YamlMember* YamlNode::FindMember(std::string_view key) const {
  for (const YamlMember& m : members) {
    if (KeyText(m) == key) return &m;
  }
  return nullptr;
}

const std::string& KeyText(const YamlMember& member) { return member.key->text; }

std::string_view KindName(YamlKind kind) {
  switch (kind) {
    case YamlKind::kNull: return "nothing";
    case YamlKind::kScalar: return "a value";
    case YamlKind::kSequence: return "a list";
    case YamlKind::kMap: return "a mapping";
  }
  return "?";
}

namespace {

SourcePos ToPos(const YAML::Mark& mark) {
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1};
}

// Thrown from inside the event handler to abandon the parse; caught in
// ParseYaml (never crosses the module boundary).
struct Abandon {};

// Builds YamlNodes from yaml-cpp events. Errors go to `diags`; a fatal one
// throws Abandon after recording itself.
class TreeBuilder final : public YAML::EventHandler {
 public:
  TreeBuilder(const std::string& file, const YamlLimits& limits, Diagnostics* diags)
      : file_(file), limits_(limits), diags_(diags) {}

  YamlNodePtr root() const { return usable_ ? root_ : nullptr; }
  int documents() const { return documents_; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ > 1) {
      Error(ToPos(mark), "the file holds more than one YAML document",
            "a manifest is one document; remove this '---' and everything after it, or merge "
            "the documents");
      throw Abandon{};
    }
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto node = NewNode(YamlKind::kNull, mark);
    Attach(std::move(node), anchor);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    auto node = NewNode(YamlKind::kScalar, mark);
    node->plain = tag == "?";
    if (tag != "?" && tag != "!") node->tag = tag;
    if (value.size() > limits_.max_scalar_bytes) {
      Error(node->pos,
            "this value is " + std::to_string(value.size()) + " bytes long; the longest value " +
                "xcert accepts is " + std::to_string(limits_.max_scalar_bytes) + " bytes",
            "shorten it");
      usable_ = false;
    } else {
      node->text = value;
    }
    Attach(std::move(node), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const SourcePos pos = ToPos(mark);
    auto it = anchors_.find(anchor);
    if (it == anchors_.end() || !it->second) {
      // yaml-cpp reports undefined anchors itself; an anchor without a node is
      // one whose node is still open: "&a [*a]".
      FatalError(pos, "alias '*" + AnchorName(anchor) + "' is used inside the node it names",
                 "recursive structures are not supported; refer to the anchor after it ends");
    }
    YamlNodePtr target = it->second;
    Count(target->weight, pos, anchor);
    if (target->kind == YamlKind::kScalar || target->kind == YamlKind::kNull) {
      // Cheap to copy: keep the alias's own position for messages.
      auto copy = std::make_shared<YamlNode>(*target);
      copy->pos = pos;
      target = std::move(copy);
    }
    AttachBuilt(std::move(target));
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value /*style*/) override {
    Open(YamlKind::kSequence, mark, tag, anchor);
  }
  void OnSequenceEnd() override { Close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value /*style*/) override {
    Open(YamlKind::kMap, mark, tag, anchor);
  }
  void OnMapEnd() override {
    ApplyMerges(frames_.back());
    Close();
  }

  void OnAnchor(const YAML::Mark& /*mark*/, const std::string& anchor_name) override {
    pending_anchor_name_ = anchor_name;
  }

 private:
  struct Frame {
    std::shared_ptr<YamlNode> node;
    YAML::anchor_t anchor = YAML::NullAnchor;
    // Mappings: state between a key and its value.
    bool have_key = false;
    bool drop_value = false;   // the key was rejected; so is its value
    bool merge_value = false;  // the key was "<<"
    YamlNodePtr key;
    std::unordered_map<std::string, SourcePos> seen;  // explicit keys
    std::vector<YamlNodePtr> merges;                  // "<<" sources, in precedence order
  };

  std::shared_ptr<YamlNode> NewNode(YamlKind kind, const YAML::Mark& mark) {
    auto node = std::make_shared<YamlNode>();
    node->kind = kind;
    node->pos = ToPos(mark);
    Count(1, node->pos, YAML::NullAnchor);
    return node;
  }

  void Count(size_t nodes, SourcePos pos, YAML::anchor_t alias) {
    expanded_ += nodes;
    if (expanded_ <= limits_.max_nodes) return;
    const std::string what = alias == YAML::NullAnchor ? std::string("the document")
                                                       : "alias '*" + AnchorName(alias) + "'";
    FatalError(
        pos, what + " expands the manifest beyond " + std::to_string(limits_.max_nodes) + " values",
        "anchors and aliases nested this deep (a \"billion laughs\" document) are refused; "
        "write the values out or use fewer levels of aliases");
  }

  std::string AnchorName(YAML::anchor_t anchor) const {
    auto it = anchor_names_.find(anchor);
    return it == anchor_names_.end() ? "?" : it->second;
  }

  void NoteAnchor(YAML::anchor_t anchor) {
    if (anchor == YAML::NullAnchor) return;
    anchor_names_[anchor] = pending_anchor_name_;
    anchors_[anchor] = nullptr;  // defined, but its node is not complete yet
  }

  void Open(YamlKind kind, const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor) {
    Frame f;
    f.node = NewNode(kind, mark);
    if (tag != "?" && tag != "!") f.node->tag = tag;
    f.anchor = anchor;
    NoteAnchor(anchor);
    frames_.push_back(std::move(f));
    if (frames_.size() > limits_.max_depth) {
      FatalError(frames_.back().node->pos,
                 "lists and mappings are nested more than " + std::to_string(limits_.max_depth) +
                     " levels deep",
                 "a manifest needs only a few levels; check the indentation");
    }
  }

  void Close() {
    Frame f = std::move(frames_.back());
    frames_.pop_back();
    size_t weight = 1;
    for (const YamlNodePtr& item : f.node->items) weight += item->weight;
    for (const YamlMember& m : f.node->members) weight += m.key->weight + m.value->weight;
    f.node->weight = std::min(weight, limits_.max_nodes + 1);
    if (f.anchor != YAML::NullAnchor) anchors_[f.anchor] = f.node;
    AttachBuilt(std::move(f.node));
  }

  void Attach(std::shared_ptr<YamlNode> node, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) {
      NoteAnchor(anchor);
      anchors_[anchor] = node;
    }
    AttachBuilt(std::move(node));
  }

  // Adds a finished node to the open collection (or makes it the root).
  void AttachBuilt(YamlNodePtr node) {
    if (frames_.empty()) {
      root_ = std::move(node);
      return;
    }
    Frame& top = frames_.back();
    if (top.node->kind == YamlKind::kSequence) {
      top.node->items.push_back(std::move(node));
    } else if (!top.have_key) {
      TakeKey(top, std::move(node));
    } else {
      TakeValue(top, std::move(node));
    }
  }

  void TakeKey(Frame& f, YamlNodePtr key) {
    f.have_key = true;
    f.drop_value = false;
    f.merge_value = false;
    if (key->kind == YamlKind::kSequence || key->kind == YamlKind::kMap) {
      Error(key->pos, "a key must be a name, not " + std::string(KindName(key->kind)),
            "write keys as plain names such as 'name:'");
      f.drop_value = true;
      return;
    }
    if (key->kind == YamlKind::kScalar && key->plain && key->text == "<<") {
      f.merge_value = true;
      return;
    }
    auto [it, inserted] = f.seen.emplace(key->text, key->pos);
    if (!inserted) {
      Error(key->pos,
            "duplicate key " + Quote(key->text) + " (first at line " +
                std::to_string(it->second.line) + ")",
            "YAML keeps only one of them; remove or rename one");
      f.drop_value = true;
      return;
    }
    f.key = std::move(key);
  }

  void TakeValue(Frame& f, YamlNodePtr value) {
    f.have_key = false;
    if (f.drop_value) return;
    if (f.merge_value) {
      TakeMergeSource(f, value);
      return;
    }
    if (value->kind == YamlKind::kNull && value->pos.line != f.key->pos.line) {
      // An empty value ("key:" then a new line) is reported by yaml-cpp at the
      // next line; the key is where the user looks.
      auto moved = std::make_shared<YamlNode>(*value);
      moved->pos = f.key->pos;
      value = std::move(moved);
    }
    f.node->members.push_back({std::move(f.key), std::move(value)});
  }

  void TakeMergeSource(Frame& f, const YamlNodePtr& value) {
    if (value->kind == YamlKind::kMap) {
      f.merges.push_back(value);
      return;
    }
    const bool all_maps =
        value->kind == YamlKind::kSequence &&
        std::all_of(value->items.begin(), value->items.end(),
                    [](const YamlNodePtr& n) { return n->kind == YamlKind::kMap; });
    if (!all_maps) {
      Error(value->pos, "the merge key '<<' needs a mapping or a list of mappings",
            "write e.g. '<<: *defaults' where '&defaults' names a mapping");
      return;
    }
    for (const YamlNodePtr& item : value->items) f.merges.push_back(item);
  }

  // Merge keys: explicit keys win, then earlier sources over later ones.
  void ApplyMerges(Frame& f) {
    for (const YamlNodePtr& source : f.merges) {
      for (const YamlMember& m : source->members) {
        if (f.seen.emplace(KeyText(m), m.key->pos).second) f.node->members.push_back(m);
      }
    }
  }

  void Error(SourcePos pos, std::string message, std::string hint) {
    diags_->Error(Location{file_, pos.line, pos.column}, std::move(message), std::move(hint));
  }

  [[noreturn]] void FatalError(SourcePos pos, std::string message, std::string hint) {
    Error(pos, std::move(message), std::move(hint));
    usable_ = false;
    throw Abandon{};
  }

  const std::string& file_;
  const YamlLimits& limits_;
  Diagnostics* diags_;
  std::vector<Frame> frames_;
  std::unordered_map<YAML::anchor_t, YamlNodePtr> anchors_;
  std::unordered_map<YAML::anchor_t, std::string> anchor_names_;
  std::string pending_anchor_name_;
  YamlNodePtr root_;
  size_t expanded_ = 0;
  int documents_ = 0;
  bool usable_ = true;
};

// ---- checks on the raw text -------------------------------------------------

// Length of the UTF-8 sequence starting at s[i], or 0 if it is invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  size_t len = 0;
  uint32_t min = 0;
  uint32_t cp = 0;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) {
    len = 2, min = 0x80, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, min = 0x800, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

std::string Hex(const char* format, unsigned char c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, format, c);
  return buf;
}

// UTF-8 without control characters other than tab, CR and LF (YAML's
// printable set, minus what a manifest never needs). Reports the first problem.
bool CheckText(std::string_view text, const std::string& file, Diagnostics* diags) {
  if (text.size() >= 2 &&
      ((text[0] == '\xFF' && text[1] == '\xFE') || (text[0] == '\xFE' && text[1] == '\xFF'))) {
    diags->Error(Location{file, 1, 1}, "the file is UTF-16, not UTF-8",
                 "save it as UTF-8 (in PowerShell: Set-Content -Encoding utf8)");
    return false;
  }
  int line = 1;
  int column = 1;
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const size_t len = Utf8SequenceLength(text, i);
    if (len == 0) {
      diags->Error(Location{file, line, column},
                   "the file is not valid UTF-8 (byte " + Hex("0x%02X", c) + ")",
                   "save it as UTF-8");
      return false;
    }
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
      diags->Error(Location{file, line, column},
                   "control character " + Hex("U+%04X", c) + " in the file",
                   "remove it; a manifest is plain text");
      return false;
    }
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
    i += len;
  }
  return true;
}

// Line `line` (1-based) of `text`, or "".
std::string_view LineAt(std::string_view text, int line) {
  size_t start = 0;
  for (int l = 1; l < line; ++l) {
    start = text.find('\n', start);
    if (start == std::string_view::npos) return {};
    ++start;
  }
  return text.substr(start, text.find('\n', start) - start);
}

// The 1-based column of a tab in the indentation of line `line` (1-based), or 0.
int TabInIndentation(std::string_view text, int line) {
  const std::string_view l = LineAt(text, line);
  for (size_t i = 0; i < l.size() && (l[i] == ' ' || l[i] == '\t'); ++i) {
    if (l[i] == '\t') return static_cast<int>(i) + 1;
  }
  return 0;
}

bool HasPlaceholder(std::string_view line) {
  for (std::string_view p : {"{server}", "{fqdn}", "{domain}"}) {
    if (line.find(p) != std::string_view::npos) return true;
  }
  return false;
}

// yaml-cpp's messages are terse; say what to do.
std::string SyntaxHint(const std::string& msg) {
  using namespace YAML::ErrorMsg;
  if (msg == END_OF_MAP || msg == END_OF_SEQ || msg == BLOCK_ENTRY) {
    return "check the indentation: entries of one mapping or list start in the same column";
  }
  if (msg == END_OF_MAP_FLOW) return "a '{' is not closed; add the missing '}'";
  if (msg == FLOW_END) {
    return "a '}' or ']' does not match the '{' or '[' it closes; in a value, put braces and "
           "brackets in quotes";
  }
  if (msg == END_OF_SEQ_FLOW) return "a '[' is not closed; add the missing ']'";
  if (msg == MAP_VALUE) {
    return "a ':' appears where no key can start; put values that contain ': ' in quotes, "
           "or check the indentation";
  }
  if (msg == UNKNOWN_ANCHOR) return "define the anchor ('&name') before the alias ('*name')";
  if (msg == EOF_IN_SCALAR) return "a quoted value is not closed";
  if (msg == SINGLE_QUOTED_CHAR) return "a single-quoted value is not closed";
  if (msg.rfind(INVALID_ESCAPE, 0) == 0) {
    return "in double quotes a backslash starts an escape; use single quotes for backslashes";
  }
  return "see https://yaml.org/spec/1.2.2/ for the syntax";
}

void ReportSyntaxError(const YAML::Exception& e, std::string_view text, const std::string& file,
                       Diagnostics* diags) {
  SourcePos pos = ToPos(e.mark);
  if (pos.line == 0) pos = {1, 1};
  if (const int tab = TabInIndentation(text, pos.line)) {
    diags->Error(Location{file, pos.line, tab}, "tab character in indentation",
                 "YAML forbids tabs for indentation; indent with spaces");
    return;
  }
  std::string hint = SyntaxHint(e.msg);
  // "dnsNames: [mail.{domain}]": in a [...] list, '{' starts a mapping.
  using namespace YAML::ErrorMsg;
  if ((e.msg == END_OF_SEQ_FLOW || e.msg == END_OF_MAP_FLOW || e.msg == FLOW_END) &&
      (HasPlaceholder(LineAt(text, pos.line)) || HasPlaceholder(LineAt(text, pos.line - 1)))) {
    hint = "put values with placeholders in quotes inside [...] lists, e.g. [\"mail.{domain}\"]";
  }
  diags->Error(Location{file, pos.line, pos.column}, "invalid YAML: " + e.msg, hint);
}

}  // namespace

YamlDocument ParseYaml(std::string_view text, const std::string& file, const YamlLimits& limits) {
  YamlDocument doc;
  if (!CheckText(text, file, &doc.diagnostics)) return doc;
  TreeBuilder builder(file, limits, &doc.diagnostics);
  std::istringstream in{std::string(text)};
  try {
    YAML::Parser parser(in);
    if (parser.HandleNextDocument(builder)) parser.HandleNextDocument(builder);
  } catch (const Abandon&) {
    // Already reported; a second document still leaves the first usable.
  } catch (const YAML::DeepRecursion& e) {
    doc.diagnostics.Error(Location{file, ToPos(e.mark).line, ToPos(e.mark).column},
                          "lists and mappings are nested too deeply",
                          "a manifest needs only a few levels; check the brackets");
    return doc;
  } catch (const YAML::Exception& e) {
    ReportSyntaxError(e, text, file, &doc.diagnostics);
    return doc;
  }
  doc.root = builder.root();
  if (builder.documents() > 1 && !doc.root) return doc;
  if (doc.diagnostics.has_errors() && !doc.root) return doc;
  if (!doc.root || doc.root->kind == YamlKind::kNull) {
    doc.root = nullptr;
    doc.diagnostics.Error(Location{file, 0, 0}, "the manifest is empty",
                          "start with 'version: 1' (see docs/manifest.md)");
  }
  return doc;
}

YamlLookup LookUp(const YamlNode& root, std::string_view pointer) {
  YamlLookup at{&root, nullptr};
  for (const std::string& token : SplitPointer(pointer)) {
    const YamlNode* node = at.value;
    if (node->kind == YamlKind::kMap) {
      const YamlMember* m = node->FindMember(token);
      if (!m) return {};
      at = {m->value.get(), m->key.get()};
    } else if (node->kind == YamlKind::kSequence && IsIndexToken(token) &&
               std::stoul(token) < node->items.size()) {
      at = {node->items[std::stoul(token)].get(), nullptr};
    } else {
      return {};
    }
  }
  return at;
}

}  // namespace xcert::manifest
