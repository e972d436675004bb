<#
.SYNOPSIS
  Fails when a script uses syntax Windows PowerShell 5.1 cannot run.

.DESCRIPTION
  The Exchange snap-in runs in Windows PowerShell 5.1, so xcert's scripts
  (resources/exchange/scripts/) and the plans it writes must stay in that
  language. Each file is parsed with PowerShell's own parser
  ([System.Management.Automation.Language.Parser]::ParseFile) and its syntax
  tree is searched for what PowerShell 6 and 7 added:
    ??  ??=  ?.  ?[]  a ? b : c  &&  ||  ForEach-Object -Parallel
    a trailing & (background job)  clean { } blocks
  and for variables named like "$x?" (5.1 and 7 both read "$x?.y" as the
  variable "x?", not as the ?. operator).

  Prints one line per finding, "file:line:column: what", and exits 1 when
  there is any (a parse error counts), else 0.

.EXAMPLE
  pwsh -NoProfile -File tests/exchange-sim/Test-Ps51Syntax.ps1 resources/exchange/scripts/*.ps1
#>
param(
  [Parameter(Mandatory = $true, ValueFromRemainingArguments = $true)]
  [string[]]$Path
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

function Get-Ps51Finding([System.Management.Automation.Language.Ast]$Node) {
  $language = [System.Management.Automation.Language.TokenKind]
  switch ($Node) {
    { $_ -is [System.Management.Automation.Language.BinaryExpressionAst] -and $_.Operator -eq $language::QuestionQuestion } {
      return 'the null-coalescing operator ?? (PowerShell 7)'
    }
    { $_ -is [System.Management.Automation.Language.AssignmentStatementAst] -and $_.Operator -eq $language::QuestionQuestionEquals } {
      return 'the null-coalescing assignment ??= (PowerShell 7)'
    }
    { $_ -is [System.Management.Automation.Language.TernaryExpressionAst] } {
      return 'the ternary operator a ? b : c (PowerShell 7)'
    }
    { $_ -is [System.Management.Automation.Language.PipelineChainAst] } {
      return ('the pipeline chain operator ' + $(if ($_.Operator -eq $language::AndAnd) { '&&' } else { '||' }) + ' (PowerShell 7)')
    }
    { $_ -is [System.Management.Automation.Language.MemberExpressionAst] -and $_.NullConditional } {
      return 'the null-conditional member access ?. (PowerShell 7)'
    }
    { $_ -is [System.Management.Automation.Language.IndexExpressionAst] -and $_.NullConditional } {
      return 'the null-conditional index ?[] (PowerShell 7)'
    }
    { $_ -is [System.Management.Automation.Language.VariableExpressionAst] -and $_.VariablePath.UserPath.EndsWith('?') } {
      return ('the variable $' + $_.VariablePath.UserPath + ': PowerShell 5.1 reads it as a variable named with "?", ' +
        'not as the ?. operator (which it does not have)')
    }
    { $_ -is [System.Management.Automation.Language.PipelineAst] -and $_.Background } {
      return 'the background operator & at the end of a pipeline (PowerShell 6)'
    }
    { $_ -is [System.Management.Automation.Language.ScriptBlockAst] -and $null -ne $_.CleanBlock } {
      return 'a clean { } block (PowerShell 7.3)'
    }
    { $_ -is [System.Management.Automation.Language.CommandAst] } {
      $name = $_.GetCommandName()
      if (@('ForEach-Object', 'foreach', '%') -contains $name) {
        foreach ($element in $_.CommandElements) {
          $parameter = $element -as [System.Management.Automation.Language.CommandParameterAst]
          # -Parallel and its unambiguous abbreviations (-Pa, -Par, ...).
          if ($null -ne $parameter -and $parameter.ParameterName.Length -ge 2 -and
              'Parallel'.StartsWith($parameter.ParameterName, [StringComparison]::OrdinalIgnoreCase)) {
            return 'ForEach-Object -Parallel (PowerShell 7)'
          }
        }
      }
    }
  }
  return $null
}

# The node types that can carry 7-only syntax (InvokeMemberExpressionAst
# derives from MemberExpressionAst); the rest of the tree is skipped quickly.
$candidates = [System.Collections.Generic.HashSet[string]]::new([string[]]@(
    'BinaryExpressionAst', 'AssignmentStatementAst', 'TernaryExpressionAst', 'PipelineChainAst', 'MemberExpressionAst',
    'InvokeMemberExpressionAst', 'IndexExpressionAst', 'VariableExpressionAst', 'PipelineAst', 'ScriptBlockAst', 'CommandAst'))
$failed = $false
foreach ($file in $Path) {
  $full = (Resolve-Path -LiteralPath $file).ProviderPath
  $tokens = $null
  $errors = $null
  $ast = [System.Management.Automation.Language.Parser]::ParseFile($full, [ref]$tokens, [ref]$errors)
  foreach ($parseError in $errors) {
    $failed = $true
    '{0}:{1}:{2}: does not parse: {3}' -f $file, $parseError.Extent.StartLineNumber, $parseError.Extent.StartColumnNumber, $parseError.Message
  }
  foreach ($node in $ast.FindAll({ param($node) $candidates.Contains($node.GetType().Name) }, $true)) {
    $what = Get-Ps51Finding $node
    if ($what) {
      $failed = $true
      '{0}:{1}:{2}: {3}; Windows PowerShell 5.1, where the Exchange snap-in runs, cannot run it: {4}' -f $file,
        $node.Extent.StartLineNumber, $node.Extent.StartColumnNumber, $what, ($node.Extent.Text -split "`n")[0].Trim()
    }
  }
}
if ($failed) {
  exit 1
}
exit 0
