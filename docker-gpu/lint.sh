#!/usr/bin/env bash
# Lints the deployment files in docker-gpu/ with real tools, offline once installed (.ci/run runs this):
#   yamllint     (Debian)  every YAML file here: syntax, duplicate keys, indentation, line length (lint/yamllint.yaml)
#   dclint       (npm)     compose.yaml, compose.fleet.yaml against the Compose Specification's JSON schema, plus its
#                          rules (lint/dclint.json: ports bound to a named interface and quoted; ordering rules off)
#   k8s-check    (npm: kubernetes-models, @kubernetes-models/prometheus-operator)  k8s/*.yaml against the
#                          Kubernetes API's schemas, and the objects against each other and vigil's needs
#   ShellCheck   (Debian)  the deployment scripts (docker-gpu/*.sh, bench/kafka-broker.sh), warnings and errors
# The npm packages are pinned in lint/package-lock.json and installed into lint/node_modules (npm ci, ~5 s).
# Needs node >= 20.19 with npm, yamllint and shellcheck: apt-get install yamllint shellcheck.
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(dirname "$HERE")
cd "$HERE"

die() { echo "lint: $*" >&2; exit 1; }
for tool in node npm yamllint shellcheck; do
  command -v "$tool" >/dev/null || die "$tool not found (yamllint, shellcheck: apt-get install yamllint shellcheck)"
done

if [[ ! -x lint/node_modules/.bin/dclint || lint/package-lock.json -nt lint/node_modules/.package-lock.json ]]; then
  echo "lint: npm ci in docker-gpu/lint"
  npm ci --prefix lint --no-audit --no-fund --loglevel=error --engine-strict=false >/dev/null
fi

failed=0
step() {  # NAME COMMAND...: runs one check, says how it went, goes on to the next either way
  local name=$1; shift
  if "$@"; then echo "lint: $name ok"; else echo "lint: $name FAILED" >&2; failed=1; fi
}
step yamllint yamllint -s -c lint/yamllint.yaml .
step dclint lint/node_modules/.bin/dclint -c lint/dclint.json compose.yaml compose.fleet.yaml
step k8s-check node lint/k8s-check.mjs k8s
step shellcheck shellcheck -S warning ./*.sh "$ROOT/bench/kafka-broker.sh"
(( failed == 0 )) || die "docker-gpu's deployment files have problems (above)"
