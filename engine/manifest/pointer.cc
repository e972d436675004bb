#include "engine/manifest/pointer.h"

namespace xcert::manifest {

std::string JoinPointer(std::string_view parent, std::string_view token) {
  std::string out(parent);
  out.reserve(parent.size() + token.size() + 1);
  out += '/';
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::string JoinPointer(std::string_view parent, size_t index) {
  return std::string(parent) + "/" + std::to_string(index);
}

namespace {

std::string Unescape(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out += token[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      out += token[i];
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> SplitPointer(std::string_view pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  size_t start = pointer.front() == '/' ? 1 : 0;
  for (;;) {
    const size_t slash = pointer.find('/', start);
    tokens.push_back(Unescape(pointer.substr(start, slash - start)));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return tokens;
}

std::string_view ParentPointer(std::string_view pointer) {
  const size_t slash = pointer.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : pointer.substr(0, slash);
}

std::string LastToken(std::string_view pointer) {
  const size_t slash = pointer.rfind('/');
  if (slash == std::string_view::npos) return "";
  return Unescape(pointer.substr(slash + 1));
}

bool IsSelfOrAncestor(std::string_view ancestor, std::string_view pointer) {
  if (pointer.size() < ancestor.size() || pointer.substr(0, ancestor.size()) != ancestor) {
    return false;
  }
  return pointer.size() == ancestor.size() || pointer[ancestor.size()] == '/';
}

bool IsIndexToken(std::string_view token) {
  if (token.empty() || token.size() > 9) return false;
  if (token.size() > 1 && token.front() == '0') return false;
  for (char c : token) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace xcert::manifest
