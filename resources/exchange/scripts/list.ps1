# xcert-operation: list
# Reads one server: every certificate and pending request
# (Get-ExchangeCertificate) and the facts that decide which certificate serves
# what (AuthConfig, internal transport certificate, IIS bindings, POP/IMAP
# settings, UM, connectors). Changes nothing.
# Arguments: server.
# Answer: State (the projection, docs/exchange.md).
Invoke-XcertOperation {
  $request = Get-XcertArgs
  @{ State = (Get-XcertFacts -Server ([string]$request.server)) }
}
