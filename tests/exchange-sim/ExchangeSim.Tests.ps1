# The Exchange simulator against .NET and against the rules it models
# (tests/exchange-sim/README.md): certificates are checked with .NET's own
# X509 classes and hashes, CAs and PKCS#12 files are made with .NET in
# TestHelpers.ps1, never with the simulator.
using namespace System.Security.Cryptography
using namespace System.Security.Cryptography.X509Certificates

BeforeDiscovery {
  # Prompts fail only in a non-interactive shell (run-tests.sh starts one).
  $script:Interactive = -not ([Environment]::GetCommandLineArgs() | Where-Object { $_ -match '^-noni' })
}

BeforeAll {
  . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
  Import-SimModule
  Import-Module (Join-Path $PSScriptRoot 'iis' 'WebAdministration' 'WebAdministration.psd1') -Force
  function Get-Default([string]$Server) {
    Get-ExchangeCertificate -Server $Server | Where-Object { $_.Subject -eq ('CN=' + $Server) -and [string]$_.RootCAType -eq 'Registry' }
  }
  function Get-SanNames($Certificate) {
    $extension = $Certificate.Extensions | Where-Object { $_.Oid.Value -eq '2.5.29.17' }
    return @([X509SubjectAlternativeNameExtension]::new($extension.RawData, $extension.Critical).EnumerateDnsNames())
  }
}

AfterAll {
  Remove-Item Env:XCERT_SIM_STATE, Env:COMPUTERNAME, Env:XCERT_SIM_CALL_COST -ErrorAction SilentlyContinue
}

