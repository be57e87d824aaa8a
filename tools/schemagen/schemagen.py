#!/usr/bin/env python3
"""schemagen: writes kite's built-in schema files (api/schemas/*.kschema); the build
(api/CMakeLists.txt) embeds them into the binary.

Run by hand, never at build time:

    npm pack @kubernetes/client-node@1.1.2      # its models are generated from Kubernetes v1.32.0
    tar xzf kubernetes-client-node-1.1.2.tgz
    tools/schemagen/extract_proto_sources.sh <api> <apimachinery> <apiextensions> k8s-src
    python3 tools/schemagen/schemagen.py package/dist/gen/models k8s-src

Facts read from the model files: each type's fields with their JSON names, their types
(string, number, boolean, Date, IntOrString, arrays, maps, nested types), their formats
(int32, int64, double, date-time, byte) and whether a field is optional ('?' in the .d.ts).
Facts the models lack come from api/schemas/overlay.kschema (hand-written): Quantity fields,
MicroTime, merge keys and patch strategies, list types, short descriptions, fields to drop.
Protobuf field numbers (attribute pb=N) come from the packages' generated.proto files, and
whether Go's JSON encoding drops a scalar's zero value (attribute omitzero) from their types.go
(tools/schemagen/protonums.py). Every field must get a number unless exempted below.
The file format is described in api/schemas/README.md.
"""

import json
import os
import re
import sys

import protonums

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT_DIR = os.path.join(REPO, "api", "schemas")
OVERLAY = os.path.join(OUT_DIR, "overlay.kschema")

PKG = {
    "core": "io.k8s.api.core.v1",
    "meta": "io.k8s.apimachinery.pkg.apis.meta.v1",
    "apps": "io.k8s.api.apps.v1",
    "batch": "io.k8s.api.batch.v1",
    "networking": "io.k8s.api.networking.v1",
    "storage": "io.k8s.api.storage.v1",
    "coordination": "io.k8s.api.coordination.v1",
    "discovery": "io.k8s.api.discovery.v1",
    "policy": "io.k8s.api.policy.v1",
    "events": "io.k8s.api.events.v1",
    "autoscaling": "io.k8s.api.autoscaling.v1",
    "apiextensions": "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1",
}

# (package, group, version, kind, model class). Lists follow their kind.
KINDS = [
    ("core", "", "v1", "Namespace", "V1Namespace"),
    ("core", "", "v1", "Pod", "V1Pod"),
    ("core", "", "v1", "Service", "V1Service"),
    ("core", "", "v1", "Endpoints", "V1Endpoints"),
    ("core", "", "v1", "ConfigMap", "V1ConfigMap"),
    ("core", "", "v1", "Secret", "V1Secret"),
    ("core", "", "v1", "ServiceAccount", "V1ServiceAccount"),
    ("core", "", "v1", "Node", "V1Node"),
    ("core", "", "v1", "Event", "CoreV1Event"),
    ("core", "", "v1", "PersistentVolume", "V1PersistentVolume"),
    ("core", "", "v1", "PersistentVolumeClaim", "V1PersistentVolumeClaim"),
    ("core", "", "v1", "Binding", "V1Binding"),
    ("apps", "apps", "v1", "Deployment", "V1Deployment"),
    ("apps", "apps", "v1", "ReplicaSet", "V1ReplicaSet"),
    ("apps", "apps", "v1", "StatefulSet", "V1StatefulSet"),
    ("apps", "apps", "v1", "DaemonSet", "V1DaemonSet"),
    ("apps", "apps", "v1", "ControllerRevision", "V1ControllerRevision"),
    ("batch", "batch", "v1", "Job", "V1Job"),
    ("batch", "batch", "v1", "CronJob", "V1CronJob"),
    ("networking", "networking.k8s.io", "v1", "Ingress", "V1Ingress"),
    ("networking", "networking.k8s.io", "v1", "IngressClass", "V1IngressClass"),
    ("storage", "storage.k8s.io", "v1", "StorageClass", "V1StorageClass"),
    ("coordination", "coordination.k8s.io", "v1", "Lease", "V1Lease"),
    ("discovery", "discovery.k8s.io", "v1", "EndpointSlice", "V1EndpointSlice"),
    ("policy", "policy", "v1", "PodDisruptionBudget", "V1PodDisruptionBudget"),
    ("policy", "policy", "v1", "Eviction", "V1Eviction"),
    ("autoscaling", "autoscaling", "v1", "Scale", "V1Scale"),
    ("events", "events.k8s.io", "v1", "Event", "EventsV1Event"),
    ("apiextensions", "apiextensions.k8s.io", "v1", "CustomResourceDefinition",
     "V1CustomResourceDefinition"),
]
# Kinds without a list type.
NO_LIST = {"Binding", "Eviction", "Scale"}
# Extra meta types every server needs in its OpenAPI document.
EXTRA_META = ["V1Status", "V1DeleteOptions"]

