#include "resources/exchange/recorded_auth_config.h"

#include "engine/util/strings.h"
#include "resources/exchange/recorded_objects.h"

namespace xcert::exchange {

namespace {

std::string Thumbprint(const PsObject& object, std::string_view name) {
  return ToUpper(Trim(object.FindText(name).value_or("")));
}

}  // namespace

Result<RecordedAuthConfig> RecordedAuthConfigFromObject(const PsObject& object) {
  XCERT_RETURN_IF_ERROR(
      CheckRecordedType(object, {kAuthConfigType}, "an AuthConfig", "Get-AuthConfig"));
  RecordedAuthConfig out;
  out.current_thumbprint = Thumbprint(object, "CurrentCertificateThumbprint");
  out.next_thumbprint = Thumbprint(object, "NextCertificateThumbprint");
  out.previous_thumbprint = Thumbprint(object, "PreviousCertificateThumbprint");
  if (const PsValue* date = object.Find("NextCertificateEffectiveDate"); date && !date->is_nil()) {
    out.next_effective_date = date->AsTime();
    if (!out.next_effective_date) {
      return InvalidArgument("NextCertificateEffectiveDate is not a <DT> date");
    }
  }
  out.ps_computer_name = object.FindText("PSComputerName").value_or("");
  return out;
}

Result<RecordedAuthConfig> ReadRecordedAuthConfig(std::string_view clixml_text,
                                                  const std::string& source_name) {
  XCERT_ASSIGN_OR_RETURN(std::vector<RecordedAuthConfig> configs,
                         ReadRecordedObjects<RecordedAuthConfig>(clixml_text, source_name,
                                                                 RecordedAuthConfigFromObject));
  if (configs.size() != 1) {
    return InvalidArgument(source_name + ": expected one AuthConfig object, found " +
                           std::to_string(configs.size()) + " (export Get-AuthConfig)");
  }
  return std::move(configs.front());
}

}  // namespace xcert::exchange
