// RFC 6125 name coverage lives in engine/model/name_match.h (pure logic the
// diff uses too); these names keep the toolkit's spelling for its callers.
#pragma once

#include "engine/model/name_match.h"

namespace xcert::x509 {

using xcert::CertificateCovers;
using xcert::NameCovers;
using xcert::UncoveredNames;

}  // namespace xcert::x509