META = {"ObjectMeta", "ListMeta", "OwnerReference", "LabelSelector", "LabelSelectorRequirement",
        "ManagedFieldsEntry", "Condition", "Status", "StatusDetails", "StatusCause",
        "DeleteOptions", "Preconditions"}
# Core types first reached from a kind of another group.
FORCED_CORE = {"TopologySelectorTerm", "TopologySelectorLabelRequirement",
               "TypedLocalObjectReference", "ObjectReference", "EventSource", "PodTemplateSpec",
               "LocalObjectReference"}
# Types kite does not describe field by field.
OPAQUE = {"V1JSONSchemaProps": PKG["apiextensions"] + ".JSONSchemaProps"}

TIME = PKG["meta"] + ".Time"
INTSTR = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"

# Scalar definitions kite declares itself (the models inline them).
ALIASES = [
    ("@" + TIME, "string:date-time", "A point in time (RFC 3339, seconds)."),
    ("@" + PKG["meta"] + ".MicroTime", "string:date-time", "A point in time with microseconds."),
    ("@" + INTSTR, "int-or-string", "An integer or a string."),
    ("@io.k8s.apimachinery.pkg.api.resource.Quantity", "quantity",
     "A fixed-point number with a suffix, like 100m, 1Gi or 2."),
    ("@" + PKG["meta"] + ".FieldsV1", "object preserve", "A set of field paths (managedFields)."),
    ("@io.k8s.apimachinery.pkg.runtime.RawExtension", "object preserve", "Any embedded object."),
    ("@" + OPAQUE["V1JSONSchemaProps"], "object preserve", "A JSON schema (not described here)."),
]


# Fields without a protobuf number: {(definition, field): reason}. apiVersion/kind of a message
# that lacks them are exempt everywhere: TypeMeta is inlined in JSON but travels in the
# protobuf envelope.
PROTO_EXEMPT = {}
# Definitions whose JSON shape differs from their protobuf message and which the protobuf
# decoder (api/protobuf/) recognises by name; they have no field lines.
PROTO_WRAPPERS = {TIME, PKG["meta"] + ".MicroTime", PKG["meta"] + ".Duration", INTSTR,
                  "io.k8s.apimachinery.pkg.api.resource.Quantity",
                  "io.k8s.apimachinery.pkg.runtime.RawExtension", PKG["meta"] + ".FieldsV1"}


def is_scalar_spec(spec):
    base = spec.split(":")[0]
    return base in ("string", "integer", "number", "boolean") or spec == INTSTR


def annotate_proto(defs, facts):
    """Adds pb=N (and omitzero) to every field of every object definition."""
    for w in PROTO_WRAPPERS:
        if w in defs and defs[w]["fields"]:
            raise SystemExit("protobuf wrapper %s must not have fields" % w)
    missing = []
    for name in sorted(defs):
        d = defs[name]
        if not d["fields"]:
            continue
        for f in d["fields"]:
            num = facts.path(name, f[0])
            if num is None:
                if f[0] in ("apiVersion", "kind") and facts.has_message(name):
                    continue
                if (name, f[0]) in PROTO_EXEMPT:
                    continue
                missing.append("%s.%s" % (name, f[0]))
                continue
            f[2:2] = ["pb=" + ".".join(str(n) for n in num)]
            go = facts.go_field(name, f[0])
            if go and not go.pointer and go.omitempty and is_scalar_spec(f[1]):
                f[3:3] = ["omitzero"]
    if missing:
        raise SystemExit("no protobuf field number for:\n  " + "\n  ".join(missing))


