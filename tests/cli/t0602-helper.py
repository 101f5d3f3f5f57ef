#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Read the deployment examples of docs/examples/ for tests/cli/t0602-docs.sh.

usage: t0602-helper.py cron FILE env|jobs
       t0602-helper.py unit FILE SECTION KEY      every value of KEY, one a line
       t0602-helper.py argv STRING                shlex-split, NUL-terminated
       t0602-helper.py seconds DURATION           stripe-reader or systemd time span
       t0602-helper.py k8s FILE check|argv|env|profile|mounts

'cron FILE jobs' prints "SCHEDULE<TAB>COMMAND" per job, with '\\%' turned
into '%' as cron does (an unescaped '%' is an error: cron would cut the
command there).  'k8s' needs PyYAML (Debian: python3-yaml); 'k8s FILE
check' prints one line per problem and exits 1 if there is any.
"""
import re
import shlex
import sys


def cron(path, what):
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$", line)
        if m:
            if what == "env":
                print(f"{m.group(1)}={m.group(2)}")
            continue
        fields = line.split(None, 5)
        if len(fields) < 6:
            sys.exit(f"{path}:{n}: not a job line")
        cmd = fields[5]
        if re.search(r"(?<!\\)%", cmd):
            sys.exit(f"{path}:{n}: unescaped '%' (cron ends the command there)")
        if what == "jobs":
            print(" ".join(fields[:5]) + "\t" + cmd.replace("\\%", "%"))


def unit(path, section, key):
    cur = None
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            cur = line[1:-1]
            continue
        k, sep, v = line.partition("=")
        if not sep:
            sys.exit(f"{path}: not a key=value line: {line}")
        if cur == section and k.strip() == key:
            print(v.strip())


UNITS = {"ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600,
         "hr": 3600, "d": 86400}


def seconds(text):
    text = text.strip()
    if re.fullmatch(r"\d+", text):
        return int(text)
    total = 0.0
    pos = 0
    for m in re.finditer(r"\s*(\d+)\s*([a-z]+)", text):
        if m.start() != pos or m.group(2) not in UNITS:
            sys.exit(f"bad duration '{text}'")
        total += int(m.group(1)) * UNITS[m.group(2)]
        pos = m.end()
    if pos != len(text) or pos == 0:
        sys.exit(f"bad duration '{text}'")
    return int(total)


def argv_of(text):
    for a in shlex.split(text):
        sys.stdout.write(a + "\0")


def k8s(path, what):
    import yaml  # Debian: python3-yaml

    docs = [d for d in yaml.safe_load_all(open(path, encoding="utf-8")) if d]
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d.get("kind"), []).append(d)
    cj = by_kind.get("CronJob", [None])[0]
    problems = []
    if cj is None:
        sys.exit("no CronJob document")
    job = cj["spec"]["jobTemplate"]["spec"]
    pod = job["template"]["spec"]
    c = pod["containers"][0]
    argv = list(c.get("command", [])) + list(c.get("args", []))
    if what == "check":
        if cj["apiVersion"] != "batch/v1":
            problems.append("CronJob apiVersion is not batch/v1")
        if cj["spec"].get("concurrencyPolicy") != "Forbid":
            problems.append("concurrencyPolicy is not Forbid")
        for key, where in (("activeDeadlineSeconds", job),
                           ("terminationGracePeriodSeconds", pod)):
            if not isinstance(where.get(key), int):
                problems.append(f"{key} missing")
        if pod.get("restartPolicy") not in ("Never", "OnFailure"):
            problems.append("restartPolicy must be Never or OnFailure")
        if "--max-duration" not in argv:
            problems.append("no --max-duration in the command")
        else:
            maxd = seconds(argv[argv.index("--max-duration") + 1])
            if not maxd < job.get("activeDeadlineSeconds", 0):
                problems.append("activeDeadlineSeconds is not above --max-duration")
            m = re.fullmatch(r"\*/(\d+) \* \* \* \*", cj["spec"]["schedule"])
            if not m or not maxd < int(m.group(1)) * 60:
                problems.append("--max-duration is not shorter than the schedule's interval")
            if not job.get("activeDeadlineSeconds", 0) < int(m.group(1)) * 60:
                problems.append("activeDeadlineSeconds is not shorter than the interval")
        secrets = [e for e in c.get("env", [])
                   if "secretKeyRef" in e.get("valueFrom", {})]
        if not secrets:
            problems.append("no env value from a Secret")
        claims = [v for v in pod.get("volumes", [])
                  if "persistentVolumeClaim" in v]
        if not claims:
            problems.append("no PersistentVolumeClaim volume")
        pvcs = [d["metadata"]["name"] for d in by_kind.get("PersistentVolumeClaim", [])]
        for v in claims:
            if v["persistentVolumeClaim"]["claimName"] not in pvcs:
                problems.append(f"claim {v['persistentVolumeClaim']['claimName']} is not in the file")
        mounts = {m["name"] for m in c.get("volumeMounts", [])}
        for v in pod.get("volumes", []):
            if v["name"] not in mounts:
                problems.append(f"volume {v['name']} is not mounted")
        for p in problems:
            print(p)
        sys.exit(1 if problems else 0)
    if what == "argv":
        for a in argv:
            sys.stdout.write(str(a) + "\0")
    elif what == "env":
        for e in c.get("env", []):
            if "value" in e:
                print(f"{e['name']}={e['value']}")
            else:
                ref = e["valueFrom"]["secretKeyRef"]
                print(f"{e['name']}=@secret:{ref['name']}/{ref['key']}")
    elif what == "profile":
        for cm in by_kind.get("ConfigMap", []):
            for name, text in cm.get("data", {}).items():
                if name.endswith(".yaml"):
                    sys.stdout.write(text)
    elif what == "mounts":
        vols = {v["name"]: v for v in pod.get("volumes", [])}
        for m in c.get("volumeMounts", []):
            kind = [k for k in vols[m["name"]] if k != "name"][0]
            print(f"{m['mountPath']}\t{kind}")
    else:
        sys.exit(f"unknown k8s query '{what}'")


def main(argv):
    if len(argv) >= 3 and argv[1] == "cron":
        cron(argv[2], argv[3])
    elif len(argv) == 5 and argv[1] == "unit":
        unit(argv[2], argv[3], argv[4])
    elif len(argv) == 3 and argv[1] == "argv":
        argv_of(argv[2])
    elif len(argv) == 3 and argv[1] == "seconds":
        print(seconds(argv[2]))
    elif len(argv) == 4 and argv[1] == "k8s":
        k8s(argv[2], argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
