#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Validate JSON documents against a JSON Schema (the subset the project's
schemas use: type, enum, required, properties, additionalProperties, $ref
to #/$defs, minimum, maximum).  Stdlib only.

    json_schema_check.py SCHEMA.json DOC.json ...   (or - for stdin)
"""
import json
import sys

TYPES = {"object": dict, "array": list, "string": str, "boolean": bool,
         "null": type(None)}


def type_ok(value, name):
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, TYPES[name])


def check(value, schema, root, path, errors):
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        return check(value, root["$defs"][name], root, path, errors)
    types = schema.get("type")
    if types is not None:
        names = types if isinstance(types, list) else [types]
        if not any(type_ok(value, t) for t in names):
            errors.append("%s: %r is not of type %s" % (path, value, types))
            return
    if "enum" in schema and value not in schema["enum"]:
        errors.append("%s: %r is not one of %s" % (path, value, schema["enum"]))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append("%s: %r < %s" % (path, value, schema["minimum"]))
        if "maximum" in schema and value > schema["maximum"]:
            errors.append("%s: %r > %s" % (path, value, schema["maximum"]))
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                errors.append("%s: missing '%s'" % (path, key))
        for key, sub in value.items():
            if key in props:
                check(sub, props[key], root, "%s.%s" % (path, key), errors)
            elif schema.get("additionalProperties") is False:
                errors.append("%s: unexpected '%s'" % (path, key))


def main():
    schema = json.load(open(sys.argv[1]))
    bad = 0
    for name in sys.argv[2:]:
        doc = json.load(sys.stdin if name == "-" else open(name))
        errors = []
        check(doc, schema, schema, "$", errors)
        for e in errors:
            print("# %s: %s" % (name, e))
        bad += bool(errors)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
