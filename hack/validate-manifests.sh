#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# validate-manifests.sh [NPM_DIR]
#
# Validates every YAML document of manifests/*.yaml, offline:
#
#   * built-in Kubernetes kinds (ServiceAccount, DaemonSet, Pod, ...) against
#     the Kubernetes OpenAPI schemas that the npm package kubernetes-models
#     ships compiled into plain JS validators (one per kind, generated from
#     the Kubernetes OpenAPI spec; nothing is fetched at validation time).
#     On top of the schema, like `kubectl apply --validate=strict`:
#       - unknown fields are errors (the OpenAPI schemas do not forbid them;
#         the script notices which fields the schema validator never looked
#         at), with a "did you mean" hint;
#       - a few cross-field rules the API server enforces and a schema cannot
#         express (volumeMounts name a volume, unique names, selector matches
#         the template's labels, allowPrivilegeEscalation: false vs
#         SYS_ADMIN/privileged, Bidirectional propagation needs privileged,
#         extended resources: request == limit).
#   * custom resources against JSON schemas in manifests/schema/*.json, picked
#     by their properties.apiVersion.const / properties.kind.const; for a
#     NetworkAttachmentDefinition, spec.config must also parse as a CNI
#     network configuration list (cniVersion, name, plugins[].type), and a
#     pflink plugin must be chained after another plugin.
#
# The npm packages (pinned below) are installed into NPM_DIR (default
# build/npm of the repository) with `npm install`, once: when the pinned
# versions are already there, nothing is installed.
#
# Output: one PASS/FAIL line per document, the reasons of a failure as
# "line N: /json/pointer: message", then "N passed, N failed".
# Exit status: 0 all passed, 1 some document failed, 2 setup/usage error.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
npm_dir=${1:-$root/build/npm}
case $npm_dir in
/*) ;;
*) npm_dir=$PWD/$npm_dir ;;
esac

# kubernetes-models 4.5.1: Kubernetes 1.33 API schemas, runs on node >= 14
# (5.x wants node >= 22). Its @kubernetes-models/* dependencies are pinned as
# well so that a later release of them cannot change the result.
pkgs=(
	kubernetes-models@4.5.1
	@kubernetes-models/validate@4.0.0
	@kubernetes-models/base@5.0.1
	@kubernetes-models/apimachinery@2.2.0
	yaml@2.9.1
	ajv@8.20.0
)

for tool in node npm; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "validate-manifests: $tool not found (needs node >= 14 and npm)" >&2
		exit 2
	fi
done

# Are all pinned versions installed in $npm_dir already?
installed() {
	node - "$npm_dir" "${pkgs[@]}" <<'EOF'
const fs = require("fs");
const [dir, ...specs] = process.argv.slice(2);
for (const spec of specs) {
	const at = spec.lastIndexOf("@");
	const name = spec.slice(0, at), version = spec.slice(at + 1);
	try {
		const pj = JSON.parse(fs.readFileSync(`${dir}/node_modules/${name}/package.json`, "utf8"));
		if (pj.version !== version) process.exit(1);
	} catch (e) {
		process.exit(1);
	}
}
EOF
}

if ! installed; then
	echo "validate-manifests: installing ${pkgs[*]} into $npm_dir" >&2
	mkdir -p "$npm_dir"
	npm install --no-audit --no-fund --prefix "$npm_dir" "${pkgs[@]}" >&2
	if ! installed; then
		echo "validate-manifests: npm install did not give the pinned versions in $npm_dir" >&2
		exit 2
	fi
fi

js=$npm_dir/validate-manifests.cjs
cat >"$js" <<'EOF'
"use strict";
// Written by hack/validate-manifests.sh; run from its npm dir so that
// require() finds the pinned packages.
const fs = require("fs");
const path = require("path");
const YAML = require("yaml");
const Ajv = require("ajv");

const [root, kmVersion] = process.argv.slice(2);
const manifestDir = path.join(root, "manifests");
const schemaDir = path.join(manifestDir, "schema");

// ---------------------------------------------------------------- schemas

const ajv = new Ajv({ allErrors: true, strict: true });
const localSchemas = new Map(); // "apiVersion kind" -> { file, validate }
if (fs.existsSync(schemaDir)) {
	for (const f of fs.readdirSync(schemaDir).filter((f) => f.endsWith(".json")).sort()) {
		const schema = JSON.parse(fs.readFileSync(path.join(schemaDir, f), "utf8"));
		const av = schema.properties?.apiVersion?.const;
		const kind = schema.properties?.kind?.const;
		if (typeof av !== "string" || typeof kind !== "string") {
			console.error(`validate-manifests: manifests/schema/${f}: needs properties.apiVersion.const and properties.kind.const`);
			process.exit(2);
		}
		localSchemas.set(`${av} ${kind}`, { file: `manifests/schema/${f}`, validate: ajv.compile(schema) });
	}
}

// The model class of a built-in kind, e.g. kubernetes-models/apps/v1/DaemonSet.
function builtinModel(apiVersion, kind) {
	if (!/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind))
		return null;
	let mod;
	try {
		mod = require(`kubernetes-models/${apiVersion}/${kind}`);
	} catch (e) {
		if (e.code === "MODULE_NOT_FOUND" || e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED") return null;
		throw e;
	}
	const cls = mod[kind];
	// Nested types (DaemonSetSpec, ...) have no apiVersion/kind of their own.
	if (typeof cls !== "function" || cls.apiVersion !== apiVersion || cls.kind !== kind) return null;
	return cls;
}

// ------------------------------------------------------ unknown-field check
//
// The Kubernetes OpenAPI schemas do not say additionalProperties: false, so a
// misspelled optional field passes them (the API server drops it, or rejects
// it with strict field validation). The compiled validators read every
// property their schema knows, and enumerate the keys only of maps (labels,
// resources, nodeSelector, ...). So: hand the validator a proxy that records
// which keys it read; an object it read keys of, without enumerating it,
// whose own keys include one it never read, has an unknown field.

function tracked(value, pointer, records) {
	if (value === null || typeof value !== "object") return value;
	const rec = { pointer, value, read: new Set(), enumerated: false };
	records.push(rec);
	const children = new Map();
	return new Proxy(value, {
		get(target, key, receiver) {
			const v = Reflect.get(target, key, receiver);
			if (typeof key !== "string") return v;
			rec.read.add(key); // known to the schema, present or not
			if (!Object.prototype.hasOwnProperty.call(target, key)) return v;
			if (v === null || typeof v !== "object") return v;
			if (!children.has(key)) children.set(key, tracked(v, `${pointer}/${escapePointer(key)}`, records));
			return children.get(key);
		},
		ownKeys(target) {
			rec.enumerated = true;
			return Reflect.ownKeys(target);
		},
	});
}

function escapePointer(key) {
	return String(key).replace(/~/g, "~0").replace(/\//g, "~1");
}

function unescapePointer(p) {
	return p === "" ? [] : p.slice(1).split("/").map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function editDistance(a, b) {
	const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
	for (let j = 1; j <= b.length; j++) d[0][j] = j;
	for (let i = 1; i <= a.length; i++)
		for (let j = 1; j <= b.length; j++)
			d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
	return d[a.length][b.length];
}

function unknownFields(records) {
	const problems = [];
	for (const rec of records) {
		if (Array.isArray(rec.value) || rec.enumerated || rec.read.size === 0) continue;
		for (const key of Object.keys(rec.value)) {
			if (rec.read.has(key)) continue;
			let hint = "";
			let best = Infinity;
			for (const known of rec.read) {
				const dist = editDistance(key.toLowerCase(), known.toLowerCase());
				if (dist < best && dist <= Math.max(2, Math.floor(known.length / 3))) {
					best = dist;
					hint = ` (did you mean "${known}"?)`;
				}
			}
			problems.push({ pointer: `${rec.pointer}/${escapePointer(key)}`, message: `unknown field "${key}"${hint}` });
		}
	}
	return problems;
}

// ---------------------------------------------------------- schema errors

function ajvProblems(errors) {
	return errors.map((e) => {
		let message = e.message || e.keyword;
		if (e.keyword === "enum" && e.params?.allowedValues) message += `: ${e.params.allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
		if (e.keyword === "const" && "allowedValue" in (e.params || {})) message += `: ${JSON.stringify(e.params.allowedValue)}`;
		if (e.keyword === "additionalProperties" && e.params?.additionalProperty) {
			message = `unknown field "${e.params.additionalProperty}"`;
			return { pointer: `${e.instancePath}/${escapePointer(e.params.additionalProperty)}`, message };
		}
		return { pointer: e.instancePath, message };
	});
}

function validateBuiltin(cls, obj) {
	const records = [];
	const proxy = tracked(obj, "", records);
	let problems = [];
	try {
		cls.prototype.validate.call(proxy);
	} catch (e) {
		if (!Array.isArray(e.errors)) throw e;
		problems = ajvProblems(e.errors);
	}
	// The validators check every property even after an error (allErrors),
	// so the unknown fields are known either way; a misspelled required field
	// shows up as both "must have required property" and "unknown field".
	return problems.concat(unknownFields(records));
}

// ------------------------------------- rules the API server adds to schemas

const podSpecAt = {
	Pod: ["spec"],
	PodTemplate: ["template", "spec"],
	ReplicationController: ["spec", "template", "spec"],
	DaemonSet: ["spec", "template", "spec"],
	Deployment: ["spec", "template", "spec"],
	ReplicaSet: ["spec", "template", "spec"],
	StatefulSet: ["spec", "template", "spec"],
	Job: ["spec", "template", "spec"],
	CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

const list = (x) => (Array.isArray(x) ? x : []);
const map = (x) => (x && typeof x === "object" && !Array.isArray(x) ? x : {});

function dig(obj, keys) {
	return keys.reduce((o, k) => (o && typeof o === "object" ? o[k] : undefined), obj);
}

const isExtendedResource = (name) =>
	name.includes("/") && !name.startsWith("kubernetes.io/") && !name.includes(".kubernetes.io/") && !name.startsWith("requests.");

function podSpecProblems(obj) {
	const problems = [];
	const keys = podSpecAt[obj.kind];
	if (!keys) return problems;
	const spec = dig(obj, keys);
	if (!spec || typeof spec !== "object" || Array.isArray(spec)) return problems;
	const base = "/" + keys.join("/");

	// The template's labels must match the controller's selector.
	if (keys.length > 1 && obj.kind !== "CronJob" && obj.kind !== "Job" && obj.kind !== "PodTemplate") {
		const want = map(dig(obj, ["spec", "selector", "matchLabels"]));
		const have = map(dig(obj, keys.slice(0, -1).concat("metadata", "labels")));
		for (const [k, v] of Object.entries(want))
			if (have[k] !== v)
				problems.push({ pointer: "/spec/selector/matchLabels/" + escapePointer(k), message: `selector ${k}=${v} does not match the template's labels` });
	}

	const volumes = new Set();
	list(spec.volumes).forEach((v, i) => {
		v = map(v);
		if (volumes.has(v.name)) problems.push({ pointer: `${base}/volumes/${i}/name`, message: `duplicate volume name "${v.name}"` });
		volumes.add(v.name);
	});

	const names = new Set();
	for (const group of ["initContainers", "containers"]) {
		list(spec[group]).forEach((c, i) => {
			c = map(c);
			const at = `${base}/${group}/${i}`;
			if (names.has(c.name)) problems.push({ pointer: `${at}/name`, message: `duplicate container name "${c.name}"` });
			names.add(c.name);

			const sc = map(c.securityContext);
			const added = list(map(sc.capabilities).add).map((cap) => String(cap).replace(/^CAP_/, ""));
			if (sc.allowPrivilegeEscalation === false && (sc.privileged === true || added.includes("SYS_ADMIN")))
				problems.push({ pointer: `${at}/securityContext/allowPrivilegeEscalation`, message: "cannot be false together with privileged: true or capability SYS_ADMIN" });

			const paths = new Set();
			list(c.volumeMounts).forEach((m, j) => {
				m = map(m);
				if (!volumes.has(m.name)) problems.push({ pointer: `${at}/volumeMounts/${j}/name`, message: `no volume named "${m.name}" in ${base}/volumes` });
				if (paths.has(m.mountPath)) problems.push({ pointer: `${at}/volumeMounts/${j}/mountPath`, message: `"${m.mountPath}" is mounted twice` });
				paths.add(m.mountPath);
				if (m.mountPropagation === "Bidirectional" && sc.privileged !== true)
					problems.push({ pointer: `${at}/volumeMounts/${j}/mountPropagation`, message: "Bidirectional needs a privileged container" });
			});

			const req = map(map(c.resources).requests);
			const lim = map(map(c.resources).limits);
			for (const [r, v] of Object.entries(req)) {
				if (!isExtendedResource(r)) continue;
				if (!(r in lim)) problems.push({ pointer: `${at}/resources/requests/${escapePointer(r)}`, message: `extended resource ${r} needs a limit equal to its request` });
				else if (String(lim[r]) !== String(v)) problems.push({ pointer: `${at}/resources/limits/${escapePointer(r)}`, message: `extended resource ${r}: limit must equal the request (${v})` });
			}
		});
	}
	return problems;
}

// ------------------------------------------- NetworkAttachmentDefinition

const pflinkCniVersions = ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"];

function cniConfigProblems(obj) {
	const at = "/spec/config";
	const text = obj.spec?.config;
	if (typeof text !== "string") return [];
	let conf;
	try {
		conf = JSON.parse(text);
	} catch (e) {
		const m = /position (\d+)/.exec(e.message);
		const jsonLine = m ? text.slice(0, Number(m[1])).split("\n").length : null;
		return [{ pointer: at, message: `not valid JSON: ${e.message}`, jsonLine }];
	}
	const problems = [];
	const bad = (message) => problems.push({ pointer: at, message, separate: true });
	if (conf === null || typeof conf !== "object" || Array.isArray(conf)) return [{ pointer: at, message: "must be a JSON object" }];
	if (typeof conf.cniVersion !== "string" || !/^\d+\.\d+\.\d+$/.test(conf.cniVersion)) bad(`cniVersion: must be a version string like "1.0.0", got ${JSON.stringify(conf.cniVersion)}`);
	if (typeof conf.name !== "string" || conf.name === "") bad(`name: must be a non-empty string, got ${JSON.stringify(conf.name)}`);
	if (!Array.isArray(conf.plugins) || conf.plugins.length === 0) {
		bad("plugins: must be a non-empty array (a network configuration list)");
		return problems;
	}
	conf.plugins.forEach((p, i) => {
		if (p === null || typeof p !== "object" || Array.isArray(p)) return bad(`plugins[${i}]: must be an object`);
		if (typeof p.type !== "string" || p.type === "") return bad(`plugins[${i}].type: must be a non-empty string`);
		if (p.type === "pflink") {
			if (i === 0) bad(`plugins[${i}]: pflink is a chained plugin: it must come after the plugin that moves the VF into the pod (it needs its prevResult)`);
			if (typeof conf.cniVersion === "string" && !pflinkCniVersions.includes(conf.cniVersion))
				bad(`cniVersion: ${conf.cniVersion} is not supported by pflink (${pflinkCniVersions.join(", ")})`);
			if (p.capabilities !== undefined && (typeof p.capabilities !== "object" || p.capabilities === null || Array.isArray(p.capabilities)))
				bad(`plugins[${i}].capabilities: must be an object`);
		}
	});
	return problems;
}

// ------------------------------------------------------------- reporting

function lineOf(doc, lc, pointer) {
	let node = doc.contents;
	let line = node?.range ? lc.linePos(node.range[0]).line : 1;
	for (const key of unescapePointer(pointer)) {
		if (YAML.isMap(node)) {
			const pair = node.items.find((p) => String(YAML.isScalar(p.key) ? p.key.value : p.key) === key);
			if (!pair) break;
			if (pair.key?.range) line = lc.linePos(pair.key.range[0]).line;
			node = pair.value;
		} else if (YAML.isSeq(node)) {
			const item = node.items[Number(key)];
			if (!item) break;
			if (item.range) line = lc.linePos(item.range[0]).line;
			node = item;
		} else break;
	}
	return { line, node };
}

let passed = 0;
let failed = 0;

const files = fs.readdirSync(manifestDir).filter((f) => /\.ya?ml$/.test(f)).sort();
if (files.length === 0) {
	console.error("validate-manifests: no manifests/*.yaml");
	process.exit(2);
}

for (const f of files) {
	const rel = `manifests/${f}`;
	const src = fs.readFileSync(path.join(manifestDir, f), "utf8");
	const lc = new YAML.LineCounter();
	// YAML 1.1, as the Kubernetes YAML decoder reads it (yes/no/on/off are booleans).
	const docs = YAML.parseAllDocuments(src, { lineCounter: lc, version: "1.1", uniqueKeys: true, prettyErrors: false });
	let n = 0;
	for (const doc of Array.isArray(docs) ? docs : [docs]) {
		n++;
		const problems = [];
		let label = `${rel} #${n}`;
		if (doc.errors.length) {
			for (const e of doc.errors) problems.push({ line: lc.linePos(e.pos[0]).line, pointer: "", message: `YAML: ${e.message.split("\n")[0]}` });
		} else {
			const obj = doc.toJS({ maxAliasCount: 100 });
			if (obj === null || obj === undefined) continue; // comments only: not a manifest
			if (typeof obj !== "object" || Array.isArray(obj)) {
				problems.push({ pointer: "", message: "a manifest must be a mapping" });
			} else {
				const { apiVersion, kind } = obj;
				const ns = obj.metadata?.namespace ? `${obj.metadata.namespace}/` : "";
				label += ` ${apiVersion} ${kind} ${ns}${obj.metadata?.name ?? "(no name)"}`;
				if (typeof apiVersion !== "string" || typeof kind !== "string") {
					problems.push({ pointer: "", message: "apiVersion and kind must be strings" });
				} else if (localSchemas.has(`${apiVersion} ${kind}`)) {
					const { validate, file } = localSchemas.get(`${apiVersion} ${kind}`);
					if (!validate(obj)) problems.push(...ajvProblems(validate.errors).map((p) => ({ ...p, message: `${p.message} (${file})` })));
					if (kind === "NetworkAttachmentDefinition") problems.push(...cniConfigProblems(obj));
				} else {
					const cls = builtinModel(apiVersion, kind);
					if (!cls) {
						problems.push({ pointer: "/kind", message: `no schema for ${apiVersion} ${kind}: not a built-in kind of kubernetes-models ${kmVersion}, and no manifests/schema/*.json declares it` });
					} else {
						problems.push(...validateBuiltin(cls, obj), ...podSpecProblems(obj));
					}
				}
			}
			for (const p of problems) {
				if (p.line !== undefined) continue;
				const { line, node } = lineOf(doc, lc, p.pointer);
				p.line = line;
				// Inside a block scalar (spec.config: |), JSON line k is YAML line node+k.
				if (p.jsonLine && node?.range && YAML.isScalar(node) && (node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED"))
					p.line = lc.linePos(node.range[0]).line + p.jsonLine;
			}
		}
		if (problems.length === 0) {
			passed++;
			console.log(`PASS ${label}`);
		} else {
			failed++;
			console.log(`FAIL ${label}`);
			// One line per field: a oneOf (int-or-string, quantity) fails in several ways at once.
			const byField = new Map();
			problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
			for (const p of problems) {
				const k = `${p.line}\0${p.pointer}` + (p.separate ? `\0${p.message}` : "");
				if (!byField.has(k)) byField.set(k, { ...p, messages: [] });
				if (!byField.get(k).messages.includes(p.message)) byField.get(k).messages.push(p.message);
			}
			for (const p of byField.values()) console.log(`  ${rel}:${p.line ?? "?"}: ${p.pointer || "/"}: ${p.messages.join("; ")}`);
		}
	}
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
EOF

cd "$npm_dir"
exec node "$js" "$root" "${pkgs[0]##*@}"