Describe 'An organisation as Exchange setup leaves it' {
  BeforeAll {
    New-TestOrganization (Join-Path $TestDrive 'setup') @(@{ Name = 'EX01' }, @{ Name = 'EX02'; Version = '2016' }, @{ Name = 'EDGE01'; Role = 'Edge' })
  }

  It 'gives a Mailbox server the self-signed "Microsoft Exchange" certificate for IMAP, POP, IIS and SMTP' {
    $default = Get-Default 'EX01'
    $default.Subject | Should -BeExactly 'CN=EX01'
    $default.CertificateDomains | Should -Be @('EX01', 'ex01.contoso.com')
    Get-SanNames $default | Should -Be @('EX01', 'ex01.contoso.com')
    [int]$default.Services | Should -Be 27
    [string]$default.Services | Should -BeExactly 'IMAP, POP, IIS, SMTP'
    $default.ServicesStringForm | Should -BeExactly 'IP.WS..'
    [string]$default.Status | Should -BeExactly 'Valid'
    [string]$default.RootCAType | Should -BeExactly 'Registry'
    $default.IsSelfSigned | Should -BeTrue
    $default.HasPrivateKey | Should -BeTrue
    $default.PrivateKeyExportable | Should -BeFalse
    $default.IISServices.ServiceName | Should -Be @('IIS://EX01/W3SVC/1', 'IIS://EX01/W3SVC/2')
    $default.NotBefore.AddMonths(60) | Should -Be $default.NotAfter
    (Get-TransportService -Identity 'EX01').InternalTransportCertificateThumbprint | Should -Be $default.Thumbprint
    (Get-ImapSettings -Server 'EX01').X509CertificateName | Should -BeExactly 'ex01.contoso.com'
  }

  It 'shares the Auth certificate among the Mailbox servers and names it in AuthConfig' {
    $current = (Get-AuthConfig).CurrentCertificateThumbprint
    foreach ($server in 'EX01', 'EX02') {
      $auth = Get-ExchangeCertificate -Server $server -Thumbprint $current
      $auth.Subject | Should -BeExactly 'CN=Microsoft Exchange Server Auth Certificate'
      $auth.CertificateDomains | Should -BeNullOrEmpty
      [string]$auth.RootCAType | Should -BeExactly 'None'
      $auth.PrivateKeyExportable | Should -BeTrue
      [string]$auth.Services | Should -BeExactly 'SMTP'
    }
    @(Get-ExchangeCertificate -Server 'EDGE01' | Where-Object Thumbprint -EQ $current) | Should -HaveCount 0
  }

  It 'lists thumbprints that are the SHA-1 of the DER, newest certificate first' {
    $listed = @(Get-ExchangeCertificate -Server 'EX01')
    $listed | Should -HaveCount 3
    foreach ($certificate in $listed) {
      $certificate.Thumbprint | Should -BeExactly (Get-Sha1Hex $certificate.RawData)
      $certificate.Identity | Should -BeExactly ('ex01.contoso.com\' + $certificate.Thumbprint)
      $certificate | Should -BeOfType ([System.Security.Cryptography.X509Certificates.X509Certificate2])
      $certificate.PSObject.TypeNames[0] | Should -BeExactly 'Microsoft.Exchange.Management.SystemConfigurationTasks.ExchangeCertificate'
    }
    $dates = @($listed | ForEach-Object NotBefore)
    $dates | Should -Be @($dates | Sort-Object -Descending)
  }

  It 'gives the Edge Transport server an SMTP certificate and no IIS, POP or IMAP' {
    $edge = @(Get-ExchangeCertificate -Server 'EDGE01')
    $edge | Should -HaveCount 1
    [string]$edge[0].Services | Should -BeExactly 'SMTP'
    $failure = Get-Failure { Get-ImapSettings -Server 'EDGE01' }
    [string]$failure.CategoryInfo.Category | Should -BeExactly 'NotInstalled'
    $server = Get-ExchangeServer -Identity 'EDGE01'
    $server.ServerRole | Should -BeExactly 'Edge'
    $server.IsEdgeServer | Should -BeTrue
  }

  It 'reports versions and roles as Get-ExchangeServer does' {
    $ex01 = Get-ExchangeServer -Identity 'EX01'
    $ex01.AdminDisplayVersion | Should -Match '^Version 15\.2 \(Build '
    $ex01.IsUnifiedMessagingServer | Should -BeFalse
    (Get-ExchangeServer -Identity 'ex02.contoso.com').IsUnifiedMessagingServer | Should -BeTrue
    @(Get-ExchangeServer) | Should -HaveCount 3
  }

  It 'finds a certificate by thumbprint (any case, spaced), identity and domain name' {
    $default = Get-Default 'EX01'
    $thumbprint = $default.Thumbprint
    (Get-ExchangeCertificate -Server 'EX01' -Thumbprint $thumbprint.ToLowerInvariant()).Thumbprint | Should -Be $thumbprint
    $spaced = ($thumbprint -split '(..)' | Where-Object { $_ }) -join ' '
    (Get-ExchangeCertificate -Server 'EX01' -Thumbprint $spaced).Thumbprint | Should -Be $thumbprint
    (Get-ExchangeCertificate -Identity ('EX01\' + $thumbprint)).Thumbprint | Should -Be $thumbprint
    @(Get-ExchangeCertificate -Server 'EX01' -DomainName 'ex01.contoso.com').Thumbprint | Should -Be @($thumbprint)
  }

  It 'says when a certificate or a server is not there' {
    $failure = Get-Failure { Get-ExchangeCertificate -Server 'EX01' -Thumbprint ('AB' * 20) }
    [string]$failure.CategoryInfo.Category | Should -BeExactly 'ObjectNotFound'
    $failure = Get-Failure { Get-ExchangeServer -Identity 'EX99' }
    $failure.Exception.Message | Should -BeLike "*object 'EX99' couldn't be found*"
  }

  It 'has nothing broken' {
    Get-ExchangeSimProblem | Should -BeNullOrEmpty
  }

  Context 'Edge Subscription (these change the organisation: last)' {
    AfterEach {
      Remove-Item Env:COMPUTERNAME -ErrorAction SilentlyContinue
    }

    It 'subscribes an Edge with its file and asks for a new subscription when its SMTP certificate changes' {
      $file = Join-Path $TestDrive 'EdgeSubscription.xml'
      $env:COMPUTERNAME = 'EDGE01'
      New-EdgeSubscription -FileName $file -Force
      $env:COMPUTERNAME = 'EX01'
      New-EdgeSubscription -FileData ([IO.File]::ReadAllBytes($file)) -Site 'Default-First-Site-Name'
      (Get-EdgeSubscription).Name | Should -BeExactly 'EDGE01'
      @(Get-SendConnector | ForEach-Object Name) | Should -Contain 'EdgeSync - Default-First-Site-Name to Internet'
      Get-ExchangeSimProblem | Should -BeNullOrEmpty
      $env:COMPUTERNAME = 'EDGE01'
      $new = New-ExchangeCertificate -SubjectName 'CN=edge01.contoso.com' -Services None
      Enable-ExchangeCertificate -Thumbprint $new.Thumbprint -Services SMTP -Force -WarningVariable warnings -WarningAction SilentlyContinue
      $warnings | Should -BeLike '*Re-create the Edge Subscription*'
      Get-ExchangeSimProblem | Should -Be @('EDGE01: its internal transport certificate changed after it subscribed; re-create the Edge Subscription')
    }

    It 'keeps an Edge apart: its shell sees only itself, and other shells do not reach it' {
      $env:COMPUTERNAME = 'EDGE01'
      @(Get-ExchangeServer).Name | Should -Be @('EDGE01')
      (Get-Failure { Get-ExchangeCertificate -Server 'EX01' }).Exception.Message | Should -BeLike "*object 'EX01' couldn't be found*"
      $env:COMPUTERNAME = 'EX01'
      (Get-Failure { Get-ExchangeCertificate -Server 'EDGE01' }).Exception.Message | Should -BeLike "*object 'EDGE01' couldn't be found*"
    }
  }
}

Describe 'New-ExchangeCertificate' {
  BeforeAll {
    New-TestOrganization (Join-Path $TestDrive 'new')
    $script:Default = (Get-Default 'EX01').Thumbprint
  }

  It 'makes a self-signed certificate for 60 months with the CN among its names, and no service with -Services None' {
    $made = New-ExchangeCertificate -Server 'EX01' -SubjectName 'CN=mail.contoso.com, O=Contoso' -DomainName 'autodiscover.contoso.com' `
      -FriendlyName 'mail' -PrivateKeyExportable $true -Services None
    $made.Subject | Should -BeExactly 'CN=mail.contoso.com, O=Contoso'
    Get-SanNames $made | Should -Be @('mail.contoso.com', 'autodiscover.contoso.com')
    $made.CertificateDomains | Should -Be @('mail.contoso.com', 'autodiscover.contoso.com')
    [int]$made.Services | Should -Be 0
    [string]$made.RootCAType | Should -BeExactly 'None'
    [string]$made.Status | Should -BeExactly 'Valid'
    $made.PrivateKeyExportable | Should -BeTrue
    $made.FriendlyName | Should -BeExactly 'mail'
    $made.PublicKeySize | Should -Be 2048
    $made.NotBefore.AddMonths(60) | Should -Be $made.NotAfter
    $made.SignatureAlgorithm.FriendlyName | Should -BeExactly 'sha256RSA'
    (Get-TransportService -Identity 'EX01').InternalTransportCertificateThumbprint | Should -Be $script:Default
  }

  It 'defaults to CN=<server>, the server''s names, non-exportable, "Microsoft Exchange"' {
    $made = New-ExchangeCertificate -Server 'EX01' -Services None
    $made.Subject | Should -BeExactly 'CN=EX01'
    [string]$made.RootCAType | Should -BeExactly 'None'
    $made.CertificateDomains | Should -Be @('EX01', 'ex01.contoso.com')
    $made.PrivateKeyExportable | Should -BeFalse
    $made.FriendlyName | Should -BeExactly 'Microsoft Exchange'
  }

  It 'asks before replacing the default SMTP certificate, which a non-interactive shell cannot answer' -Skip:$Interactive {
    $before = @(Get-ExchangeCertificate -Server 'EX01').Count
    { New-ExchangeCertificate -Server 'EX01' -DomainName 'smtp.contoso.com' } | Should -Throw '*NonInteractive*'
    @(Get-ExchangeCertificate -Server 'EX01').Count | Should -Be $before
  }

  It 'replaces the internal transport certificate with -Force' {
    $made = New-ExchangeCertificate -Server 'EX01' -DomainName 'smtp.contoso.com' -Force
    [string]$made.Services | Should -BeExactly 'SMTP'
    (Get-TransportService -Identity 'EX01').InternalTransportCertificateThumbprint | Should -Be $made.Thumbprint
  }

  It 'refuses key sizes other than 1024, 2048 and 4096, and names that are not DNS names' {
    (Get-Failure { New-ExchangeCertificate -Server 'EX01' -KeySize 3072 -Services None }).Exception.Message | Should -BeLike '*key size 3072*'
    (Get-Failure { New-ExchangeCertificate -Server 'EX01' -DomainName 'not a name' -Services None }).Exception.Message | Should -BeLike "*'not a name' isn't valid*"
  }

  It 'makes a pending request whose PKCS#10 .NET reads back' {
    $text = New-ExchangeCertificate -Server 'EX01' -GenerateRequest -SubjectName 'CN=req.contoso.com' -DomainName 'req.contoso.com', 'www.contoso.com' -FriendlyName 'req'
    $text | Should -Match '^-----BEGIN NEW CERTIFICATE REQUEST-----'
    $csr = [CertificateRequest]::LoadSigningRequestPem(($text -replace 'NEW CERTIFICATE REQUEST', 'CERTIFICATE REQUEST'),
      [HashAlgorithmName]::SHA256, [CertificateRequestLoadOptions]::UnsafeLoadCertificateExtensions)
    $csr.SubjectName.Name | Should -BeExactly 'CN=req.contoso.com'
    $csr.PublicKey.GetRSAPublicKey().ExportParameters($false).Modulus.Length * 8 | Should -Be 2048
    $pending = @(Get-ExchangeCertificate -Server 'EX01' | Where-Object FriendlyName -EQ 'req')
    $pending | Should -HaveCount 1
    [string]$pending[0].Status | Should -BeExactly 'PendingRequest'
    [string]$pending[0].RootCAType | Should -BeExactly 'Unknown'
    $pending[0].IsSelfSigned | Should -BeFalse
    $pending[0].CertificateRequest | Should -BeExactly $text
    [int]$pending[0].Services | Should -Be 0
  }

  It 'gives the request as DER in FileData with -BinaryEncoded' {
    $binary = New-ExchangeCertificate -Server 'EX01' -GenerateRequest -BinaryEncoded -SubjectName 'CN=bin.contoso.com' -FriendlyName 'bin'
    $csr = [CertificateRequest]::LoadSigningRequest($binary.FileData, [HashAlgorithmName]::SHA256)
    $csr.SubjectName.Name | Should -BeExactly 'CN=bin.contoso.com'
  }

  It 'renews a piped certificate with its names and friendly name' {
    $old = New-ExchangeCertificate -Server 'EX01' -SubjectName 'CN=renew.contoso.com' -DomainName 'renew.contoso.com', 'r2.contoso.com' -FriendlyName 'renew' -Services None
    $new = Get-ExchangeCertificate -Server 'EX01' -Thumbprint $old.Thumbprint | New-ExchangeCertificate -Server 'EX01' -Services None
    $new.Thumbprint | Should -Not -Be $old.Thumbprint
    $new.Subject | Should -BeExactly 'CN=renew.contoso.com'
    $new.CertificateDomains | Should -Be @('renew.contoso.com', 'r2.contoso.com')
    $new.FriendlyName | Should -BeExactly 'renew'
  }

  It 'rejects parameters Exchange does not have and -Services with -GenerateRequest' {
    { New-ExchangeCertificate -Server 'EX01' -GenerateRequest -RequestFile 'x.req' } | Should -Throw -ErrorId 'NamedParameterNotFound,New-ExchangeCertificate'
    { New-ExchangeCertificate -Server 'EX01' -GenerateRequest -Services IIS } | Should -Throw -ErrorId 'AmbiguousParameterSet,New-ExchangeCertificate'
    { New-ExchangeCertificate -Server 'EX01' -ValidityPeriod 365 } | Should -Throw -ErrorId 'NamedParameterNotFound,New-ExchangeCertificate'
  }
}

Describe 'Import-ExchangeCertificate and Export-ExchangeCertificate' {
  BeforeAll {
    New-TestOrganization (Join-Path $TestDrive 'import') @(@{ Name = 'EX01' }, @{ Name = 'EX02' })
    $script:Ca = New-TestCa
    $script:Pfx = New-TestPfx 'CN=mail.contoso.com' @('mail.contoso.com') 'Secret#1' $script:Ca
  }

  It 'imports a PKCS#12 made by .NET: its leaf, with the key, not exportable by default, untrusted CA' {
    $imported = Import-ExchangeCertificate -Server 'EX01' -FileData $script:Pfx.Data -Password (ConvertTo-TestSecret 'Secret#1')
    $imported.Thumbprint | Should -BeExactly $script:Pfx.Thumbprint
    $imported.HasPrivateKey | Should -BeTrue
    $imported.PrivateKeyExportable | Should -BeFalse
    [string]$imported.Status | Should -BeExactly 'Untrusted'
    [int]$imported.Services | Should -Be 0
    @(Get-ExchangeCertificate -Server 'EX01' | Where-Object Thumbprint -EQ $script:Ca.Thumbprint) | Should -HaveCount 0
  }

  It 'shows the certificate Valid under its CA once the organisation trusts the CA' {
    Add-ExchangeSimTrustedRoot -Certificate $script:Ca
    $listed = Get-ExchangeCertificate -Server 'EX01' -Thumbprint $script:Pfx.Thumbprint
    [string]$listed.Status | Should -BeExactly 'Valid'
    [string]$listed.RootCAType | Should -BeExactly 'ThirdParty'
    $listed.IsSelfSigned | Should -BeFalse
  }

  It 'refuses a thumbprint that is already there' {
    $failure = Get-Failure { Import-ExchangeCertificate -Server 'EX01' -FileData $script:Pfx.Data -Password (ConvertTo-TestSecret 'Secret#1') }
    $failure.Exception.Message | Should -BeExactly ('Cannot import certificate. A certificate with the thumbprint ' + $script:Pfx.Thumbprint + ' already exists.')
    [string]$failure.CategoryInfo.Category | Should -BeExactly 'ResourceExists'
  }

  It 'refuses a wrong password' {
    $failure = Get-Failure { Import-ExchangeCertificate -Server 'EX02' -FileData $script:Pfx.Data -Password (ConvertTo-TestSecret 'wrong') }
    [string]$failure.CategoryInfo.Category | Should -BeExactly 'InvalidData'
    @(Get-ExchangeCertificate -Server 'EX02' | Where-Object Thumbprint -EQ $script:Pfx.Thumbprint) | Should -HaveCount 0
  }

  It 'completes a pending request with the CA''s answer (DER, PEM or PKCS#7) once the CA is trusted' {
    foreach ($form in 'Der', 'Pem', 'Pkcs7') {
      $csr = New-ExchangeCertificate -Server 'EX02' -GenerateRequest -BinaryEncoded -SubjectName ('CN=' + $form + '.contoso.com') `
        -PrivateKeyExportable $true -FriendlyName $form
      $answer = Invoke-TestCaSign $script:Ca $csr.FileData
      $data = switch ($form) {
        'Der' { $answer.RawData }
        'Pem' { [Text.Encoding]::ASCII.GetBytes($answer.ExportCertificatePem()) }
        'Pkcs7' {
          $chain = [X509Certificate2Collection]::new()
          [void]$chain.Add($answer)
          [void]$chain.Add([X509CertificateLoader]::LoadCertificate($script:Ca.RawData))
          $chain.Export([X509ContentType]::Pkcs7)
        }
      }
      $completed = Import-ExchangeCertificate -Server 'EX02' -FileData $data
      $completed.Thumbprint | Should -BeExactly $answer.Thumbprint
      $completed.HasPrivateKey | Should -BeTrue
      $completed.PrivateKeyExportable | Should -BeTrue
      $completed.FriendlyName | Should -BeExactly $form
      [string]$completed.Status | Should -BeExactly 'Valid'
      @(Get-ExchangeCertificate -Server 'EX02' | Where-Object { [string]$_.Status -eq 'PendingRequest' -and $_.FriendlyName -eq $form }) | Should -HaveCount 0
    }
  }

  It 'refuses to complete a request when the CA is not trusted, and keeps the request' {
    $otherCa = New-TestCa 'Unknown Root'
    $csr = New-ExchangeCertificate -Server 'EX02' -GenerateRequest -BinaryEncoded -SubjectName 'CN=untrusted.contoso.com' -FriendlyName 'untrusted'
    $failure = Get-Failure { Import-ExchangeCertificate -Server 'EX02' -FileData (Invoke-TestCaSign $otherCa $csr.FileData).RawData }
    $failure.FullyQualifiedErrorId | Should -BeLike 'ImportCertificateUntrustedRoot,*'
    @(Get-ExchangeCertificate -Server 'EX02' | Where-Object FriendlyName -EQ 'untrusted') | Should -HaveCount 1
  }

  It 'stores a certificate without a key that no request matches, and does not list it (PrivateKeyMissing)' {
    $stray = New-TestPfx 'CN=stray.contoso.com' @('stray.contoso.com') 'x' $script:Ca
    $null = Import-ExchangeCertificate -Server 'EX02' -FileData $stray.Certificate.RawData
    @(Get-ExchangeCertificate -Server 'EX02' | Where-Object Thumbprint -EQ $stray.Thumbprint) | Should -HaveCount 0
    (Get-Failure { Get-ExchangeCertificate -Server 'EX02' -Thumbprint $stray.Thumbprint }).Exception.Message | Should -BeLike '*not valid for use with Exchange Server (reason: PrivateKeyMissing)*'
  }

  It 'has no -FileName (removed by the 2022 H1 updates)' {
    { Import-ExchangeCertificate -Server 'EX01' -FileName '\\server\share\cert.pfx' } | Should -Throw -ErrorId 'NamedParameterNotFound,Import-ExchangeCertificate'
  }

  Context 'Export-ExchangeCertificate' {
    BeforeAll {
      $script:Exportable = New-ExchangeCertificate -Server 'EX01' -SubjectName 'CN=copy.contoso.com' -PrivateKeyExportable $true -Services None
    }

    It 'exports a PKCS#12 that .NET opens with the password, with the key, and that imports elsewhere with the same thumbprint' {
      $export = Export-ExchangeCertificate -Server 'EX01' -Thumbprint $script:Exportable.Thumbprint -BinaryEncoded -Password (ConvertTo-TestSecret 'Copy#1')
      $opened = [X509CertificateLoader]::LoadPkcs12($export.FileData, 'Copy#1')
      $opened.Thumbprint | Should -BeExactly $script:Exportable.Thumbprint
      $opened.HasPrivateKey | Should -BeTrue
      { [X509CertificateLoader]::LoadPkcs12($export.FileData, 'other') } | Should -Throw
      $copy = Import-ExchangeCertificate -Server 'EX02' -FileData $export.FileData -Password (ConvertTo-TestSecret 'Copy#1') -PrivateKeyExportable $true
      $copy.Thumbprint | Should -BeExactly $script:Exportable.Thumbprint
      $copy.PrivateKeyExportable | Should -BeTrue
    }

    It 'refuses a key that is not exportable, and an empty password' {
      $default = Get-Default 'EX01'
      $failure = Get-Failure { Export-ExchangeCertificate -Server 'EX01' -Thumbprint $default.Thumbprint -BinaryEncoded -Password (ConvertTo-TestSecret 'x') }
      $failure.Exception.Message | Should -BeLike '*has a private key that is not exportable*'
      $failure = Get-Failure { Export-ExchangeCertificate -Server 'EX01' -Thumbprint $script:Exportable.Thumbprint -BinaryEncoded }
      $failure.Exception.Message | Should -BeLike '*requires that a password be specified*'
    }

    It 'exports a pending request as its PKCS#10' {
      $text = New-ExchangeCertificate -Server 'EX01' -GenerateRequest -SubjectName 'CN=again.contoso.com' -FriendlyName 'again'
      $pending = Get-ExchangeCertificate -Server 'EX01' | Where-Object FriendlyName -EQ 'again'
      Export-ExchangeCertificate -Server 'EX01' -Thumbprint $pending.Thumbprint | Should -BeExactly $text
    }

    It 'has no -FileName (removed by the 2022 H1 updates)' {
      { Export-ExchangeCertificate -Server 'EX01' -Thumbprint $script:Exportable.Thumbprint -FileName 'c:\x.pfx' } | Should -Throw -ErrorId 'NamedParameterNotFound,Export-ExchangeCertificate'
    }
  }
}

Describe 'Enable-ExchangeCertificate' {
  BeforeAll {
    New-TestOrganization (Join-Path $TestDrive 'enable') @(@{ Name = 'EX01' })
    $script:Default = (Get-Default 'EX01').Thumbprint
    function New-Mail([string]$Name) {
      (New-ExchangeCertificate -Server 'EX01' -SubjectName ('CN=' + $Name) -DomainName $Name, ('autodiscover.' + $Name) -Services None).Thumbprint
    }
    function Get-Services([string]$Thumbprint) {
      [string](Get-ExchangeCertificate -Server 'EX01' -Thumbprint $Thumbprint).Services
    }
  }

  It 'asks before requiring SSL on the Default Web Site without -Force (unanswerable here) unless -DoNotRequireSsl' -Skip:$Interactive {
    $mail = New-Mail 'ssl.contoso.com'
    { Enable-ExchangeCertificate -Server 'EX01' -Thumbprint $mail -Services IIS } | Should -Throw '*NonInteractive*'
    Get-Services $mail | Should -BeExactly 'None'
    Enable-ExchangeCertificate -Server 'EX01' -Thumbprint $mail -Services IIS -DoNotRequireSsl
    Get-Services $mail | Should -BeExactly 'IIS'
  }

  It 'moves the Default Web Site (:443) to the certificate; the Exchange Back End (:444) keeps the default certificate' {
    $mail = New-Mail 'mail.contoso.com'
    Enable-ExchangeCertificate -Server 'EX01' -Thumbprint $mail -Services IIS -Force
    $sites = (Get-ExchangeSimState 'EX01').WebSites
    @(($sites | Where-Object Id -EQ 1).Bindings | Where-Object protocol -EQ 'https' | ForEach-Object certificateHash) | Should -Be @($mail, $mail)
    (($sites | Where-Object Id -EQ 2).Bindings | Where-Object protocol -EQ 'https').certificateHash | Should -Be $script:Default
    Get-Services $mail | Should -BeExactly 'IIS'
    (Get-ExchangeCertificate -Server 'EX01' -Thumbprint $mail).IISServices.ServiceName | Should -Be @('IIS://EX01/W3SVC/1')
    $default = Get-ExchangeCertificate -Server 'EX01' -Thumbprint $script:Default
    [int]$default.Services | Should -Be 27
    $default.IISServices.ServiceName | Should -Be @('IIS://EX01/W3SVC/2')
  }

  It 'names the certificate''s first FQDN for POP and IMAP, which the default certificate then loses' {
    $mail = New-Mail 'pop.contoso.com'
    Enable-ExchangeCertificate -Server 'EX01' -Thumbprint $mail -Services 'IMAP,POP' -Force
    (Get-ImapSettings -Server 'EX01').X509CertificateName | Should -BeExactly 'pop.contoso.com'
    (Get-PopSettings -Server 'EX01').X509CertificateName | Should -BeExactly 'pop.contoso.com'
    # POP and IMAP also let NETWORK SERVICE read the key, which shows as SMTP.
    Get-Services $mail | Should -BeExactly 'IMAP, POP, SMTP'
    Get-Services $script:Default | Should -BeExactly 'IIS, SMTP'
  }

  It 'only adds services' {
    $mail = New-Mail 'add.contoso.com'
    Enable-ExchangeCertificate -Server 'EX01' -Thumbprint $mail -Services IIS -Force
    Enable-ExchangeCertificate -Server 'EX01' -Thumbprint $mail -Services POP -Force
    Get-Services $mail | Should -BeExactly 'POP, IIS, SMTP'
  }

  It 'gives SMTP without replacing the internal transport certificate with -Services None -NetworkServiceAllowed' {
    $mail = New-Mail 'acl.contoso.com'
    Enable-ExchangeCertificate -Server 'EX01' -Thumbprint $mail -Services None -NetworkServiceAllowed
    Get-Services $mail | Should -BeExactly 'SMTP'
    (Get-TransportService -Identity 'EX01').InternalTransportCertificateThumbprint | Should -Be $script:Default
  }

  It 'asks before replacing the internal transport certificate for SMTP (unanswerable here); -Force replaces it' -Skip:$Interactive {
    $mail = New-Mail 'smtp.contoso.com'
    $before = (Get-TransportService -Identity 'EX01').InternalTransportCertificateThumbprint
    { Enable-ExchangeCertificate -Server 'EX01' -Thumbprint $mail -Services SMTP } | Should -Throw '*NonInteractive*'
    (Get-TransportService -Identity 'EX01').InternalTransportCertificateThumbprint | Should -Be $before
    Enable-ExchangeCertificate -Server 'EX01' -Thumbprint $mail -Services SMTP -Force
    (Get-TransportService -Identity 'EX01').InternalTransportCertificateThumbprint | Should -Be $mail
  }

  It 'refuses Federation, a pending request, a wildcard for POP/IMAP and UM on Exchange 2019' {
    $mail = New-Mail 'refused.contoso.com'
    (Get-Failure { Enable-ExchangeCertificate -Server 'EX01' -Thumbprint $mail -Services Federation }).Exception.Message |
      Should -BeExactly 'Federation certificates can only be managed through the FederationTrust tasks.'
    $null = New-ExchangeCertificate -Server 'EX01' -GenerateRequest -SubjectName 'CN=p.contoso.com' -FriendlyName 'p'
    $pending = (Get-ExchangeCertificate -Server 'EX01' | Where-Object FriendlyName -EQ 'p').Thumbprint
    (Get-Failure { Enable-ExchangeCertificate -Server 'EX01' -Thumbprint $pending -Services IIS -Force }).Exception.Message | Should -BeLike '*pending request*'
    $wildcard = (New-ExchangeCertificate -Server 'EX01' -SubjectName 'CN=*.contoso.com' -DomainName '*.contoso.com' -Services None).Thumbprint
    (Get-Failure { Enable-ExchangeCertificate -Server 'EX01' -Thumbprint $wildcard -Services IMAP -Force }).Exception.Message | Should -BeLike '*wildcard*'
    [string](Get-Failure { Enable-ExchangeCertificate -Server 'EX01' -Thumbprint $mail -Services UM -Force }).CategoryInfo.Category | Should -BeExactly 'NotInstalled'
    Get-Services $mail | Should -BeExactly 'None'
  }

  It 'changes nothing with -WhatIf' {
    $mail = New-Mail 'whatif.contoso.com'
    Enable-ExchangeCertificate -Server 'EX01' -Thumbprint $mail -Services 'IIS,IMAP' -Force -WhatIf
    Get-Services $mail | Should -BeExactly 'None'
  }

  It 'rejects parameters Exchange does not have, and -Identity with -Server' {
    { Enable-ExchangeCertificate -Server 'EX01' -Thumbprint $script:Default -Services IIS -Validity 5 } | Should -Throw -ErrorId 'NamedParameterNotFound,Enable-ExchangeCertificate'
    { Enable-ExchangeCertificate -Identity ('EX01\' + $script:Default) -Server 'EX01' -Services IIS } | Should -Throw -ErrorId 'AmbiguousParameterSet,Enable-ExchangeCertificate'
  }
}

Describe 'Remove-ExchangeCertificate' {
  BeforeAll {
    New-TestOrganization (Join-Path $TestDrive 'remove') @(@{ Name = 'EX01' })
    $script:Default = (Get-Default 'EX01').Thumbprint
    function New-Spare([string]$Name) {
      New-ExchangeCertificate -Server 'EX01' -SubjectName ('CN=' + $Name) -DomainName $Name -Services None
    }
    function Test-Listed([string]$Thumbprint) {
      @(Get-ExchangeCertificate -Server 'EX01' | Where-Object Thumbprint -EQ $Thumbprint).Count -eq 1
    }
  }

  It 'refuses the internal transport certificate with Exchange''s words' {
    (Get-Failure { Remove-ExchangeCertificate -Server 'EX01' -Thumbprint $script:Default -Confirm:$false }).Exception.Message |
      Should -BeLike 'The internal transport certificate cannot be removed because that would cause the Microsoft Exchange Transport service to stop.*'
  }

  It 'refuses a certificate a Send connector names in TlsCertificateName' {
    $spare = New-Spare 'tagged.contoso.com'
    Add-ExchangeSimSendConnector -Name 'Outbound to Office 365' -SourceTransportServers 'EX01' `
      -TlsCertificateName ('<I>' + $spare.Issuer + '<S>' + $spare.Subject)
    (Get-Failure { Remove-ExchangeCertificate -Server 'EX01' -Thumbprint $spare.Thumbprint -Confirm:$false }).Exception.Message |
      Should -BeLike '*tagged with following Send Connectors : Outbound to Office 365*'
  }

  It 'asks for confirmation, which a non-interactive shell cannot answer, unless -Confirm:$false or $ConfirmPreference is None' -Skip:$Interactive {
    $spare = New-Spare 'confirm.contoso.com'
    { Remove-ExchangeCertificate -Server 'EX01' -Thumbprint $spare.Thumbprint } | Should -Throw '*NonInteractive*'
    Test-Listed $spare.Thumbprint | Should -BeTrue
    & {
      $ConfirmPreference = 'None'
      Remove-ExchangeCertificate -Server 'EX01' -Thumbprint $spare.Thumbprint
    }
    Test-Listed $spare.Thumbprint | Should -BeFalse
  }

  It 'keeps the certificate with -WhatIf, removes it with -Confirm:$false' {
    $spare = New-Spare 'whatif.contoso.com'
    Remove-ExchangeCertificate -Server 'EX01' -Thumbprint $spare.Thumbprint -WhatIf
    Test-Listed $spare.Thumbprint | Should -BeTrue
    Remove-ExchangeCertificate -Server 'EX01' -Thumbprint $spare.Thumbprint -Confirm:$false
    Test-Listed $spare.Thumbprint | Should -BeFalse
  }

  It 'removes what Exchange does not check (the :443/:444 certificate, the Auth certificate), and the damage shows' {
    Get-ExchangeSimProblem | Should -BeNullOrEmpty
    $spare = New-Spare 'next.contoso.com'
    Enable-ExchangeCertificate -Server 'EX01' -Thumbprint $spare.Thumbprint -Services SMTP -Force
    Remove-ExchangeCertificate -Server 'EX01' -Thumbprint $script:Default -Confirm:$false
    Remove-ExchangeCertificate -Server 'EX01' -Thumbprint (Get-AuthConfig).CurrentCertificateThumbprint -Confirm:$false
    $problems = @(Get-ExchangeSimProblem)
    $problems | Should -Contain ('EX01: the Exchange Back End binding *:444: names ' + $script:Default + ', which is not in the certificate store')
    @($problems | Where-Object { $_ -like 'EX01: the current Auth certificate names *' }) | Should -HaveCount 1
    @($problems | Where-Object { $_ -like '*IMAP name ex01.contoso.com*' }) | Should -HaveCount 1
  }
}

Describe 'AuthConfig, connectors, settings, Unified Messaging, Windows and the cost model' {
  BeforeAll {
    New-TestOrganization (Join-Path $TestDrive 'config') @(@{ Name = 'EX01' }, @{ Name = 'EX02' }, @{ Name = 'UM16'; Version = '2016' })
  }
  AfterEach {
    Remove-Item Env:COMPUTERNAME, Env:XCERT_SIM_CALL_COST -ErrorAction SilentlyContinue
  }

  Context 'AuthConfig, connectors, POP/IMAP settings and the hybrid configuration' {
    It 'stages, publishes and clears Auth certificates and copies a new one to the other servers' {
      $old = (Get-AuthConfig).CurrentCertificateThumbprint
      $next = New-ExchangeCertificate -Server 'EX01' -SubjectName 'CN=Microsoft Exchange Server Auth Certificate' -DomainName @() `
        -FriendlyName 'Microsoft Exchange Server Auth Certificate' -PrivateKeyExportable $true -Services None
      $when = [DateTime]::Now.AddDays(2)
      Set-AuthConfig -NewCertificateThumbprint $next.Thumbprint -NewCertificateEffectiveDate $when -Force
      $auth = Get-AuthConfig
      $auth.NextCertificateThumbprint | Should -Be $next.Thumbprint
      $auth.NextCertificateEffectiveDate | Should -Be $when
      (Get-ExchangeCertificate -Server 'EX02' -Thumbprint $next.Thumbprint).Thumbprint | Should -Be $next.Thumbprint
      Set-AuthConfig -PublishCertificate -Force
      (Get-AuthConfig).CurrentCertificateThumbprint | Should -Be $next.Thumbprint
      (Get-AuthConfig).PreviousCertificateThumbprint | Should -Be $old
      Set-AuthConfig -ClearPreviousCertificate -Force
      (Get-AuthConfig).PreviousCertificateThumbprint | Should -BeNullOrEmpty
    }

    It 'sets a Receive connector''s TlsCertificateName and refuses a value that is not <I>issuer<S>subject' {
      $name = '<I>CN=mail.contoso.com<S>CN=mail.contoso.com'
      Set-ReceiveConnector -Identity 'EX01\Default Frontend EX01' -TlsCertificateName $name
      (Get-ReceiveConnector -Identity 'Default Frontend EX01').TlsCertificateName | Should -BeExactly $name
      @(Get-ReceiveConnector -Server 'EX02') | Should -HaveCount 5
      { Set-ReceiveConnector -Identity 'EX01\Default Frontend EX01' -TlsCertificateName 'mail.contoso.com' } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Set-ReceiveConnector'
      { Set-ReceiveConnector -Identity 'EX01\Default Frontend EX01' -Thumbprint 'AB' } | Should -Throw -ErrorId 'NamedParameterNotFound,Set-ReceiveConnector'
    }

    It 'moves IMAP to the certificate Set-ImapSettings names' {
      $imap = New-ExchangeCertificate -Server 'EX01' -SubjectName 'CN=imap.contoso.com' -DomainName 'imap.contoso.com' -Services None
      Set-ImapSettings -Server 'EX01' -X509CertificateName 'imap.contoso.com'
      [string](Get-ExchangeCertificate -Server 'EX01' -Thumbprint $imap.Thumbprint).Services | Should -BeExactly 'IMAP'
      [string](Get-Default 'EX01').Services | Should -BeExactly 'POP, IIS, SMTP'
    }

    It 'has no hybrid configuration unless the organisation was made with one' {
      Get-HybridConfiguration | Should -BeNullOrEmpty
      [string](Get-Failure { Set-HybridConfiguration -TlsCertificateName '<I>CN=a<S>CN=b' }).CategoryInfo.Category | Should -BeExactly 'ObjectNotFound'
    }
  }

  Context 'Unified Messaging on Exchange 2016' {
    BeforeAll {
      $script:Um = (New-ExchangeCertificate -Server 'UM16' -SubjectName 'CN=um.contoso.com' -DomainName 'um.contoso.com' -Services None).Thumbprint
    }

    It 'refuses UM while UMStartupMode is TCP, accepts it in Dual mode, and then refuses to remove the certificate' {
      (Get-Failure { Enable-ExchangeCertificate -Server 'UM16' -Thumbprint $script:Um -Services UM -Force }).Exception.Message | Should -BeLike '*UMStartupMode is TCP*'
      Set-UMService -Identity 'UM16' -UMStartupMode Dual
      Enable-ExchangeCertificate -Server 'UM16' -Thumbprint $script:Um -Services UM -Force
      (Get-UMService -Identity 'UM16').UMCertificateThumbprint | Should -Be $script:Um
      [string](Get-ExchangeCertificate -Server 'UM16' -Thumbprint $script:Um).Services | Should -BeExactly 'UM'
      (Get-Failure { Remove-ExchangeCertificate -Server 'UM16' -Thumbprint $script:Um -Confirm:$false }).Exception.Message | Should -BeLike '*used by UM*'
    }
  }

  Context 'Windows around Exchange: services, iisreset, IIS bindings' {
    It 'restarts a service found with Get-Service -ComputerName, or by name on the local server' {
      Restart-Service -InputObject (Get-Service -ComputerName 'EX02' -Name 'MSExchangeIMAP4')
      $env:COMPUTERNAME = 'EX01'
      Restart-Service -Name 'MSExchangePOP3'
      (Get-ExchangeSimState 'EX02').Services.MSExchangeIMAP4.Restarts | Should -Be 1
      (Get-ExchangeSimState 'EX01').Services.MSExchangePOP3.Restarts | Should -Be 1
      (Get-ExchangeSimState 'EX01').Services.MSExchangeIMAP4.Restarts | Should -Be 0
      (Get-Failure { Get-Service -ComputerName 'EX01' -Name 'MSExchangeNope' }).Exception.Message | Should -BeExactly "Cannot find any service with service name 'MSExchangeNope'."
    }

    It 'runs iisreset like the program: output, $LASTEXITCODE, a record of the reset' {
      $output = & iisreset.exe 'EX02' /noforce
      $LASTEXITCODE | Should -Be 0
      $output | Should -Contain 'Internet services successfully restarted'
      @((Get-ExchangeSimState 'EX02').IisResets) | Should -HaveCount 1
      $null = & iisreset.exe 'NOSUCH' /noforce
      $LASTEXITCODE | Should -Not -Be 0
      Set-ExchangeSimFault -Server 'EX02' -Command 'iisreset' -Message 'Access denied' -ExitCode 5
      $null = & iisreset.exe 'EX02' /noforce
      $LASTEXITCODE | Should -Be 5
    }

    It 'shows the local server''s https bindings with Get-WebBinding and recycles application pools' {
      $env:COMPUTERNAME = 'EX01'
      $bindings = @(Get-WebBinding -Protocol 'https')
      $bindings.bindingInformation | Should -Be @(':443:', '127.0.0.1:443:', '*:444:')
      $bindings[2].ItemXPath | Should -BeExactly "/system.applicationHost/sites/site[@name='Exchange Back End' and @id='2']"
      Restart-WebAppPool -Name 'MSExchangeOWAAppPool'
      (Get-ExchangeSimState 'EX01').AppPools.MSExchangeOWAAppPool.Restarts | Should -Be 1
    }
  }

  Context 'Cost model and faults' {
    It 'makes every cmdlet call cost XCERT_SIM_CALL_COST seconds and logs it' {
      $env:XCERT_SIM_CALL_COST = '0.3'
      $clock = [Diagnostics.Stopwatch]::StartNew()
      $null = Get-ExchangeServer -Identity 'EX01'
      $null = Get-TransportService -Identity 'EX01'
      $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.6
      $log = Get-Content (Join-Path $env:XCERT_SIM_STATE 'sim.log')
      @($log | Where-Object { $_ -match " $PID call Get-TransportService EX01$" }) | Should -HaveCount 1
    }

    It 'fails a command on a server as set with Set-ExchangeSimFault' {
      Set-ExchangeSimFault -Server 'EX01' -Command 'Get-TransportService'
      $failure = Get-Failure { Get-TransportService -Identity 'EX01' }
      $failure.Exception.Message | Should -BeExactly 'Access is denied.'
      [string]$failure.CategoryInfo.Category | Should -BeExactly 'PermissionDenied'
      Set-ExchangeSimFault -Server 'EX01' -Command 'Get-TransportService' -Clear
      (Get-TransportService -Identity 'EX01').Name | Should -BeExactly 'EX01'
    }
  }
}
