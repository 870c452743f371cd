// Checks docker-gpu/k8s/ offline: every object against the Kubernetes API's own schema (the kubernetes-models
// package's validators, generated from the API's OpenAPI; ServiceMonitor from the Prometheus Operator's CRD), then
// what the schema cannot see: the objects must fit together (selectors, names, ports, mounted config keys) and keep
// what vigil's deployment needs (probes on /health/live and /health/ready, the token from a Secret, the GPU with its
// video capability, a disruption budget per role, a scrape target).
//
//   node docker-gpu/lint/k8s-check.mjs docker-gpu/k8s
//
// Prints one line per problem and exits 1 if there is any. Does not catch unknown fields (the API's schemas allow
// them); the rules below name every field that vigil relies on.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join, basename } from "node:path";
import { parseAllDocuments, parse } from "yaml";

const dir = process.argv[2];
if (!dir) {
  console.error("usage: node k8s-check.mjs K8S_DIR");
  process.exit(2);
}

const problems = [];
const problem = (where, message) => problems.push(`${where}: ${message}`);

// ---- read every document of every manifest ------------------------------------------------------------------------
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml") || f.endsWith(".yml")).sort();
const objects = [];   // {file, doc, where}
let kustomization = null;
for (const file of files) {
  const path = join(dir, file);
  const docs = parseAllDocuments(readFileSync(path, "utf8"), { uniqueKeys: true });
  docs.forEach((d, i) => {
    for (const e of d.errors) problem(`${file}#${i + 1}`, `YAML: ${e.message}`);
    const doc = d.toJS();
    if (doc == null) return;
    const where = `${file}#${i + 1} ${doc.kind ?? "?"}/${doc.metadata?.name ?? "?"}`;
    if (doc.kind === "Kustomization") kustomization = { file, doc };
    else objects.push({ file, doc, where });
  });
}

