#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Singer checks for tests/cli/t1601-singer.sh (issue 16).

    singer_check.py messages OUT.jsonl   every line a Singer message (JSON
        Schema of the specification's SCHEMA, RECORD and STATE), a SCHEMA
        before the first RECORD of its stream, every RECORD valid against
        its stream's schema; prints "# N SCHEMA, N RECORD, N STATE" and
        "streams: a,b,..."
    singer_check.py catalog CATALOG.json   a valid Singer catalog
    singer_check.py select CATALOG.json OUT.json NAME...   the catalog
        with only NAME... selected
    singer_check.py target DB STATE_OUT < messages   a minimal target:
        each RECORD upserted on its key_properties into SQLite (one table
        per stream: account, id, raw, deleted, deleted_at, as
        sr_compare.py reads them; account is the record's _sdc_account
        when that is a key property, else ''), committed at each STATE, whose value is
        then written to STATE_OUT; a truncated last line (a killed tap) is
        ignored
    singer_check.py target DB STATE_OUT --kill PID STATES LINES   the same,
        and once it has read STATES STATE messages and LINES lines more,
        kill -9 PID (the tap), then read on to the end of the output
Needs the jsonschema module (Debian: python3-jsonschema).
"""
import datetime
import json
import os
import re
import signal
import sqlite3
import sys

import jsonschema

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")

# The message formats of the Singer specification (SPEC.md, "Output").
STRINGS = {"type": "array", "items": {"type": "string"}}
MESSAGE = {
    "oneOf": [
        {"type": "object", "required": ["type", "stream", "schema",
                                        "key_properties"],
         "properties": {"type": {"const": "SCHEMA"},
                        "stream": {"type": "string", "minLength": 1},
                        "schema": {"type": "object"},
                        "key_properties": STRINGS,
                        "bookmark_properties": STRINGS}},
        {"type": "object", "required": ["type", "stream", "record"],
         "properties": {"type": {"const": "RECORD"},
                        "stream": {"type": "string", "minLength": 1},
                        "record": {"type": "object"},
                        "time_extracted": {"type": "string",
                                           "pattern": RFC3339.pattern}}},
        {"type": "object", "required": ["type", "value"],
         "properties": {"type": {"const": "STATE"},
                        "value": {"type": "object"}}},
    ]
}

# A catalog (DISCOVERY_MODE.md): streams with a schema and metadata.
CATALOG = {
    "type": "object", "required": ["streams"],
    "properties": {"streams": {"type": "array", "minItems": 1, "items": {
        "type": "object",
        "required": ["tap_stream_id", "stream", "schema", "key_properties",
                     "metadata"],
        "properties": {
            "tap_stream_id": {"type": "string"},
            "stream": {"type": "string"},
            "schema": {"type": "object"},
            "key_properties": STRINGS,
            "replication_method": {"enum": ["INCREMENTAL", "FULL_TABLE",
                                            "LOG_BASED"]},
            "replication_key": {"type": "string"},
            "metadata": {"type": "array", "items": {
                "type": "object", "required": ["breadcrumb", "metadata"],
                "properties": {
                    "breadcrumb": STRINGS,
                    "metadata": {"type": "object", "properties": {
                        "selected": {"type": "boolean"},
                        "selected-by-default": {"type": "boolean"},
                        "inclusion": {"enum": ["available", "automatic",
                                               "unsupported"]},
                        "table-key-properties": STRINGS,
                        "valid-replication-keys": STRINGS,
                        "forced-replication-method": {"type": "string"}}}}}},
        }}}}}


def fail(msg):
    print("# " + msg)
    sys.exit(1)


def messages(path):
    schemas, counts, problems = {}, {"SCHEMA": 0, "RECORD": 0, "STATE": 0}, []
    validator = jsonschema.Draft7Validator(MESSAGE)
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                msg = json.loads(line)
            except ValueError:
                fail("line %d is not JSON: %.80s" % (n, line))
            for e in validator.iter_errors(msg):
                problems.append("line %d: %s" % (n, e.message[:200]))
            kind = msg.get("type")
            counts[kind] = counts.get(kind, 0) + 1
            if kind == "SCHEMA":
                jsonschema.Draft7Validator.check_schema(msg["schema"])
                for k in msg["key_properties"]:
                    if k not in msg["schema"]["properties"]:
                        problems.append("line %d: key %s not in the schema"
                                        % (n, k))
                schemas[msg["stream"]] = (
                    jsonschema.Draft7Validator(msg["schema"]),
                    msg["key_properties"])
            elif kind == "RECORD":
                if msg["stream"] not in schemas:
                    problems.append("line %d: a RECORD of %s before its SCHEMA"
                                    % (n, msg["stream"]))
                    continue
                v, keys = schemas[msg["stream"]]
                for e in v.iter_errors(msg["record"]):
                    problems.append("line %d (%s %s): %s" % (
                        n, msg["stream"], msg["record"].get("id"),
                        e.message[:200]))
                if any(k not in msg["record"] for k in keys):
                    problems.append("line %d: a key property is missing" % n)
            if len(problems) > 5:
                break
    print("# %d SCHEMA, %d RECORD, %d STATE" % (
        counts["SCHEMA"], counts["RECORD"], counts["STATE"]))
    print("streams: " + ",".join(sorted(schemas)))
    for p in problems[:5]:
        print("# " + p)
    sys.exit(1 if problems else 0)


def catalog(path):
    with open(path, encoding="utf-8") as f:
        cat = json.load(f)
    problems = [e.message[:200] for e in
                jsonschema.Draft7Validator(CATALOG).iter_errors(cat)]
    for s in cat.get("streams", []):
        jsonschema.Draft7Validator.check_schema(s["schema"])
        top = [m for m in s["metadata"] if m["breadcrumb"] == []]
        if len(top) != 1:
            problems.append("%s: no stream metadata" % s["stream"])
            continue
        md = top[0]["metadata"]
        for k in ("selected", "inclusion", "table-key-properties"):
            if k not in md:
                problems.append("%s: no '%s' in its metadata" % (s["stream"], k))
        for k in s["key_properties"] + [s.get("replication_key")]:
            if k not in s["schema"]["properties"]:
                problems.append("%s: %s is not a property" % (s["stream"], k))
    for p in problems[:5]:
        print("# " + p)
    sys.exit(1 if problems else 0)


def select(path, out, names):
    with open(path, encoding="utf-8") as f:
        cat = json.load(f)
    for s in cat["streams"]:
        for m in s["metadata"]:
            if m["breadcrumb"] == []:
                m["metadata"]["selected"] = s["tap_stream_id"] in names
    with open(out, "w", encoding="utf-8") as f:
        json.dump(cat, f)


def unix(when):
    return int(datetime.datetime.fromisoformat(
        when.replace("Z", "+00:00")).timestamp())


def target(db_path, state_out, kill=None):
    db = sqlite3.connect(db_path)
    keys = {}
    states, after = 0, 0
    for line in sys.stdin:
        if kill and states >= kill[1]:
            after += 1
            if after == kill[2] + 1:
                os.kill(kill[0], signal.SIGKILL)
        if not line.endswith("\n"):
            break  # the tap was killed while writing this line
        msg = json.loads(line)
        if msg["type"] == "SCHEMA":
            keys[msg["stream"]] = msg["key_properties"]
            db.execute("CREATE TABLE IF NOT EXISTS %s (account TEXT, id TEXT,"
                       " raw TEXT, deleted INTEGER, deleted_at INTEGER,"
                       " PRIMARY KEY (account, id))" % msg["stream"])
        elif msg["type"] == "RECORD":
            rec = dict(msg["record"])
            gone = rec.pop("_sdc_deleted_at", None)
            assert keys[msg["stream"]] in (["id"], ["id", "_sdc_account"])
            account = rec.pop("_sdc_account", "")
            if len(keys[msg["stream"]]) == 1:
                account = ""
            db.execute("INSERT OR REPLACE INTO %s VALUES (?, ?, ?, ?, ?)"
                       % msg["stream"],
                       (account, rec["id"], json.dumps(rec), 1 if gone else 0,
                        unix(gone) if gone else None))
        elif msg["type"] == "STATE":
            states += 1
            db.commit()
            with open(state_out + ".tmp", "w", encoding="utf-8") as f:
                json.dump(msg["value"], f)
            os.replace(state_out + ".tmp", state_out)
    db.commit()
    db.close()


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "messages":
        messages(args[0])
    elif cmd == "catalog":
        catalog(args[0])
    elif cmd == "select":
        select(args[0], args[1], set(args[2:]))
    elif cmd == "target":
        target(args[0], args[1],
               [int(a) for a in args[3:6]] if args[2:3] == ["--kill"]
               else None)
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
