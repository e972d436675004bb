# xcert common functions: reading Exchange certificates and the facts around
# them as plain values (docs/exchange.md). Shared by the operation scripts
# (sent after bootstrap.ps1, before prelude.ps1) and by the reviewed plans of
# `xcert plan --format ps1`. Nothing in this file changes the server.

# A property's value, or $null when the object does not have it (objects that
# arrived through a remote session may carry RawData only).
function Get-XcertProperty($Object, [string]$Name) {
  if ($null -eq $Object) {
    return $null
  }
  $property = $Object.PSObject.Properties[$Name]
  if ($null -eq $property) {
    return $null
  }
  return $property.Value
}

# AllowedServices as its number; a deserialized value arrives as the names.
function ConvertTo-XcertServices($Value) {
  if ($Value -is [string]) {
    $flags = @{ None = 0; IMAP = 1; POP = 2; UM = 4; IIS = 8; SMTP = 16; Federation = 32; UMCallRouter = 64 }
    $sum = 0
    foreach ($name in $Value.Split(',')) {
      $key = $name.Trim()
      if ($flags.ContainsKey($key)) {
        $sum = $sum + $flags[$key]
      }
    }
    return $sum
  }
  return [int]$Value
}

# The projection of one Get-ExchangeCertificate object to plain values.
function ConvertTo-XcertCertificate($Certificate) {
  $raw = Get-XcertProperty $Certificate 'RawData'
  $rawText = $null
  if ($null -ne $raw) {
    $rawText = [System.Convert]::ToBase64String([byte[]]$raw)
  }
  $services = Get-XcertProperty $Certificate 'Services'
  $entry = @{
    Thumbprint = [string](Get-XcertProperty $Certificate 'Thumbprint')
    RawData = $rawText
    Subject = [string](Get-XcertProperty $Certificate 'Subject')
    Issuer = [string](Get-XcertProperty $Certificate 'Issuer')
    AttributesKnown = ($null -ne $services)
  }
  if ($null -ne $services) {
    $iis = @(@(Get-XcertProperty $Certificate 'IISServices') | Where-Object { $null -ne $_ } |
             ForEach-Object { [string](Get-XcertProperty $_ 'ServiceName') })
    $entry['Services'] = ConvertTo-XcertServices $services
    $entry['Status'] = [string](Get-XcertProperty $Certificate 'Status')
    $entry['RootCAType'] = [string](Get-XcertProperty $Certificate 'RootCAType')
    $entry['PrivateKeyExportable'] = [bool](Get-XcertProperty $Certificate 'PrivateKeyExportable')
    $entry['HasPrivateKey'] = [bool](Get-XcertProperty $Certificate 'HasPrivateKey')
    $entry['FriendlyName'] = [string](Get-XcertProperty $Certificate 'FriendlyName')
    $entry['IISServices'] = $iis
    $entry['CertificateRequest'] = [string](Get-XcertProperty $Certificate 'CertificateRequest')
  }
  return $entry
}

# One certificate or pending request by thumbprint, or $null. Filtering the
# list (rather than -Thumbprint) keeps "not there" from being an error.
function Get-XcertCertificate([string]$Server, [string]$Thumbprint) {
  $found = @(Get-ExchangeCertificate -Server $Server |
             Where-Object { [string](Get-XcertProperty $_ 'Thumbprint') -eq $Thumbprint })
  if ($found.Count -eq 0) {
    return $null
  }
  return $found[0]
}

# Whether a certificate (Get-ExchangeCertificate object) carries `$Name`
# among its FQDNs, exactly or through a wildcard.
function Test-XcertCoversName($Certificate, [string]$Name) {
  if (-not $Name) {
    return $false
  }
  $wantedName = $Name.ToLowerInvariant()
  foreach ($domain in @(Get-XcertProperty $Certificate 'CertificateDomains')) {
    $text = ([string]$domain).ToLowerInvariant()
    if ($text -eq $wantedName) {
      return $true
    }
    if ($text.StartsWith('*.') -and $wantedName.EndsWith($text.Substring(1)) -and
        $wantedName.Substring(0, $wantedName.Length - $text.Length + 1).IndexOf('.') -lt 0) {
      return $true
    }
  }
  return $false
}

# Whether this shell runs on `$Server` itself (IIS and services are local).
function Test-XcertLocal([string]$Server, [string]$ExchangeName) {
  return (($env:COMPUTERNAME -eq $Server) -or ($env:COMPUTERNAME -eq $ExchangeName))
}

