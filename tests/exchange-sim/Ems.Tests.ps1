# tests/exchange-sim/ems.ps1 as xcert's transport: xcert's own operation
# scripts (resources/exchange/scripts), sent on stdin exactly as xcert builds
# them, run in a new pwsh against the simulator; the answers are checked
# against the simulator's state and .NET.
using namespace System.Security.Cryptography.X509Certificates

BeforeAll {
  . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
  Import-SimModule
  New-TestOrganization (Join-Path $TestDrive 'ems') @(@{ Name = 'EX01' }, @{ Name = 'EDGE01'; Role = 'Edge' })
}

AfterAll {
  Remove-Item Env:XCERT_SIM_STATE, Env:XCERT_SIM_START_COST -ErrorAction SilentlyContinue
}

Describe 'ems.ps1 runs xcert''s scripts as Exchange Management Shell would' {
  It 'answers list with the server''s facts, after paying the start cost once' {
    $env:XCERT_SIM_START_COST = '1'
    try {
      $run = Invoke-Ems 'EX01' (New-XcertPayload 'list' @{ server = 'EX01' })
    } finally {
      Remove-Item Env:XCERT_SIM_START_COST
    }
    $run.ExitCode | Should -Be 0
    $run.Seconds | Should -BeGreaterOrEqual 1
    $run.Answer.ok | Should -BeTrue
    $state = $run.Answer.State
    $state.Server.Name | Should -BeExactly 'EX01'
    $state.Local | Should -BeTrue
    $state.Problems | Should -BeNullOrEmpty
    $default = (Get-ExchangeCertificate -Server 'EX01' | Where-Object FriendlyName -EQ 'Microsoft Exchange').Thumbprint
    $state.InternalTransportCertificateThumbprint | Should -Be $default
    @($state.WebBindings | ForEach-Object { $_.Site + ' ' + $_.BindingInformation + ' ' + $_.CertificateHash }) |
      Should -Be @("Default Web Site :443: $default", "Default Web Site 127.0.0.1:443: $default", "Exchange Back End *:444: $default")
    $listed = @($state.Certificates | ForEach-Object { $_.Thumbprint }) | Sort-Object
    $listed | Should -Be (@(Get-ExchangeCertificate -Server 'EX01' | ForEach-Object Thumbprint) | Sort-Object)
    foreach ($certificate in $state.Certificates) {
      Get-Sha1Hex ([Convert]::FromBase64String($certificate.RawData)) | Should -BeExactly $certificate.Thumbprint
    }
    @(Get-Content (Join-Path $env:XCERT_SIM_STATE 'sim.log') | Where-Object { $_ -match ' start$' }).Count | Should -BeGreaterOrEqual 1
  }

  It 'serves request after request in one shell, paying the start cost once, each answer ended by the marker' {
    $log = Join-Path $env:XCERT_SIM_STATE 'sim.log'
    $startsBefore = @(Get-Content $log | Where-Object { $_ -match ' start$' }).Count
    $payload = (New-XcertSessionOpening) + (New-XcertRequest 'list' @{ server = 'EX01' }) +
      (New-XcertRequest 'create' @{ server = 'EX01'; subject = 'CN=session.contoso.com'; dnsNames = @('session.contoso.com'); keyAlgorithm = 'RSA'
        keySize = 2048; curve = ''; exportable = $true; friendlyName = 'session'; pendingRequest = $false; validitySeconds = 0 }) +
      (New-XcertRequest 'list' @{ server = 'EX01' })
    $run = Invoke-Ems 'EX01' $payload
    $run.ExitCode | Should -Be 0
    $run.Error | Should -BeNullOrEmpty
    $run.Ended | Should -Be 3
    $run.Answers | Should -HaveCount 3
    @($run.Answers | ForEach-Object { $_.ok }) | Should -Be @($true, $true, $true)
    $created = $run.Answers[1].Thumbprint
    (Get-ExchangeCertificate -Server 'EX01' -Thumbprint $created).Subject | Should -BeExactly 'CN=session.contoso.com'
    @($run.Answers[2].State.Certificates | ForEach-Object { $_.Thumbprint }) | Should -Contain $created
    @(Get-Content $log | Where-Object { $_ -match ' start$' }).Count | Should -Be ($startsBefore + 1)
  }

  It 'answers list on an Edge without AuthConfig, IIS, POP or IMAP' {
    $run = Invoke-Ems 'EDGE01' (New-XcertPayload 'list' @{ server = 'EDGE01' })
    $run.Answer.ok | Should -BeTrue
    $state = $run.Answer.State
    $state.Server.IsEdgeServer | Should -BeTrue
    $state.AuthConfig | Should -BeNullOrEmpty
    $state.WebBindings | Should -BeNullOrEmpty
    $state.PopSettings | Should -BeNullOrEmpty
    $state.Problems | Should -BeNullOrEmpty
  }

  It 'creates a certificate and enables it for IIS: :443 moves, :444 stays, IIS is reset once' {
    $created = Invoke-Ems 'EX01' (New-XcertPayload 'create' @{
        server = 'EX01'; subject = 'CN=mail.contoso.com'; dnsNames = @('mail.contoso.com'); keyAlgorithm = 'RSA'; keySize = 2048
        curve = ''; exportable = $true; friendlyName = 'mail'; pendingRequest = $false; validitySeconds = 0 })
    $created.Answer.ok | Should -BeTrue
    $thumbprint = $created.Answer.Thumbprint
    (Get-ExchangeCertificate -Server 'EX01' -Thumbprint $thumbprint).PrivateKeyExportable | Should -BeTrue
    $enabled = Invoke-Ems 'EX01' (New-XcertPayload 'enable' @{ server = 'EX01'; thumbprint = $thumbprint; services = @('IIS'); replaceDefaultSmtp = $false })
    $enabled.Answer.ok | Should -BeTrue
    $enabled.Answer.Notes | Should -BeNullOrEmpty
    $sites = (Get-ExchangeSimState 'EX01').WebSites
    @(($sites | Where-Object Id -EQ 1).Bindings | Where-Object protocol -EQ 'https' | ForEach-Object certificateHash) | Should -Be @($thumbprint, $thumbprint)
    (($sites | Where-Object Id -EQ 2).Bindings | Where-Object protocol -EQ 'https').certificateHash | Should -Not -Be $thumbprint
    @((Get-ExchangeSimState 'EX01').IisResets) | Should -HaveCount 1
  }

  It 'imports a PKCS#12 made by .NET with its password' {
    $pfx = New-TestPfx 'CN=owa.contoso.com' @('owa.contoso.com') 'Imp#1' $null
    $arguments = @{ server = 'EX01'; thumbprint = $pfx.Thumbprint; data = [Convert]::ToBase64String($pfx.Data); password = 'Imp#1'
      exportable = $false; friendlyName = 'owa' }
    $run = Invoke-Ems 'EX01' (New-XcertPayload 'import' $arguments)
    $run.Answer.ok | Should -BeTrue
    $run.Answer.Thumbprint | Should -BeExactly $pfx.Thumbprint
    $imported = Get-ExchangeCertificate -Server 'EX01' -Thumbprint $pfx.Thumbprint
    $imported.FriendlyName | Should -BeExactly 'owa'
    $imported.HasPrivateKey | Should -BeTrue
  }

  It 'runs -Command text under Set-StrictMode -Version Latest and exits with the script''s code' {
    $common = Join-Path $script:RepoRoot 'resources' 'exchange' 'scripts' 'common.ps1'
    $command = "Set-StrictMode -Version Latest; `$ErrorActionPreference = 'Stop'; . '$common'; " +
      "`$facts = Get-XcertFacts -Server 'EX01'; Write-Output ('certificates ' + @(`$facts['Certificates']).Count); exit 3"
    $run = Invoke-Ems 'EX01' '' @('-Command', $command)
    $run.Error | Should -BeNullOrEmpty
    $run.Output | Should -Match 'certificates \d'
    $run.ExitCode | Should -Be 3
  }
}
