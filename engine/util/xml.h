// Text in XML documents (the JUnit reports of drift and verify).
#pragma once

#include <string>

namespace xcert {

// `s` as XML character data or attribute value: & < > " ' escaped.
std::string XmlEscape(const std::string& s);

}  // namespace xcert
