#!/usr/bin/env bash
# The Exchange simulator's tests, for CTest (tests/exchange-sim/README.md):
#   run-tests.sh pester   the Pester suite (tests/exchange-sim/*.Tests.ps1)
#   run-tests.sh syntax   the Windows PowerShell 5.1 syntax check of xcert's
#                         scripts and of the plans in tests/resources/exchange/testdata
# When PowerShell 7 or Pester is not installed (scripts/setup installs them
# where the .NET SDK is), prints one line saying so and exits 77, which CTest
# reports as skipped.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=tools.env
source "$here/tools.env"

pwsh=$(command -v pwsh || true)
tool_pwsh=${DOTNET_CLI_HOME:-$HOME}/.dotnet/tools/pwsh
if [[ -x $tool_pwsh ]]; then
  pwsh=$tool_pwsh
fi
if [[ -z $pwsh ]]; then
  echo "SKIP: PowerShell 7 (pwsh) is not installed; scripts/setup installs it as a .NET tool where the .NET SDK is"
  exit 77
fi

case "${1:-}" in
  syntax)
    exec "$pwsh" -NoProfile -NonInteractive -File "$here/Test-Ps51Syntax.ps1" \
      "$root"/resources/exchange/scripts/*.ps1 "$root"/tests/resources/exchange/testdata/*.ps1
    ;;
  pester)
    pester=${NUGET_PACKAGES:-$HOME/.nuget/packages}/pester/$XCERT_PESTER_VERSION/tools/Pester.psd1
    if [[ ! -f $pester ]]; then
      echo "SKIP: Pester $XCERT_PESTER_VERSION is not installed ($pester); scripts/setup installs it from NuGet where the .NET SDK is"
      exit 77
    fi
    XCERT_PWSH=$pwsh exec "$pwsh" -NoProfile -NonInteractive -File "$here/Invoke-Tests.ps1" -Pester "$pester"
    ;;
  *)
    echo "usage: tests/exchange-sim/run-tests.sh pester|syntax" >&2
    exit 2
    ;;
esac