def load_models(models_dir):
    """class name -> list of (json_name, ts_type, format, required)."""
    models = {}
    for fn in os.listdir(models_dir):
        if not fn.endswith(".js"):
            continue
        cls = fn[:-3]
        src = open(os.path.join(models_dir, fn)).read()
        m = re.search(r"\.attributeTypeMap = (\[.*?\]);", src, re.S)
        if not m:
            continue
        attrs = json.loads(m.group(1))
        dts = open(os.path.join(models_dir, cls + ".d.ts")).read()
        optional = {}
        for dm in re.finditer(r"^    '(\w+)'(\?)?:", dts, re.M):
            optional[dm.group(1)] = bool(dm.group(2))
        models[cls] = [(a["baseName"], a["type"], a["format"], not optional.get(a["name"], True))
                       for a in attrs]
    return models


def split_class(cls):
    m = re.match(r"^([A-Z][a-z]+)?V1([A-Z]\w*)$", cls)
    if not m:
        raise SystemExit("unexpected model class " + cls)
    return m.group(2)


class Gen:
    def __init__(self, models):
        self.models = models
        self.defs = {}       # def name -> list of field lines
        self.def_of = {}     # class -> def name
        self.queue = []

    def def_name(self, cls, parent_pkg):
        if cls in self.def_of:
            return self.def_of[cls]
        if cls in OPAQUE:
            return OPAQUE[cls]
        short = split_class(cls)
        if short in META:
            pkg = "meta"
        elif short in FORCED_CORE:
            pkg = "core"
        else:
            pkg = parent_pkg
        name = PKG[pkg] + "." + short
        self.def_of[cls] = name
        self.queue.append((cls, pkg))
        return name

    def type_spec(self, ts, fmt, pkg):
        if ts.startswith("Array<") and ts.endswith(">"):
            return "[]" + self.type_spec(ts[6:-1], fmt, pkg)
        m = re.match(r"^\{ \[key: string\]: (.*); \}$", ts)
        if m:
            return "{}" + self.type_spec(m.group(1), fmt, pkg)
        if ts == "string":
            return "string:" + fmt if fmt else "string"
        if ts == "number":
            if fmt in ("int32", "int64"):
                return "integer:" + fmt
            return "number:" + fmt if fmt else "number"
        if ts == "boolean":
            return "boolean"
        if ts == "Date":
            return TIME
        if ts == "V1MicroTime":
            return PKG["meta"] + ".MicroTime"
        if ts == "IntOrString":
            return INTSTR
        if ts == "any":
            return "any"
        if ts in self.models or ts in OPAQUE:
            return self.def_name(ts, pkg)
        raise SystemExit("unknown type " + ts)

    def run(self):
        for pkg, _group, _version, kind, cls in KINDS:
            self.def_name(cls, pkg)
            list_cls = cls[:-len(kind)] + kind + "List"
            if kind not in NO_LIST and list_cls in self.models:
                self.def_name(list_cls, pkg)
        for cls in EXTRA_META:
            self.def_name(cls, "meta")
        while self.queue:
            cls, pkg = self.queue.pop(0)
            lines = []
            for jname, ts, fmt, required in self.models[cls]:
                spec = self.type_spec(ts, fmt, pkg)
                lines.append([jname, spec] + (["required"] if required else []))
            self.defs[self.def_of[cls]] = {"type": "object", "fields": lines, "desc": ""}


def parse_kschema(text):
    """Returns (defs, order): def name -> {"type", "attrs", "fields": [[name, tokens..]], "desc"}."""
    defs, order, cur = {}, [], None
    for raw in text.splitlines():
        line, _, desc = raw.partition(" -- ")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        toks = line.split()
        if toks[0].startswith("@"):
            cur = {"head": toks[1:], "fields": [], "desc": desc.strip()}
            defs[toks[0][1:]] = cur
            order.append(toks[0][1:])
        elif toks[0].startswith("^"):
            continue
        else:
            cur["fields"].append((toks, desc.strip()))
    return defs, order


def is_type_token(t):
    return "=" not in t and t not in ("required", "optional", "preserve", "embedded",
                                      "nullable", "drop", "omitzero")