# Everything xcert needs about one server, as plain values (the projection;
# docs/exchange.md describes each field). A part that cannot be read becomes
# an entry in Problems and xcert takes no destructive step on the server.
# With -Thumbprints, Certificates holds only those and the certificates whose
# names match the POP/IMAP X509CertificateName (they decide who serves POP/IMAP).
function Get-XcertFacts([string]$Server, [string[]]$Thumbprints) {
  $problems = New-Object System.Collections.Generic.List[string]
  $info = Get-ExchangeServer -Identity $Server
  $facts = @{
    Format = 'xcert-exchange-projection'
    Version = 1
    Server = @{
      Name = [string]$info.Name
      Fqdn = [string]$info.Fqdn
      AdminDisplayVersion = [string]$info.AdminDisplayVersion
      ServerRole = [string]$info.ServerRole
      IsEdgeServer = [bool](Get-XcertProperty $info 'IsEdgeServer')
      IsClientAccessServer = [bool](Get-XcertProperty $info 'IsClientAccessServer')
      IsHubTransportServer = [bool](Get-XcertProperty $info 'IsHubTransportServer')
      IsMailboxServer = [bool](Get-XcertProperty $info 'IsMailboxServer')
      IsUnifiedMessagingServer = [bool](Get-XcertProperty $info 'IsUnifiedMessagingServer')
    }
    Local = (Test-XcertLocal $Server ([string]$info.Name))
    Certificates = @()
    AuthConfig = $null
    InternalTransportCertificateThumbprint = $null
    WebBindings = $null
    PopSettings = $null
    ImapSettings = $null
    UMCertificateThumbprint = $null
    UMCallRouterCertificateThumbprint = $null
    Connectors = $null
    Problems = @()
  }
  $serverInfo = $facts['Server']

  if (-not $serverInfo['IsEdgeServer'] -and (Get-Command -Name Get-AuthConfig -ErrorAction SilentlyContinue)) {
    try {
      $auth = Get-AuthConfig
      $effective = $null
      if ($null -ne $auth.NextCertificateEffectiveDate) {
        $effective = ([datetime]$auth.NextCertificateEffectiveDate).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
      }
      $facts['AuthConfig'] = @{
        CurrentCertificateThumbprint = [string]$auth.CurrentCertificateThumbprint
        NextCertificateThumbprint = [string]$auth.NextCertificateThumbprint
        NextCertificateEffectiveDate = $effective
      }
    } catch {
      $problems.Add('Get-AuthConfig: ' + $_.Exception.Message)
    }
  }

  if ($serverInfo['IsHubTransportServer'] -or $serverInfo['IsEdgeServer']) {
    try {
      $transport = Get-TransportService -Identity $Server
      $facts['InternalTransportCertificateThumbprint'] = [string]$transport.InternalTransportCertificateThumbprint
    } catch {
      $problems.Add('Get-TransportService: ' + $_.Exception.Message)
    }
  }

  if ($facts['Local'] -and (Get-Module -ListAvailable -Name WebAdministration)) {
    try {
      Import-Module -Name WebAdministration
      # Every https binding, kept for the two Exchange sites (by the site name
      # in ItemXPath, so a server without one of them is not an error).
      $bindings = @()
      foreach ($binding in @(Get-WebBinding -Protocol 'https')) {
        $xpath = [string](Get-XcertProperty $binding 'ItemXPath')
        foreach ($site in @('Default Web Site', 'Exchange Back End')) {
          if ($xpath -like ("*@name='" + $site + "'*")) {
            $bindings += @{
              Site = $site
              BindingInformation = [string]$binding.bindingInformation
              CertificateHash = [string]$binding.certificateHash
              CertificateStoreName = [string]$binding.certificateStoreName
            }
          }
        }
      }
      $facts['WebBindings'] = $bindings
    } catch {
      $problems.Add('Get-WebBinding: ' + $_.Exception.Message)
    }
  }

  if ($serverInfo['IsClientAccessServer']) {
    try {
      $facts['PopSettings'] = @{ X509CertificateName = [string](Get-PopSettings -Server $Server).X509CertificateName }
      $facts['ImapSettings'] = @{ X509CertificateName = [string](Get-ImapSettings -Server $Server).X509CertificateName }
    } catch {
      $problems.Add('Get-PopSettings/Get-ImapSettings: ' + $_.Exception.Message)
    }
  }

  if ($serverInfo['IsUnifiedMessagingServer'] -and (Get-Command -Name Get-UMService -ErrorAction SilentlyContinue)) {
    try {
      $facts['UMCertificateThumbprint'] = [string](Get-UMService -Identity $Server).UMCertificateThumbprint
    } catch {
      $problems.Add('Get-UMService: ' + $_.Exception.Message)
    }
  }
  if ($serverInfo['IsClientAccessServer'] -and (Get-Command -Name Get-UMCallRouterSettings -ErrorAction SilentlyContinue)) {
    try {
      $facts['UMCallRouterCertificateThumbprint'] = [string](Get-UMCallRouterSettings -Server $Server).UMCertificateThumbprint
    } catch {
      $problems.Add('Get-UMCallRouterSettings: ' + $_.Exception.Message)
    }
  }

  if (Get-Command -Name Get-ReceiveConnector -ErrorAction SilentlyContinue) {
    try {
      $connectors = @()
      foreach ($connector in @(Get-ReceiveConnector -Server $Server)) {
        $connectors += @{ Kind = 'Receive'; Identity = [string]$connector.Identity; TlsCertificateName = [string]$connector.TlsCertificateName }
      }
      foreach ($connector in @(Get-SendConnector)) {
        $connectors += @{ Kind = 'Send'; Identity = [string]$connector.Identity; TlsCertificateName = [string]$connector.TlsCertificateName }
      }
      $facts['Connectors'] = $connectors
    } catch {
      $problems.Add('Get-ReceiveConnector/Get-SendConnector: ' + $_.Exception.Message)
    }
  }

  $names = @()
  if ($null -ne $facts['PopSettings']) {
    $names += $facts['PopSettings']['X509CertificateName']
    $names += $facts['ImapSettings']['X509CertificateName']
  }
  $certificates = @()
  foreach ($certificate in @(Get-ExchangeCertificate -Server $Server)) {
    $keep = ($null -eq $Thumbprints) -or ($Thumbprints -contains [string](Get-XcertProperty $certificate 'Thumbprint'))
    foreach ($name in $names) {
      if (Test-XcertCoversName $certificate $name) {
        $keep = $true
      }
    }
    if ($keep) {
      $certificates += ConvertTo-XcertCertificate $certificate
    }
  }
  $facts['Certificates'] = $certificates
  $facts['Problems'] = @($problems)
  return $facts
}

