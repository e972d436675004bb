# xcert-operation: export
# Export-ExchangeCertificate -BinaryEncoded: a password-protected PKCS#12 of
# the certificate and its key. Exchange needs a private key, an exportable key
# and a password; the first two are checked first for a clear message.
# Arguments: server, thumbprint, password.
# Answer: Data (base64 of the PKCS#12 in FileData).
Invoke-XcertOperation {
  $request = Get-XcertArgs
  $server = [string]$request.server
  $thumbprint = [string]$request.thumbprint
  $certificate = Get-XcertCertificate -Server $server -Thumbprint $thumbprint
  if ($null -eq $certificate) {
    Stop-Xcert 'ObjectNotFound' ('The certificate ' + $thumbprint + ' is not on ' + $server + '.')
  }
  if (-not (Get-XcertProperty $certificate 'HasPrivateKey')) {
    Stop-Xcert 'InvalidOperation' ($thumbprint + ' on ' + $server + " doesn't have a private key, so it cannot be exported.")
  }
  if (-not (Get-XcertProperty $certificate 'PrivateKeyExportable')) {
    Stop-Xcert 'InvalidOperation' ($thumbprint + ' on ' + $server + ' has a private key that is not exportable; keep the original PKCS#12 to copy or restore it.')
  }
  $password = ConvertTo-SecureString -String ([string]$request.password) -AsPlainText -Force
  $exported = Export-ExchangeCertificate -Server $server -Thumbprint $thumbprint -BinaryEncoded -Password $password
  @{ Data = [System.Convert]::ToBase64String([byte[]]$exported.FileData) }
}
