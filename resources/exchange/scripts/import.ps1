# xcert-operation: import
# Import-ExchangeCertificate -FileData: a PKCS#12 (with its password), or a
# CA's answer (a certificate without key) completing the pending request that
# holds its key. Import is not idempotent, so an existing thumbprint is
# refused first with Exchange's own wording.
# Arguments: server, thumbprint (of the certificate in data), data (base64),
#            password ("" for a CA answer), exportable, friendlyName.
# Answer: Thumbprint, State (that certificate).
Invoke-XcertOperation {
  $request = Get-XcertArgs
  $server = [string]$request.server
  $thumbprint = [string]$request.thumbprint
  $existing = Get-XcertCertificate -Server $server -Thumbprint $thumbprint
  if (($null -ne $existing) -and ([string](Get-XcertProperty $existing 'Status') -ne 'PendingRequest')) {
    Stop-Xcert 'ResourceExists' ('Cannot import certificate. A certificate with the thumbprint ' + $thumbprint + ' already exists on ' + $server + '.')
  }
  $data = [System.Convert]::FromBase64String([string]$request.data)
  if ([string]$request.password) {
    $password = ConvertTo-SecureString -String ([string]$request.password) -AsPlainText -Force
    $null = Import-ExchangeCertificate -Server $server -FileData $data -Password $password -PrivateKeyExportable ([bool]$request.exportable) -FriendlyName ([string]$request.friendlyName)
  } else {
    $null = Import-ExchangeCertificate -Server $server -FileData $data
  }
  $state = Get-XcertFacts -Server $server -Thumbprints @($thumbprint)
  $listed = @($state['Certificates'] | Where-Object { $_['Thumbprint'] -eq $thumbprint })
  if ($listed.Count -eq 0) {
    Stop-Xcert 'InvalidResult' ('Import-ExchangeCertificate reported success on ' + $server + ' but Get-ExchangeCertificate does not list ' + $thumbprint + '; its private key is probably missing or not accessible (PrivateKeyMissing). Check the certificate in the Local Computer Personal store.')
  }
  @{ Thumbprint = $thumbprint; State = $state }
}
