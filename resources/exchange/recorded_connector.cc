#include "resources/exchange/recorded_connector.h"

#include "resources/exchange/recorded_objects.h"

namespace xcert::exchange {

namespace {

// The ToString of each item of a list-valued member (MultiValuedProperty).
std::vector<std::string> ListTexts(const PsObject& object, std::string_view name) {
  std::vector<std::string> out;
  const PsValue* list = object.Find(name);
  if (!list || !list->object) return out;
  for (const PsValue& item : list->object->items) {
    if (std::optional<std::string> text = item.AsText()) out.push_back(*text);
  }
  return out;
}

// TlsCertificateName arrives as an SmtpX509Identifier object (its ToString is
// the "<I>..<S>.." form, its properties the two parts) or, from some
// serialisers, as the plain string.
Result<std::optional<TlsCertificateName>> ReadTlsCertificateName(const PsObject& object) {
  const PsValue* value = object.Find("TlsCertificateName");
  if (!value || value->is_nil()) return std::optional<TlsCertificateName>();
  std::optional<std::string> text = value->AsText();
  if (text && !text->empty()) {
    Result<TlsCertificateName> parsed = ParseTlsCertificateName(*text);
    if (!parsed.ok()) return parsed.status().WithContext("TlsCertificateName");
    return std::optional<TlsCertificateName>(*parsed);
  }
  if (value->object) {
    std::optional<std::string> issuer = value->object->FindText("CertificateIssuer");
    std::optional<std::string> subject = value->object->FindText("CertificateSubject");
    if (issuer && subject) return std::optional<TlsCertificateName>({*issuer, *subject});
  }
  return std::optional<TlsCertificateName>();
}

}  // namespace

Result<TlsCertificateName> ParseTlsCertificateName(std::string_view text) {
  constexpr std::string_view kIssuer = "<I>", kSubject = "<S>";
  size_t subject = text.find(kSubject);
  if (text.substr(0, kIssuer.size()) != kIssuer || subject == std::string_view::npos) {
    return InvalidArgument("'" + std::string(text) + "' is not in the form <I>issuer<S>subject");
  }
  return TlsCertificateName{std::string(text.substr(kIssuer.size(), subject - kIssuer.size())),
                            std::string(text.substr(subject + kSubject.size()))};
}

Result<RecordedConnector> RecordedConnectorFromObject(const PsObject& object) {
  XCERT_RETURN_IF_ERROR(CheckRecordedType(object, {kReceiveConnectorType, kSendConnectorType},
                                          "a connector",
                                          "Get-ReceiveConnector or Get-SendConnector"));
  RecordedConnector out;
  out.kind = object.IsA(kReceiveConnectorType) ? ConnectorKind::kReceive : ConnectorKind::kSend;
  out.name = object.FindText("Name").value_or("");
  out.identity = object.FindText("Identity").value_or(out.name);
  out.fqdn = object.FindText("Fqdn").value_or("");
  XCERT_ASSIGN_OR_RETURN(out.tls_certificate_name, ReadTlsCertificateName(object));
  out.enabled = object.FindBool("Enabled").value_or(true);
  out.server = object.FindText("Server").value_or("");
  out.transport_role = object.FindText("TransportRole").value_or("");
  out.bindings = ListTexts(object, "Bindings");
  out.source_transport_servers = ListTexts(object, "SourceTransportServers");
  out.ps_computer_name = object.FindText("PSComputerName").value_or("");
  return out;
}

Result<std::vector<RecordedConnector>> ReadRecordedConnectors(std::string_view clixml_text,
                                                              const std::string& source_name) {
  return ReadRecordedObjects<RecordedConnector>(clixml_text, source_name,
                                                RecordedConnectorFromObject);
}

}  // namespace xcert::exchange
