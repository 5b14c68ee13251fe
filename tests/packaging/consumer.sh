#!/usr/bin/env bash
# The packages as a user meets them (.ci/run runs this after `dotnet pack Edge.sln -c Release -o artifacts/`):
#  1. a fresh console project in a temp folder references Edge.Runtime and Edge.Vision from ARTIFACTS (a local NuGet
#     source; the machine's own sources stay for anything else, but Edge packages come only from ARTIFACTS), compiles
#     the README's C# example verbatim as its Program.cs, runs it from the repository root on the shipped model and
#     checks its output: image 0's class and the top-1 count, which must equal the README's Results table;
#  2. the `edge` tool installs from ARTIFACTS into a temp tool path and `edge demo` runs in an empty folder, on the
#     models the tool carries.
# Own NuGet package cache (NUGET_PACKAGES), so a stale Edge package from an earlier run is never picked up.
# Usage: bash tests/packaging/consumer.sh [ARTIFACTS]   (default: artifacts/)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
artifacts="$(cd "${1:-$repo/artifacts}" && pwd)"
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/Directory.Build.props" | head -1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export NUGET_PACKAGES="$work/nuget-packages" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

fail() { echo "consumer test FAILED: $*" >&2; exit 1; }
for id in Edge.Core Edge.Runtime Edge.Vision Edge.Converter edge; do
  [[ -f "$artifacts/$id.$version.nupkg" ]] || fail "$artifacts/$id.$version.nupkg is missing (run dotnet pack Edge.sln -c Release -o artifacts/)"
  [[ -f "$artifacts/$id.$version.snupkg" ]] || fail "$artifacts/$id.$version.snupkg is missing"
done

# NuGet.config: the machine's enabled sources for everything, ARTIFACTS alone for Edge's packages (source mapping).
{
  echo '<?xml version="1.0" encoding="utf-8"?>'
  echo '<configuration>'
  echo '  <packageSources>'
  echo '    <clear />'
  echo "    <add key=\"edge-artifacts\" value=\"$artifacts\" />"
  dotnet nuget list source | awk '/^ *[0-9]+\. .*\[Enabled\]/ { name = $2; getline; gsub(/^ +| +$/, ""); printf "    <add key=\"%s\" value=\"%s\" />\n", name, $0 }'
  echo '  </packageSources>'
  echo '  <packageSourceMapping>'
  echo '    <packageSource key="edge-artifacts"><package pattern="Edge.*" /><package pattern="edge" /></packageSource>'
  dotnet nuget list source | awk '/^ *[0-9]+\. .*\[Enabled\]/ { printf "    <packageSource key=\"%s\"><package pattern=\"*\" /></packageSource>\n", $2 }'
  echo '  </packageSourceMapping>'
  echo '</configuration>'
} > "$work/NuGet.config"

echo "-- 1. the README's C# example against Edge.Runtime and Edge.Vision $version"
app="$work/consumer"
mkdir -p "$app"
cp "$work/NuGet.config" "$app/NuGet.config"
# The project `dotnet new console` makes, with the two packages (the README's harness: nothing else is added).
cat > "$app/Consumer.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Edge.Runtime" Version="[$version]" />
    <PackageReference Include="Edge.Vision" Version="[$version]" />
  </ItemGroup>
</Project>
EOF
# The block after the marker comment, between its ```csharp fence and the closing fence, byte for byte.
awk '/<!-- readme-example:/ { marked = 1; next }
     marked == 1 && /^```csharp$/ { marked = 2; next }
     marked == 1 { print "the line after the readme-example marker is not a csharp fence" > "/dev/stderr"; exit 3 }
     marked == 2 && /^```$/ { exit }
     marked == 2 { print }' "$repo/README.md" > "$app/Program.cs"
[[ -s "$app/Program.cs" ]] || fail "no csharp block after <!-- readme-example: ... --> in README.md"
dotnet build "$app" -c Release -nologo -v q -o "$app/out" || fail "the README example does not compile against the packages"
# The packages in use are the ones just packed: the restored copies are byte-identical to ARTIFACTS.
for id in Edge.Core Edge.Runtime Edge.Vision; do
  lower="$(echo "$id" | tr '[:upper:]' '[:lower:]')"
  cmp -s "$NUGET_PACKAGES/$lower/$version/$lower.$version.nupkg" "$artifacts/$id.$version.nupkg" \
    || fail "$id $version was not restored from $artifacts"
done
output="$(cd "$repo" && "$app/out/Consumer")" || fail "the README example exited with $?"
echo "$output"
expected_top1="$(sed -n 's/^| lenet5-fashion (10,000) | [0-9.]* % | \([0-9.]*\) % |.*/\1/p' "$repo/README.md")"
[[ -n "$expected_top1" ]] || fail "no lenet5-fashion int8 top-1 in README.md's Results table"
expected_count="$(awk -v p="$expected_top1" 'BEGIN { printf "%d", p * 100 + 0.5 }')"
grep -qx "image 0: Ankle boot, then .*" <<<"$output" || fail "image 0 (an ankle boot) is not classified as Ankle boot"
grep -qx "top-1: $expected_count of 10000 test images" <<<"$output" \
  || fail "top-1 is not $expected_count of 10000 (README's Results table: $expected_top1 %)"

echo "-- 2. dotnet tool install edge $version, then edge demo in an empty folder"
tools="$work/tools"
empty="$work/empty"
mkdir -p "$empty"
# As the README's `dotnet tool install --global edge --add-source artifacts/`, into a temp tool path, with the NuGet.config
# above in place of --add-source (NuGet refuses --add-source beside source mapping), so edge comes from ARTIFACTS.
(cd "$work" && dotnet tool install edge --tool-path "$tools" --version "$version" --configfile "$work/NuGet.config") \
  || fail "dotnet tool install edge failed"
demo="$(cd "$empty" && "$tools/edge" demo --limit 300 --timed 20 --out "$work/demo-out" --json)" || fail "edge demo failed in an empty folder"
for m in lenet5-mnist lenet5-fashion mobilenet-fashion; do
  grep -q "\"$m\"" <<<"$demo" || fail "edge demo printed no $m row"
done
[[ -z "$(ls -A "$empty")" ]] || fail "edge demo wrote into the working directory"
echo "edge demo ran the 3 shipped models from the tool package"
echo "consumer test passed"
