# xcert-operation: create
# New-ExchangeCertificate: a self-signed certificate with no services
# (-Services None, so it never replaces the default SMTP certificate), or
# with pendingRequest a new key and PKCS#10 request (-GenerateRequest), which
# Exchange keeps as a pending request until its CA answer is imported.
# Arguments: server, subject, dnsNames, keyAlgorithm, keySize, curve,
#            exportable, friendlyName, pendingRequest, validitySeconds (the
#            cmdlet has no validity: self-signed certificates last 60 months).
# Answer: Thumbprint, Csr (requests only), State (that certificate).
Invoke-XcertOperation {
  $request = Get-XcertArgs
  $server = [string]$request.server
  if ([string]$request.keyAlgorithm -ne 'RSA') {
    Stop-Xcert 'InvalidArgument' ('New-ExchangeCertificate makes RSA keys only, not ' + $request.keyAlgorithm + ' (' + $request.subject + ' on ' + $server + '); use key: {algorithm: RSA, size: 2048}.')
  }
  if (@(1024, 2048, 4096) -notcontains [int]$request.keySize) {
    Stop-Xcert 'InvalidArgument' ('New-ExchangeCertificate accepts RSA key sizes 1024, 2048 and 4096, not ' + $request.keySize + ' (' + $request.subject + ' on ' + $server + '); use 2048 or 4096.')
  }
  $names = @($request.dnsNames | ForEach-Object { [string]$_ })
  $csr = $null
  if ($request.pendingRequest) {
    $before = @(Get-ExchangeCertificate -Server $server | ForEach-Object { [string](Get-XcertProperty $_ 'Thumbprint') })
    $output = @(New-ExchangeCertificate -Server $server -GenerateRequest -SubjectName ([string]$request.subject) -DomainName $names -KeySize ([int]$request.keySize) -PrivateKeyExportable ([bool]$request.exportable) -FriendlyName ([string]$request.friendlyName))
    $csr = ($output | ForEach-Object { [string]$_ }) -join "`n"
    $new = @(Get-ExchangeCertificate -Server $server | Where-Object {
      ([string](Get-XcertProperty $_ 'Status') -eq 'PendingRequest') -and
      ($before -notcontains [string](Get-XcertProperty $_ 'Thumbprint')) })
    if ($new.Count -ne 1) {
      Stop-Xcert 'InvalidResult' ('New-ExchangeCertificate -GenerateRequest on ' + $server + ' left ' + $new.Count + ' new pending requests; expected one. Check Get-ExchangeCertificate on the server.')
    }
    $thumbprint = [string](Get-XcertProperty $new[0] 'Thumbprint')
  } else {
    $created = New-ExchangeCertificate -Server $server -SubjectName ([string]$request.subject) -DomainName $names -KeySize ([int]$request.keySize) -PrivateKeyExportable ([bool]$request.exportable) -FriendlyName ([string]$request.friendlyName) -Services 'None'
    $thumbprint = [string](Get-XcertProperty $created 'Thumbprint')
  }
  @{ Thumbprint = $thumbprint; Csr = $csr; State = (Get-XcertFacts -Server $server -Thumbprints @($thumbprint)) }
}