// ---- schema: the API's own validation for each apiVersion and kind ------------------------------------------------
async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  const candidates = group === "monitoring.coreos.com"
    ? [`@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`]
    : [group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`];
  for (const name of candidates) {
    try {
      const module = await import(name);
      if (module[kind]) return module[kind];
    } catch {
      // not this package's
    }
  }
  return null;
}

for (const { doc, where } of objects) {
  if (!doc.apiVersion || !doc.kind) {
    problem(where, "no apiVersion or kind");
    continue;
  }
  const Model = await modelFor(doc.apiVersion, doc.kind);
  if (!Model) {
    problem(where, `unknown apiVersion/kind ${doc.apiVersion} ${doc.kind}`);
    continue;
  }
  try {
    new Model(doc).validate();
  } catch (e) {
    const details = (e.errors ?? []).map((x) => `${x.instancePath || "/"} ${x.message}`).join("; ");
    problem(where, `schema: ${details || e.message}`);
  }
}

// ---- the objects fit together -------------------------------------------------------------------------------------
const of = (kind) => objects.filter((o) => o.doc.kind === kind);
const matches = (selector, labels) =>
  selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

const workloads = [...of("StatefulSet"), ...of("Deployment")];
const podLabels = (w) => w.doc.spec?.template?.metadata?.labels ?? {};
const services = of("Service");
const configMaps = of("ConfigMap");

if (kustomization) {
  const listed = kustomization.doc.resources ?? [];
  for (const r of listed) {
    if (!existsSync(join(dir, r))) problem(kustomization.file, `resource ${r} does not exist`);
  }
  for (const file of new Set(objects.map((o) => o.file))) {
    if (!listed.includes(file) && file !== "servicemonitor.yaml") {
      problem(kustomization.file, `${file} is not among its resources`);
    }
  }
}

for (const w of workloads) {
  const { doc, where } = w;
  const spec = doc.spec ?? {};
  const pod = spec.template?.spec ?? {};
  const labels = podLabels(w);
  if (!matches(spec.selector?.matchLabels, labels)) problem(where, "selector.matchLabels do not match the pod labels");
  const role = labels["app.kubernetes.io/component"];

  if (doc.kind === "StatefulSet") {
    const svc = services.find((s) => s.doc.metadata?.name === spec.serviceName);
    if (!svc) problem(where, `serviceName ${spec.serviceName} names no Service here`);
    else if (svc.doc.spec?.clusterIP !== "None") problem(where, `serviceName ${spec.serviceName} is not headless`);
    else if (!matches(svc.doc.spec?.selector, labels)) problem(where, `headless Service ${spec.serviceName} does not select its pods`);
  }
  if (!((pod.terminationGracePeriodSeconds ?? 30) >= 30)) {
    problem(where, "terminationGracePeriodSeconds under 30: a stopping node needs time to hand its alarms over");
  }
  const annotations = spec.template?.metadata?.annotations ?? {};
  const scraped = annotations["prometheus.io/scrape"] === "true"
    || of("ServiceMonitor").some((m) => services.some((s) => matches(m.doc.spec?.selector?.matchLabels, s.doc.metadata?.labels)
      && matches(s.doc.spec?.selector, labels)));
  if (!scraped) problem(where, "no prometheus.io/scrape annotation and no ServiceMonitor reaches its pods");

  const containers = pod.containers ?? [];
  const vigil = containers.find((c) => c.name === "vigil");
  if (!vigil) {
    problem(where, "no container named vigil");
    continue;
  }
  const args = [...(vigil.command ?? []), ...(vigil.args ?? [])];
  if (!(args.includes("serve") && args.includes("--config"))) problem(where, "the vigil container does not run `serve --config FILE`");
  if (!vigil.ports?.some((p) => p.name === "http" && p.containerPort === 8321)) problem(where, "no container port http 8321");
  const probe = (p, path) => p?.httpGet?.path === path && p?.httpGet?.port === "http";
  if (!probe(vigil.livenessProbe, "/health/live")) problem(where, "livenessProbe is not GET /health/live on port http");
  if (!probe(vigil.readinessProbe, "/health/ready")) problem(where, "readinessProbe is not GET /health/ready on port http");
  if (!vigil.resources?.requests?.cpu || !vigil.resources?.requests?.memory) problem(where, "no cpu and memory requests");

  const env = Object.fromEntries((vigil.env ?? []).map((e) => [e.name, e]));
  if (!env.VIGIL_TOKEN?.valueFrom?.secretKeyRef) problem(where, "VIGIL_TOKEN does not come from a Secret");
  if (env.VIGIL_NODE_ID?.valueFrom?.fieldRef?.fieldPath !== "metadata.name") {
    problem(where, "VIGIL_NODE_ID is not the pod name (static membership needs a stable id per pod)");
  }
  const gpus = Number(vigil.resources?.limits?.["nvidia.com/gpu"] ?? 0);
  if (role === "video") {
    if (gpus < 1) problem(where, "role video without an nvidia.com/gpu limit");
    const caps = (env.NVIDIA_DRIVER_CAPABILITIES?.value ?? "").split(",");
    for (const cap of ["compute", "utility", "video"]) {
      if (!caps.includes(cap)) problem(where, `NVIDIA_DRIVER_CAPABILITIES lacks ${cap}${cap === "video" ? " (NVDEC)" : ""}`);
    }
    if (!(pod.tolerations ?? []).some((t) => t.key === "nvidia.com/gpu")) problem(where, "no toleration for the GPU pool's nvidia.com/gpu taint");
  } else if (gpus > 0) {
    problem(where, `role ${role} holds a GPU it does not use`);
  }

  // The mounted config: the ConfigMap and key exist, parse, and name this role.
  for (const m of vigil.volumeMounts ?? []) {
    if (m.mountPath !== "/etc/vigil/vigil.yaml") continue;
    const volume = (pod.volumes ?? []).find((v) => v.name === m.name);
    const cm = configMaps.find((c) => c.doc.metadata?.name === volume?.configMap?.name);
    const text = cm?.doc.data?.[m.subPath];
    if (text == null) {
      problem(where, `/etc/vigil/vigil.yaml: no ConfigMap key ${volume?.configMap?.name}/${m.subPath}`);
      continue;
    }
    let config;
    try {
      config = parse(text, { uniqueKeys: true });
    } catch (e) {
      problem(where, `${cm.doc.metadata.name}/${m.subPath}: YAML: ${e.message}`);
      continue;
    }
    if (!config?.cluster?.bootstrapServers) problem(where, `${m.subPath}: no cluster.bootstrapServers`);
    if ((config?.cluster?.role ?? "all") !== role) problem(where, `${m.subPath}: cluster.role ${config?.cluster?.role} but the pods are ${role}`);
  }
  if (!(vigil.volumeMounts ?? []).some((m) => m.mountPath === "/etc/vigil/vigil.yaml")) problem(where, "no config mounted at /etc/vigil/vigil.yaml");
}

const roles = workloads.map(podLabels).map((l) => l["app.kubernetes.io/component"]);
for (const role of ["video", "audio"]) {
  if (!roles.includes(role)) problem(dir, `no workload of role ${role}`);
}

for (const { doc, where } of services) {
  const selected = workloads.filter((w) => matches(doc.spec?.selector, podLabels(w)));
  if (selected.length === 0) problem(where, "selects no workload's pods");
  for (const p of doc.spec?.ports ?? []) {
    if (typeof p.targetPort === "string") {
      for (const w of selected) {
        const named = (w.doc.spec.template.spec.containers ?? []).some((c) => (c.ports ?? []).some((cp) => cp.name === p.targetPort));
        if (!named) problem(where, `targetPort ${p.targetPort} is no port of ${w.doc.metadata.name}`);
      }
    }
  }
}

for (const { doc, where } of of("PodDisruptionBudget")) {
  const selected = workloads.filter((w) => matches(doc.spec?.selector?.matchLabels, podLabels(w)));
  if (selected.length !== 1) problem(where, `selects ${selected.length} workloads, not one`);
}
for (const w of workloads) {
  if (!of("PodDisruptionBudget").some((p) => matches(p.doc.spec?.selector?.matchLabels, podLabels(w)))) {
    problem(w.where, "no PodDisruptionBudget");
  }
}

for (const { doc, where } of of("ServiceMonitor")) {
  const svc = services.filter((s) => matches(doc.spec?.selector?.matchLabels, s.doc.metadata?.labels));
  if (svc.length === 0) problem(where, "selects no Service");
  for (const e of doc.spec?.endpoints ?? []) {
    if (!svc.some((s) => (s.doc.spec?.ports ?? []).some((p) => p.name === e.port))) problem(where, `endpoint port ${e.port} is no port of its Service`);
  }
}

for (const p of problems) console.log(p);
console.log(`k8s-check: ${objects.length} objects in ${files.length} files of ${basename(dir)}/, ${problems.length} problems`);
process.exit(problems.length ? 1 : 0);
