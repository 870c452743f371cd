#!/usr/bin/env bash
# Lints the deployment files in docker-gpu/ with real tools, offline once installed (.ci/run runs this):
#   yamllint     (Debian)  every YAML file here: syntax, duplicate keys, indentation, line length (lint/yamllint.yaml)
#   dclint       (npm)     compose.yaml, compose.fleet.yaml against the Compose Specification's JSON schema, plus its
#                          rules (lint/dclint.json: ports bound to a named interface and quoted; ordering rules off)
#   k8s-check    (npm: kubernetes-models, @kubernetes-models/prometheus-operator)  k8s/*.yaml against the
#                          Kubernetes API's schemas, and the objects against each other and vigil's needs
#   ShellCheck   (Debian)  the deployment scripts (docker-gpu/*.sh, bench/kafka-broker.sh), warnings and errors
#   promtool     (Debian's prometheus package)  monitoring/: the alert rules (check rules, and their unit tests with
#                          test rules) and the example prometheus.yml (check config); the Grafana dashboard is JSON
#                          (its queries are checked against a live /metrics by engine/server's PromtoolTest)
# The npm packages are pinned in lint/package-lock.json and installed into lint/node_modules (npm ci, ~5 s).
# Needs node >= 20.19 with npm, yamllint, shellcheck and promtool: apt-get install yamllint shellcheck (promtool: see
# .ci/run, which takes it from Debian's prometheus package without the daemon).
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
ROOT=$(dirname "$HERE")
cd "$HERE"

die() { echo "lint: $*" >&2; exit 1; }
hint="yamllint, shellcheck: apt-get install yamllint shellcheck; promtool: apt-get install prometheus, or .ci/run's way"
for tool in node npm yamllint shellcheck promtool; do
  command -v "$tool" >/dev/null || die "$tool not found ($hint)"
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
step dclint lint/node_modules/.bin/dclint -c lint/dclint.json compose.yaml compose.fleet.yaml monitoring/compose.yaml
step k8s-check node lint/k8s-check.mjs k8s
step shellcheck shellcheck -S warning ./*.sh "$ROOT/bench/kafka-broker.sh"
step promtool-rules promtool check rules monitoring/vigil.rules.yaml
step promtool-rule-tests promtool test rules monitoring/vigil.rules.test.yaml
step promtool-config promtool check config monitoring/prometheus.yml
step dashboard-json node -e 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))' \
  monitoring/grafana/dashboards/vigil.json
(( failed == 0 )) || die "docker-gpu's deployment files have problems (above)"
