# xcert-operation: get
# Reads one certificate and the server facts, like list but without the
# other certificates (except those sharing the POP/IMAP name, which decide
# whether it serves POP/IMAP). Changes nothing.
# Arguments: server, thumbprint.
# Answer: State (the projection; the certificate is absent when not there).
Invoke-XcertOperation {
  $request = Get-XcertArgs
  @{ State = (Get-XcertFacts -Server ([string]$request.server) -Thumbprints @([string]$request.thumbprint)) }
}