# Why `$Certificate` must not be removed from the server `$Facts` describe,
# or '' when nothing protects it. xcert checks the same references before it
# calls remove; this is the last line of defence on the server itself.
function Get-XcertProtection($Facts, $Certificate) {
  $thumbprint = [string](Get-XcertProperty $Certificate 'Thumbprint')
  if ($null -eq (Get-XcertProperty $Certificate 'Services')) {
    return 'its Exchange attributes did not reach this shell (RawData only), so nothing can be checked'
  }
  $auth = $Facts['AuthConfig']
  if ($null -ne $auth) {
    if ($auth['CurrentCertificateThumbprint'] -eq $thumbprint) {
      return 'it is the current Auth (OAuth) certificate'
    }
    if ($auth['NextCertificateThumbprint'] -eq $thumbprint) {
      return 'it is the next Auth (OAuth) certificate'
    }
  }
  if ($Facts['InternalTransportCertificateThumbprint'] -eq $thumbprint) {
    return 'it is the internal transport (default SMTP) certificate'
  }
  foreach ($site in @(Get-XcertProperty $Certificate 'IISServices')) {
    $name = [string](Get-XcertProperty $site 'ServiceName')
    if ($name -like '*/W3SVC/2') {
      return 'it is bound to the Exchange Back End site (:444)'
    }
    if ($name -like '*/W3SVC/1') {
      return 'it is bound to the Default Web Site (:443)'
    }
  }
  foreach ($binding in @($Facts['WebBindings'])) {
    if ($null -ne $binding -and $binding['CertificateHash'] -eq $thumbprint) {
      return ('it is bound to the ' + $binding['Site'] + ' site (' + $binding['BindingInformation'] + ')')
    }
  }
  if ($Facts['UMCertificateThumbprint'] -eq $thumbprint -or $Facts['UMCallRouterCertificateThumbprint'] -eq $thumbprint) {
    return 'it is the UM certificate'
  }
  $tlsName = '<I>' + [string](Get-XcertProperty $Certificate 'Issuer') + '<S>' + [string](Get-XcertProperty $Certificate 'Subject')
  foreach ($connector in @($Facts['Connectors'])) {
    if ($null -ne $connector -and $connector['TlsCertificateName'] -eq $tlsName) {
      return ('connector ' + $connector['Identity'] + ' names it in TlsCertificateName')
    }
  }
  return ''
}
