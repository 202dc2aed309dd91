#!/usr/bin/env bash
# Refreshes the graph library that meshdoctor's HTML report embeds, and the
# SARIF 2.1.0 schema its tests validate against. Run it after changing the
# versions in package.json (or the schema pin below); commit the results in
# report/assets/ and report/testdata/. `go build` itself never needs npm.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
cp node_modules/cytoscape/dist/cytoscape.min.js ../assets/cytoscape.min.js
cp node_modules/cytoscape/LICENSE ../assets/cytoscape.LICENSE
if grep -qi '</script' ../assets/cytoscape.min.js; then
  echo "cytoscape.min.js contains </script: report/html.go must escape it" >&2
  exit 1
fi
# The SARIF schema ships in @microsoft/jest-sarif (MIT); only the JSON file is kept.
schema_pkg=@microsoft/jest-sarif@1.0.0-beta.0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$schema_pkg" >/dev/null && tar xzf ./*.tgz)
cp "$tmp/package/lib/schemas/sarif-2.1.0-rtm.5.json" ../testdata/sarif-schema-2.1.0.json
echo "cytoscape $(node -p 'require("./node_modules/cytoscape/package.json").version') → report/assets/; SARIF schema from $schema_pkg → report/testdata/"
