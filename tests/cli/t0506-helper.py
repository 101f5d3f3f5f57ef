#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Helper of tests/cli/t0506-indexed-job.sh: reads
docs/examples/kubernetes-indexed-job.yaml (PyYAML: Debian python3-yaml).

    t0506-helper.py FILE check     the Indexed Job's fields; prints each
                                   problem, exits 1 if any
    t0506-helper.py FILE n         the number of shards (completions)
    t0506-helper.py FILE argv      command + args, NUL-separated
    t0506-helper.py FILE env       NAME=VALUE per line; a Secret's value as
                                   @secret:NAME/KEY, a field as @field:PATH
    t0506-helper.py FILE profile   the profile of the ConfigMap
"""
import re
import sys

import yaml

INDEX = "$(JOB_COMPLETION_INDEX)"
ANNOTATION = "metadata.annotations['batch.kubernetes.io/job-completion-index']"


def load(path):
    with open(path, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d.get("kind"), []).append(d)
    cj = by_kind["CronJob"][0]
    job = cj["spec"]["jobTemplate"]["spec"]
    pod = job["template"]["spec"]
    return by_kind, cj, job, pod, pod["containers"][0]


def arg_after(argv, flag):
    return argv[argv.index(flag) + 1] if flag in argv[:-1] else None


def check(by_kind, cj, job, pod, c):
    problems = []
    argv = list(c.get("command", [])) + list(c.get("args", []))
    n = job.get("completions")
    want = (("CronJob apiVersion", cj.get("apiVersion"), "batch/v1"),
            ("concurrencyPolicy", cj["spec"].get("concurrencyPolicy"),
             "Forbid"),
            ("completionMode", job.get("completionMode"), "Indexed"),
            ("restartPolicy", pod.get("restartPolicy"), "Never"))
    for what, got, value in want:
        if got != value:
            problems.append("%s is %r, not %r" % (what, got, value))
    if not isinstance(n, int) or n < 2:
        problems.append("completions is not a number of shards >= 2")
    p = job.get("parallelism")
    if not isinstance(p, int) or not 1 <= p <= (n or 0):
        problems.append("parallelism is not between 1 and completions")
    if arg_after(argv, "--shard") != "%s/%s" % (INDEX, n):
        problems.append("--shard is %r, not '%s/%s'"
                        % (arg_after(argv, "--shard"), INDEX, n))
    if "{shard}" not in (arg_after(argv, "--sink") or ""):
        problems.append("the sink path has no {shard}: shards would share it")
    if INDEX not in (arg_after(argv, "--summary-json") or INDEX):
        problems.append("--summary-json is one file for every shard")
    env = {e["name"]: e for e in c.get("env", [])}
    idx = env.get("JOB_COMPLETION_INDEX", {}).get("valueFrom", {})
    if idx.get("fieldRef", {}).get("fieldPath") != ANNOTATION:
        problems.append("JOB_COMPLETION_INDEX is not declared from the "
                        "completion-index annotation ($(...) would not "
                        "expand)")
    if "secretKeyRef" not in env.get("STRIPE_API_KEY", {}).get("valueFrom",
                                                               {}):
        problems.append("STRIPE_API_KEY does not come from a Secret")
    prof = yaml.safe_load(profile(by_kind))
    if prof["spec"].get("accounts") != "all":
        problems.append("the profile does not read 'accounts: all'")
    if prof["spec"]["auth"].get("apiKey") != "${{ STRIPE_API_KEY }}":
        problems.append("the profile's key is not ${{ STRIPE_API_KEY }}")
    if prof["metadata"]["name"] != arg_after(argv, "--profile"):
        problems.append("--profile does not name the ConfigMap's profile")
    maxd = arg_after(argv, "--max-duration") or ""
    m = re.fullmatch(r"(\d+)m", maxd)
    if not m or not int(m.group(1)) * 60 < job.get("activeDeadlineSeconds",
                                                   0):
        problems.append("activeDeadlineSeconds is not above --max-duration")
    mounts = {m["name"] for m in c.get("volumeMounts", [])}
    for v in pod.get("volumes", []):
        if v["name"] not in mounts:
            problems.append("volume %s is not mounted" % v["name"])
    return problems


def profile(by_kind):
    for cm in by_kind.get("ConfigMap", []):
        for name, text in cm.get("data", {}).items():
            if name.endswith(".yaml"):
                return text
    return ""


def main():
    by_kind, cj, job, pod, c = load(sys.argv[1])
    what = sys.argv[2]
    if what == "check":
        problems = check(by_kind, cj, job, pod, c)
        for p in problems:
            print(p)
        sys.exit(1 if problems else 0)
    elif what == "n":
        print(job["completions"])
    elif what == "argv":
        for a in list(c.get("command", [])) + list(c.get("args", [])):
            sys.stdout.write(str(a) + "\0")
    elif what == "env":
        for e in c.get("env", []):
            ref = e.get("valueFrom", {})
            if "value" in e:
                print("%s=%s" % (e["name"], e["value"]))
            elif "secretKeyRef" in ref:
                print("%s=@secret:%s/%s" % (e["name"], ref["secretKeyRef"][
                    "name"], ref["secretKeyRef"]["key"]))
            else:
                print("%s=@field:%s" % (e["name"],
                                        ref["fieldRef"]["fieldPath"]))
    elif what == "profile":
        sys.stdout.write(profile(by_kind))
    else:
        sys.exit("unknown query '%s'" % what)


if __name__ == "__main__":
    main()
