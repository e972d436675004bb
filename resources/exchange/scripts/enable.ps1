# xcert-operation: enable
# Enable-ExchangeCertificate, which only ADDS services:
#  - IIS, IMAP, POP, UM, UMCallRouter with -Force, which only answers the
#    "require SSL" confirmation because SMTP is not in that call;
#  - SMTP without replaceDefaultSmtp: -NetworkServiceAllowed (the transport may
#    read the key) and the internal transport certificate stays as it is;
#  - SMTP with replaceDefaultSmtp: -Services SMTP -Force, which also makes the
#    certificate the internal transport (default SMTP) certificate.
# Federation is never enabled. After IIS moved, IIS is reset once (iisreset
# /noforce); after UM or UMCallRouter, their service is restarted.
# Arguments: server, thumbprint, services (names), replaceDefaultSmtp.
# Answer: Thumbprint, Notes, State (that certificate).
Invoke-XcertOperation {
  $request = Get-XcertArgs
  $server = [string]$request.server
  $thumbprint = [string]$request.thumbprint
  $wanted = @($request.services | ForEach-Object { [string]$_ })
  if ($wanted -contains 'Federation') {
    Stop-Xcert 'InvalidArgument' 'Federation certificates are managed with the federation trust cmdlets; xcert never enables Federation.'
  }
  $certificate = Get-XcertCertificate -Server $server -Thumbprint $thumbprint
  if ($null -eq $certificate) {
    Stop-Xcert 'ObjectNotFound' ('The certificate ' + $thumbprint + ' is not on ' + $server + '.')
  }
  if ([string](Get-XcertProperty $certificate 'Status') -eq 'PendingRequest') {
    Stop-Xcert 'InvalidOperation' ($thumbprint + ' on ' + $server + ' is a pending request; import the CA answer before enabling it.')
  }
  $others = @($wanted | Where-Object { $_ -ne 'SMTP' })
  $smtp = $wanted -contains 'SMTP'
  if ($smtp -and $request.replaceDefaultSmtp) {
    $null = Enable-ExchangeCertificate -Server $server -Thumbprint $thumbprint -Services (($others + @('SMTP')) -join ',') -Force
  } elseif ($smtp -and $others.Count -gt 0) {
    $null = Enable-ExchangeCertificate -Server $server -Thumbprint $thumbprint -Services ($others -join ',') -NetworkServiceAllowed -Force
  } elseif ($smtp) {
    $null = Enable-ExchangeCertificate -Server $server -Thumbprint $thumbprint -Services 'None' -NetworkServiceAllowed
  } else {
    $null = Enable-ExchangeCertificate -Server $server -Thumbprint $thumbprint -Services ($others -join ',') -Force
  }
  $notes = @()
  $local = Test-XcertLocal $server ([string](Get-ExchangeServer -Identity $server).Name)
  if ($wanted -contains 'IIS') {
    try {
      $null = & iisreset.exe $server /noforce
      if ($LASTEXITCODE -ne 0) {
        $notes += ('iisreset ' + $server + ' /noforce failed with exit code ' + $LASTEXITCODE + '; run it on ' + $server + ' so Outlook on the web uses the new certificate.')
      }
    } catch {
      $notes += ('iisreset ' + $server + ' /noforce could not run (' + $_.Exception.Message + '); run it on ' + $server + ' so Outlook on the web uses the new certificate.')
    }
  }
  foreach ($pair in @(@('UM', 'MSExchangeUM'), @('UMCallRouter', 'MSExchangeUMCR'))) {
    if ($wanted -contains $pair[0]) {
      if ($local) {
        try {
          Restart-Service -Name $pair[1]
        } catch {
          $notes += ('restarting ' + $pair[1] + ' on ' + $server + ' failed (' + $_.Exception.Message + '); restart it so ' + $pair[0] + ' uses the new certificate.')
        }
      } else {
        $notes += ('restart the ' + $pair[1] + ' service on ' + $server + ' so ' + $pair[0] + ' uses the new certificate.')
      }
    }
  }
  @{ Thumbprint = $thumbprint; Notes = $notes; State = (Get-XcertFacts -Server $server -Thumbprints @($thumbprint)) }
}
