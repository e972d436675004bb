# Test-Ps51Syntax.ps1 catches each construct Windows PowerShell 5.1 cannot
# run (small scripts that use one each) and passes 5.1 code that looks alike.
BeforeDiscovery {
  $script:Bad = @(
    @{ Construct = '??'; Text = '$a = $null ?? 1'; Expect = '*null-coalescing operator ??*' }
    @{ Construct = '??='; Text = '$a = $null; $a ??= 1'; Expect = '*null-coalescing assignment ??=*' }
    @{ Construct = '?.'; Text = '$s = "x"; ${s}?.Length'; Expect = '*null-conditional member access ?.*' }
    @{ Construct = '?.()'; Text = '$s = "x"; ${s}?.ToUpper()'; Expect = '*null-conditional member access ?.*' }
    @{ Construct = '?[]'; Text = '$l = @(1); ${l}?[0]'; Expect = '*null-conditional index ?`[`]*' }
    @{ Construct = '$x?.y'; Text = '$s = "x"; $s?.Length'; Expect = '*variable $s?*' }
    @{ Construct = 'ternary'; Text = '$t = ($true) ? 1 : 2'; Expect = '*ternary operator*' }
    @{ Construct = '&&'; Text = 'Get-Date && Get-Date'; Expect = '*pipeline chain operator &&*' }
    @{ Construct = '||'; Text = 'Get-Date || Get-Date'; Expect = '*pipeline chain operator ||*' }
    @{ Construct = 'ForEach-Object -Parallel'; Text = '1..2 | ForEach-Object -Parallel { $_ }'; Expect = '*ForEach-Object -Parallel*' }
    @{ Construct = '% -Par'; Text = '1..2 | % -Par { $_ } -ThrottleLimit 2'; Expect = '*ForEach-Object -Parallel*' }
    @{ Construct = 'background &'; Text = 'Get-Date &'; Expect = '*background operator &*' }
    @{ Construct = 'clean block'; Text = 'function f { process { 1 } clean { 2 } }'; Expect = '*clean { } block*' }
  )
}

BeforeAll {
  $script:Checker = Join-Path $PSScriptRoot 'Test-Ps51Syntax.ps1'
  function Invoke-Checker([string]$Text) {
    $file = Join-Path $TestDrive ([Guid]::NewGuid().ToString('N') + '.ps1')
    [IO.File]::WriteAllText($file, $Text)
    $output = @(& $script:Checker $file)
    return @{ Output = $output; ExitCode = $LASTEXITCODE }
  }
}

Describe 'Test-Ps51Syntax.ps1' {
  It 'rejects <Construct>' -TestCases $Bad {
    param($Construct, $Text, $Expect)
    $result = Invoke-Checker $Text
    $result.ExitCode | Should -Be 1
    $result.Output | Should -HaveCount 1
    $result.Output[0] | Should -BeLike $Expect
    $result.Output[0] | Should -Match '^.+\.ps1:1:\d+: '
  }

  It 'accepts Windows PowerShell 5.1 code with look-alike syntax' {
    $text = @'
$value = if ($null -eq $x) { 'a' } else { 'b' }
1..2 | ForEach-Object -Process { $_ } -Begin { } -End { }
1..2 | % { $_ }
$h = @{ 'a' = 1 }; $h['a']; "a ? b : c"; '$a ?? $b'
Get-Date; Get-Date | Out-Null
function Test-It { [CmdletBinding()] param([Parameter(Mandatory = $true)] [string]$Name) process { $Name } }
'@
    $result = Invoke-Checker $text
    $result.Output | Should -BeNullOrEmpty
    $result.ExitCode | Should -Be 0
  }

  It 'reports a file that does not parse' {
    $result = Invoke-Checker 'function f {'
    $result.ExitCode | Should -Be 1
    $result.Output[0] | Should -BeLike '*:1:*: does not parse: *'
  }

  It 'passes every script xcert sends and every plan in the tests' {
    $root = Join-Path $PSScriptRoot '..' '..'
    $files = @(Get-ChildItem (Join-Path $root 'resources' 'exchange' 'scripts') -Filter '*.ps1') +
      @(Get-ChildItem (Join-Path $root 'tests' 'resources' 'exchange' 'testdata') -Filter '*.ps1')
    $files.Count | Should -BeGreaterThan 10
    $output = @(& $script:Checker @($files | ForEach-Object FullName))
    $output | Should -BeNullOrEmpty
    $LASTEXITCODE | Should -Be 0
  }
}
