"""protonums: protobuf facts for schemagen.py, read from the Kubernetes sources.

Reads two kinds of upstream files (never committed; see api/schemas/README.md):
  - generated.proto of each API package: message -> {field name: field number};
  - types.go of the same package: struct -> {json name: (is_pointer, has_omitempty)}, which
    says whether Go's JSON encoding drops a field's zero value.

Both are matched to kite's definition names through PROTO_PACKAGE below.
"""

import os
import re

# kite definition prefix -> (proto package, source folder under the upstream root).
PROTO_PACKAGE = {
    "io.k8s.api.core.v1": "api/core/v1",
    "io.k8s.api.apps.v1": "api/apps/v1",
    "io.k8s.api.batch.v1": "api/batch/v1",
    "io.k8s.api.networking.v1": "api/networking/v1",
    "io.k8s.api.storage.v1": "api/storage/v1",
    "io.k8s.api.coordination.v1": "api/coordination/v1",
    "io.k8s.api.discovery.v1": "api/discovery/v1",
    "io.k8s.api.policy.v1": "api/policy/v1",
    "io.k8s.api.events.v1": "api/events/v1",
    "io.k8s.api.autoscaling.v1": "api/autoscaling/v1",
    "io.k8s.apimachinery.pkg.apis.meta.v1": "meta",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1": "apiext",
}

_MESSAGE = re.compile(r"^message (\w+) \{$")
_FIELD = re.compile(r"^\s+(?:optional|repeated)\s+[\w.]+\s+(\w+)\s*=\s*(\d+);")
_MAP_FIELD = re.compile(r"^\s+map<[\w.]+,\s*[\w.]+>\s+(\w+)\s*=\s*(\d+);")


def parse_proto(text):
    """message name -> {field name: number} (top-level messages only, as k8s writes them)."""
    messages, cur, depth = {}, None, 0
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("//"):
            continue
        m = _MESSAGE.match(line)
        if m and depth == 0:
            cur = messages.setdefault(m.group(1), {})
            depth = 1
            continue
        if cur is None:
            continue
        fm = _FIELD.match(line) or _MAP_FIELD.match(line)
        if fm and depth == 1:
            cur[fm.group(1)] = int(fm.group(2))
        depth += stripped.count("{") - stripped.count("}")
        if depth <= 0:
            cur, depth = None, 0
    return messages


_STRUCT = re.compile(r"^type (\w+) struct \{")
_GO_FIELD = re.compile(r'^\t(\w+)(?:\s+(\S+))?\s+`([^`]*)`')
_JSON_TAG = re.compile(r'json:"([^"]*)"')
_PROTO_TAG = re.compile(r'protobuf:"([^"]*)"')


class GoField:
    def __init__(self, go_name, go_type, json_opts, proto_tag):
        self.go_name = go_name
        self.go_type = go_type or go_name  # embedded fields are named after their type
        self.pointer = self.go_type.startswith("*")
        self.omitempty = "omitempty" in json_opts
        parts = proto_tag.split(",") if proto_tag else []
        self.proto_number = int(parts[1]) if len(parts) > 1 else None
        names = [p[5:] for p in parts if p.startswith("name=")]
        # Without name=, go-to-protobuf names the field after the Go field, first letter lower.
        self.proto_name = names[0] if names else go_name[0].lower() + go_name[1:]


def parse_go_types(text):
    """struct name -> ({json name: GoField}, [inline embedded GoField with a protobuf tag])."""
    structs, cur = {}, None
    for line in text.splitlines():
        m = _STRUCT.match(line)
        if m:
            cur = structs.setdefault(m.group(1), ({}, []))
            continue
        if cur is None:
            continue
        if line.startswith("}"):
            cur = None
            continue
        fm = _GO_FIELD.match(line)
        if not fm:
            continue
        tag = _JSON_TAG.search(fm.group(3))
        proto = _PROTO_TAG.search(fm.group(3))
        if not tag:
            continue
        parts = tag.group(1).split(",")
        field = GoField(fm.group(1), fm.group(2), parts[1:], proto.group(1) if proto else "")
        if not parts[0] and "inline" in parts[1:]:
            if proto:
                cur[1].append(field)
        elif parts[0] and parts[0] != "-":
            cur[0][parts[0]] = field
    return structs


class ProtoFacts:
    def __init__(self, root):
        self.messages = {}  # kite definition name -> {proto field name: number}
        self.go = {}        # kite definition name -> ({json name: GoField}, [inline GoField])
        for prefix, folder in PROTO_PACKAGE.items():
            d = os.path.join(root, folder)
            if not os.path.isdir(d):
                raise SystemExit("protonums: missing upstream folder " + d)
            for fn in sorted(os.listdir(d)):
                text = open(os.path.join(d, fn)).read()
                if fn == "generated.proto":
                    for msg, fields in parse_proto(text).items():
                        self.messages[prefix + "." + msg] = fields
                elif fn.endswith(".go"):
                    for st, (fields, inline) in parse_go_types(text).items():
                        entry = self.go.setdefault(prefix + "." + st, ({}, []))
                        entry[0].update(fields)
                        entry[1].extend(inline)

    def has_message(self, definition):
        return definition in self.messages

    def _number(self, definition, proto_name, go_number):
        num = self.messages.get(definition, {}).get(proto_name)
        if num is not None and go_number is not None and num != go_number:
            raise SystemExit("protonums: %s.%s is %d in generated.proto but %d in the Go tag"
                             % (definition, proto_name, num, go_number))
        return num

    def path(self, definition, field):
        """The field numbers leading to JSON field `field` of `definition`: [n] for a field of
        the message itself, [e, n] when it sits in an inline-embedded struct (field e); None
        when unknown."""
        fields, inline = self.go.get(definition, ({}, []))
        go = fields.get(field)
        if go is not None:
            num = self._number(definition, go.proto_name, go.proto_number)
            if num is not None:
                return [num]
        else:
            num = self._number(definition, field, None)
            if num is not None:
                return [num]
        prefix = definition.rsplit(".", 1)[0]
        for emb in inline:
            outer = self._number(definition, emb.proto_name, emb.proto_number)
            inner = self.path(prefix + "." + emb.go_type.lstrip("*"), field)
            if outer is not None and inner is not None:
                return [outer] + inner
        return None

    def go_field(self, definition, field):
        """The Go struct field behind a JSON field (searching inline embeds), or None."""
        fields, inline = self.go.get(definition, ({}, []))
        if field in fields:
            return fields[field]
        prefix = definition.rsplit(".", 1)[0]
        for emb in inline:
            found = self.go_field(prefix + "." + emb.go_type.lstrip("*"), field)
            if found is not None:
                return found
        return None
