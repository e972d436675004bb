# xcert-operation: remove
# Remove-ExchangeCertificate -Confirm:$false, after checking on the server
# that nothing still uses the certificate: the Auth certificates, the internal
# transport certificate, the IIS sites (:443 and :444), UM and the connectors'
# TlsCertificateName (Exchange itself checks only some of these).
# Arguments: server, thumbprint.
# Answer: Thumbprint.
Invoke-XcertOperation {
  $request = Get-XcertArgs
  $server = [string]$request.server
  $thumbprint = [string]$request.thumbprint
  $certificate = Get-XcertCertificate -Server $server -Thumbprint $thumbprint
  if ($null -eq $certificate) {
    Stop-Xcert 'ObjectNotFound' ('The certificate ' + $thumbprint + ' is not on ' + $server + '.')
  }
  $why = Get-XcertProtection (Get-XcertFacts -Server $server -Thumbprints @($thumbprint)) $certificate
  if ($why) {
    Stop-Xcert 'InvalidOperation' ($thumbprint + ' on ' + $server + ' cannot be removed: ' + $why + '.')
  }
  Remove-ExchangeCertificate -Server $server -Thumbprint $thumbprint -Confirm:$false
  @{ Thumbprint = $thumbprint }
}
