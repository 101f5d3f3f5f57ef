#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 15, past one machine: docs/examples/kubernetes-indexed-job.yaml.
# The YAML parses and is an Indexed Job under a CronJob (Forbid; N
# completions; --shard $(JOB_COMPLETION_INDEX)/N agreeing with N; a sink
# path per shard; the key from a Secret, named by the profile as
# ${{ STRIPE_API_KEY }}; accounts: all), and its command line names an
# existing subcommand and options.  Then, once `sync` has --shard, the
# command line runs as N local processes against a double with several
# connected accounts: every account is read by exactly one shard.
. "$(dirname "$0")/lib.sh"

EX=$TOP/docs/examples/kubernetes-indexed-job.yaml
HELPER=$TOP/tests/cli/t0506-helper.py
if "$PYTHON" -c 'import yaml' 2>/dev/null; then
    YPY=$PYTHON
elif /usr/bin/python3 -c 'import yaml' 2>/dev/null; then
    YPY=/usr/bin/python3
else
    t_skip "the Indexed Job example" "PyYAML is missing (Debian: python3-yaml)"
    t_done
    exit
fi
kq() { "$YPY" "$HELPER" "$EX" "$1"; }

run kq check
t_is "$RC:$OUT$ERR" "0:" "the YAML parses: a CronJob (Forbid) of an Indexed Job, --shard \$(JOB_COMPLETION_INDEX)/N with N = completions, a sink per shard, the key from a Secret, accounts: all"
N=$(kq n)
mapfile -d '' -t argv < <(kq argv)
t_is "${argv[0]##*/} ${argv[1]}" "stripe-reader sync" "the container runs 'stripe-reader sync'"
t_match "$("$BIN" --help)" "^  ${argv[1]} " "'${argv[1]}' is a subcommand of this stripe-reader"
"$BIN" "${argv[1]}" --help >"$TMP/help.txt"
t_is "$?" 0 "'stripe-reader ${argv[1]} --help' succeeds"
missing=""
for o in $(printf '%s\n' "${argv[@]}" | grep -E '^--' | grep -vx -- --shard); do
    grep -qE -- "(^| )$o( |,|\$)" "$TMP/help.txt" || missing="$missing $o"
done
t_is "$missing" "" "every option of the command line but --shard is an option of '${argv[1]}'"
t_match "$(kq env)" "^STRIPE_API_KEY=@secret:" "STRIPE_API_KEY comes from a Secret"

# ------------------------------------------------ N local processes
if ! grep -qE -- '(^| )--shard( |$)' "$TMP/help.txt"; then
    t_skip "the Indexed Job's command as $N processes against the double" \
        "'stripe-reader sync --help' does not list --shard (issue 15, built separately)"
    t_done
    exit
fi

double_history 10 --accounts 7 --charges 20 --payouts 4
R=$TMP/k8s
mkdir -p "$R/etc/stripe-reader/profiles" "$R/data" "$R/home"
# the example's profile, in test mode and on the double
profile_yaml platform '    apiKey: ${{ STRIPE_API_KEY }}' '  accounts: all' \
    double '  baseUrl: ${{ SR_URL }}' \
    '  retry: {initialBackoff: 20ms, maxBackoff: 100ms}' \
    >"$R/etc/stripe-reader/profiles/platform.yaml"
relocate() {
    sed -E -e "s#/usr/local/bin/stripe-reader#$BIN#g" \
        -e "s#/etc/stripe-reader#$R/etc/stripe-reader#g" \
        -e "s#(^|[:= \"])/data(/|\$|\")#\1$R/data\2#g"
}
pids=()
for ((i = 0; i < N; i++)); do
    args=()
    for a in "${argv[@]}"; do
        args+=("$(printf '%s' "${a//\$(JOB_COMPLETION_INDEX)/$i}" | relocate)")
    done
    mapfile -t kenv < <(kq env | relocate | sed -E \
        -e "s#^(STRIPE_API_KEY)=@secret:.*#\1=$SR_KEY#" \
        -e "s#^(JOB_COMPLETION_INDEX)=@field:.*#\1=$i#")
    env -i HOME="$R/home" SR_URL="$SR_URL" "${kenv[@]}" "${args[@]}" \
        >"$TMP/shard-$i.out" 2>"$TMP/shard-$i.err" &
    pids+=($!)
done
rcs=""
for p in "${pids[@]}"; do
    wait "$p"
    rcs="$rcs $?"
done
t_is "$rcs" "$(printf ' 0%.0s' $(seq "$N"))" "$N shard processes run at once, each exits 0"
# the accounts of the records in each shard's folder, one line per
# (shard, account)
shard_accounts() {
    local i f
    for ((i = 0; i < N; i++)); do
        for f in $(jq -r '.files[].path' "$R/data/shard-$i/manifest.json"); do
            case $f in
            *.gz) zcat "$R/data/shard-$i/$f" ;;
            *) cat "$R/data/shard-$i/$f" ;;
            esac
        done | jq -r .account | sort -u
    done
}
connected=$(dctl GET /_double/accounts | jq -r '.accounts[1:][].id' | sort)
t_is "$(shard_accounts | sort)" "$connected" \
    "every connected account is read by exactly one shard (and no other account)"
missing=""
for ((i = 0; i < N; i++)); do
    test -s "$R/data/shard-$i.last-run.json" || missing="$missing $i"
done
t_is "$missing" "" "each shard wrote its own run summary"
t_done