def apply_overlay(defs, overlay_text):
    """defs: name -> {"type", "fields": [[name, spec, attrs...]], "desc"}."""
    odefs, order = parse_kschema(overlay_text)
    for name in order:
        o = odefs[name]
        if name not in defs:
            if not o["head"]:
                raise SystemExit("overlay: unknown definition " + name)
            defs[name] = {"type": " ".join(o["head"]), "fields": [], "desc": ""}
        d = defs[name]
        head = o["head"]
        if head and is_type_token(head[0]):
            d["type"] = head[0]
            head = head[1:]
        if head:
            toks = d["type"].split()
            for a in head:
                key = a.split("=")[0]
                toks = [toks[0]] + [t for t in toks[1:] if t.split("=")[0] != key] + [a]
            d["type"] = " ".join(toks)
        if o["desc"]:
            d["desc"] = o["desc"]
        for toks, desc in o["fields"]:
            fname, rest = toks[0], toks[1:]
            existing = next((f for f in d["fields"] if f[0] == fname), None)
            if "drop" in rest:
                if existing is None:
                    raise SystemExit("overlay: drop of unknown field %s.%s" % (name, fname))
                d["fields"].remove(existing)
                continue
            if existing is None:
                if not rest or not is_type_token(rest[0]):
                    raise SystemExit("overlay: new field %s.%s needs a type" % (name, fname))
                existing = [fname, rest[0]]
                d["fields"].append(existing)
                rest = rest[1:]
            elif rest and is_type_token(rest[0]):
                existing[1] = rest[0]
                rest = rest[1:]
            for a in rest:
                if a == "optional":
                    if "required" in existing:
                        existing.remove("required")
                    continue
                key = a.split("=")[0]
                existing[:] = existing[:2] + [x for x in existing[2:] if x.split("=")[0] != key]
                existing.append(a)
            if desc:
                existing.append("-- " + desc)
    for name, d in defs.items():
        for f in d["fields"]:
            spec = f[1].lstrip("[]{}")
            if "." in spec and spec not in defs:
                raise SystemExit("dangling reference %s in %s.%s" % (spec, name, f[0]))


def file_of(defname):
    for key, pkg in PKG.items():
        if defname.startswith(pkg + "."):
            return key
    return "meta"


def render(defs, kinds_by_file):
    out = {}
    for name in sorted(defs):
        d = defs[name]
        f = file_of(name)
        buf = out.setdefault(f, [])
        head = "@%s %s" % (name, d["type"])
        if d["desc"]:
            head += " -- " + d["desc"]
        buf.append(head)
        for field in sorted(d["fields"], key=lambda x: x[0]):
            toks = [t for t in field if not t.startswith("-- ")]
            desc = [t for t in field if t.startswith("-- ")]
            buf.append("  " + " ".join(toks) + (" " + desc[0] if desc else ""))
    texts = {}
    for f, lines in out.items():
        header = ["# Generated by tools/schemagen/schemagen.py from the Kubernetes v1.32 models",
                  "# and api/schemas/overlay.kschema. Do not edit: edit the overlay and rerun.",
                  "# Format: api/schemas/README.md."]
        texts[f] = "\n".join(header + kinds_by_file.get(f, []) + lines) + "\n"
    return texts


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: schemagen.py <client-node package>/dist/gen/models "
                         "<kubernetes sources from extract_proto_sources.sh>")
    models = load_models(sys.argv[1])
    gen = Gen(models)
    gen.run()
    defs = gen.defs
    for head, spec, desc in ALIASES:
        defs[head[1:]] = {"type": spec, "fields": [], "desc": desc}
    apply_overlay(defs, open(OVERLAY).read())
    annotate_proto(defs, protonums.ProtoFacts(sys.argv[2]))
    kinds_by_file = {}
    for pkg, group, version, kind, cls in KINDS:
        kinds_by_file.setdefault(pkg, []).append(
            "^%s %s %s %s" % (group or "core", version, kind, gen.def_of[cls]))
    texts = render(defs, kinds_by_file)
    for f in os.listdir(OUT_DIR):
        if f.endswith(".kschema") and f != "overlay.kschema":
            os.remove(os.path.join(OUT_DIR, f))
    names = []
    for f, text in sorted(texts.items()):
        fname = f + ".kschema"
        names.append(fname)
        with open(os.path.join(OUT_DIR, fname), "w") as fh:
            fh.write(text)
    print("wrote %d definitions in %d files" % (len(defs), len(names)))


if __name__ == "__main__":
    main()
