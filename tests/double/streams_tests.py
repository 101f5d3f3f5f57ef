"""Tests of the issue-14 streams of the double (run by test_double.py,
whose helpers they use; TESTS is appended to its list)."""

import json

from double_client import KEY, PLATFORM, Double, connected
from test_double import (_load_fixture, _same_keys, api_error, check, equal,
                         first, mutate, truth, version_header)

TESTS = []
BILLING = ("--charges", "300", "--payouts", "10", "--billing", "40",
           "--accounts", "1", "--frozen-clock", "--smooth")
LISTED = ("balance_transactions", "refunds", "disputes", "customers",
          "payment_intents", "invoices", "subscriptions", "products",
          "prices", "transfers", "application_fees", "checkout_sessions",
          "credit_notes")


def test(description):
    def register(fn):
        TESTS.append((description, fn, False))
        return fn
    return register


def path_of(stream):
    return "/v1/checkout/sessions" if stream == "checkout_sessions" \
        else "/v1/" + stream


def ids(objs):
    return [o["id"] for o in objs]


def events_of(applied):
    return [e["type"] for a in applied for e in a["events"]]


def event(d, event_id):
    return d.get("/v1/events/" + event_id)[1]


def ctl_error(d, body):
    resp = d.request("POST", "/_double/mutate", {
        "Content-Type": "application/json"}, json.dumps(body))
    equal(resp.status, 400, "status of a refused op")
    return resp.json()["error"]     # the message


@test("streams: every list pages like Stripe (newest first, created, "
      "cursors) and hides what Stripe hides by default")
def t_stream_lists(t):
    with Double(*BILLING) as d:
        tr = truth(d)
        gone = {c["id"] for c in tr["customers"] if c.get("deleted")}
        for stream in LISTED:
            rows = [o for o in tr[stream] if not o.get("deleted")]
            want = rows
            if stream == "subscriptions":
                want = [s for s in rows if s["status"] != "canceled"]
            elif stream == "prices":
                want = [p for p in rows if p["active"]]
            got = d.list_all(path_of(stream))
            equal(ids(got), ids(want), stream)
            equal(got, want, stream + " objects")
            check(rows, "%s has objects" % stream)
            mid = rows[len(rows) // 2]["created"]
            got = d.list_all(path_of(stream) + "?created[gte]=%d" % mid)
            equal(ids(got), [o["id"] for o in want if o["created"] >= mid],
                  stream + " created[gte]")
            err = api_error(d, path_of(stream) + "?foo=1", 400)
            equal(err["code"], "parameter_unknown", stream)
        subs = [s for s in tr["subscriptions"]]
        equal(ids(d.list_all("/v1/subscriptions?status=all")), ids(
            [s for s in subs if s["customer"] not in gone]), "status=all")
        equal(ids(d.list_all("/v1/subscriptions?status=canceled")), ids(
            [s for s in subs if s["status"] == "canceled"]), "canceled")
        inactive = [p for p in tr["prices"] if not p["active"]
                    and not p.get("deleted")]
        check(inactive, "inactive prices")
        equal(ids(d.list_all("/v1/prices?active=false")), ids(inactive),
              "active=false")
        products = [p for p in tr["products"] if not p.get("deleted")]
        equal(ids(d.list_all("/v1/products?active=true")),
              ids([p for p in products if p["active"]]), "products active")
        cus = tr["invoices"][0]["customer"]
        equal(ids(d.list_all("/v1/invoices?customer=" + cus)),
              ids([i for i in tr["invoices"] if i["customer"] == cus
                   and not i.get("deleted")]), "invoices?customer")
        charge = tr["refunds"][0]["charge"]
        equal(ids(d.list_all("/v1/refunds?charge=" + charge)),
              ids([r for r in tr["refunds"] if r["charge"] == charge]),
              "refunds?charge")
        page = d.get("/v1/customers?limit=3&ending_before="
                     + tr["customers"][10]["id"])[1]
        equal(ids(page["data"]), ids([c for c in tr["customers"][:10]
                                      if not c.get("deleted")][-3:]),
              "ending_before")
        err = api_error(d, "/v1/subscriptions?status=gone", 400)
        equal(err["param"], "status", "bad status")
        err = api_error(d, "/v1/prices?active=maybe", 400)
        equal(err["param"], "active", "bad active")
        for stream in LISTED:
            obj = tr[stream][-1]
            if stream in ("refunds", "disputes") or obj.get("deleted"):
                continue
            status, got, _ = d.get(path_of(stream) + "/" + obj["id"])
            equal((status, got), (200, obj), stream + " retrieve")


@test("streams: objects follow the fixtures and reference each other")
def t_stream_shapes(t):
    with Double(*BILLING) as d:
        tr = truth(d, api_version="2025-03-31.basil")
        old = truth(d)
        conn = truth(d, connected(1))
        by_id = {o["id"]: o for part in (tr, conn) for rows in part.values()
                 for o in rows if "id" in o}
        by_id.update((r["id"], r) for fee in tr["application_fees"]
                     for r in fee["refunds"]["data"])
        for stream, fixture in (
                ("customers", "customer"), ("products", "product"),
                ("prices", "price"), ("payment_intents", "payment_intent"),
                ("balance_transactions", "balance_transaction"),
                ("invoices", "invoice"), ("subscriptions", "subscription"),
                ("invoice_line_items", "invoice_line_item"),
                ("subscription_items", "subscription_item"),
                ("transfers", "transfer"),
                ("application_fees", "application_fee"),
                ("checkout_sessions", "checkout_session"),
                ("credit_notes", "credit_note")):
            obj = first(tr[stream], lambda o: not o.get("deleted"), stream)
            want = _load_fixture(fixture)
            if stream == "invoices":
                want.pop("subscription")
                obj.pop("subscription")
            _same_keys(obj, want, stream)
            equal(list(obj)[:2], ["id", "object"], stream + " key order")
        sub = first(old["subscriptions"], lambda s: True, "subscription")
        check("current_period_start" in sub, "pre-basil subscription period")
        inv = first(old["invoices"], lambda i: i["status"] == "paid", "paid")
        check(inv["charge"] in by_id and inv["paid"] is True, "invoice.charge")
        equal(by_id[inv["payment_intent"]]["latest_charge"], inv["charge"],
              "pi.latest_charge")
        for charge in tr["charges"]:
            pi = by_id[charge["payment_intent"]]
            equal((pi["latest_charge"], pi["customer"]),
                  (charge["id"], charge["customer"]), "charge <-> pi")
            if charge["balance_transaction"]:
                equal(by_id[charge["balance_transaction"]]["source"],
                      charge["id"], "charge txn")
            if charge["customer"]:
                check(charge["customer"] in by_id, "charge.customer")
        for txn in tr["balance_transactions"]:
            check(txn["source"] in by_id, "txn.source " + txn["source"])
        for r in tr["refunds"]:
            equal(by_id[r["balance_transaction"]]["source"], r["id"], "re")
        for row, key in ((tr["disputes"], "charge"), (tr["prices"], "product"),
                         (tr["credit_notes"], "invoice"),
                         (tr["invoices"], "customer"),
                         (tr["subscriptions"], "customer"),
                         (tr["application_fees"], "charge"),
                         (tr["invoice_line_items"], "invoice"),
                         (tr["subscription_items"], "subscription")):
            for o in row:
                check(o[key] in by_id, "%s.%s" % (o["object"], key))
        for fee in tr["application_fees"]:
            equal(fee["account"], connected(1), "fee.account")
        for tr_ in tr["transfers"]:
            equal(tr_["destination"], connected(1), "transfer.destination")
        for inv in tr["invoices"]:
            lines = [li for li in tr["invoice_line_items"]
                     if li["invoice"] == inv["id"]]
            equal(inv["lines"]["url"], "/v1/invoices/%s/lines" % inv["id"],
                  "lines.url")
            equal(inv["lines"]["has_more"], len(lines) > 10, "has_more")
            equal(inv["lines"]["data"], lines[:10], "embedded lines")
            equal(inv["total"], sum(li["amount"] for li in lines), "total")
            if inv["parent"]:
                check(inv["parent"]["subscription_details"][
                    "subscription"] in by_id, "parent.subscription")
        check(any(i["lines"]["has_more"] for i in tr["invoices"]), "> 10")
        check(any(s["items"]["has_more"] for s in tr["subscriptions"]),
              "> 10 items")


@test("streams: events per change carry the right object; none for "
      "balance transactions, lines, items; checkout and intents' types")
def t_stream_events(t):
    with Double(*BILLING) as d:
        mutate(d, {"op": "refund_full", "id": truth(d)["charges"][5]["id"]})
        evs = d.list_all("/v1/events")
        evs += d.list_all("/v1/events", account=connected(1))
        kinds = {}
        for ev in evs:
            kinds.setdefault(ev["type"], set()).add(
                ev["data"]["object"].get("object"))
        for etype, obj in (
                ("charge.refunded", "charge"),
                ("charge.refund.updated", "refund"),
                ("charge.dispute.created", "dispute"),
                ("customer.discount.created", "discount"),
                ("invoice_payment.paid", "invoice_payment"),
                ("application_fee.refund.updated", "fee_refund"),
                ("application_fee.created", "application_fee"),
                ("customer.subscription.created", "subscription"),
                ("customer.created", "customer"),
                ("invoice.upcoming", "invoice"), ("invoice.paid", "invoice"),
                ("price.created", "price"), ("product.created", "product"),
                ("payment_intent.created", "payment_intent"),
                ("checkout.session.completed", "checkout.session"),
                ("transfer.created", "transfer")):
            if etype in kinds:
                equal(kinds[etype], {obj}, etype)
        for ev in evs:
            o = ev["data"]["object"]
            check(o.get("object") not in ("balance_transaction", "line_item",
                                          "subscription_item"), ev["type"])
            if ev["type"] == "invoice.upcoming":
                check("id" not in o, "invoice.upcoming has no id")
            if ev["type"] == "customer.discount.created":
                check(o["customer"].startswith("cus_"), "discount.customer")
            if ev["type"] == "invoice_payment.paid":
                check(o["invoice"].startswith("in_"), "payment.invoice")
        types = set(kinds)
        check({t_ for t_ in types if t_.startswith("checkout.")} <= {
            "checkout.session.completed", "checkout.session.expired",
            "checkout.session.async_payment_succeeded",
            "checkout.session.async_payment_failed"}, "checkout types")
        check("payment_intent.updated" not in types, "no pi.updated")
        for want in ("invoice.upcoming", "invoice.created", "price.deleted",
                     "product.deleted", "invoice.deleted",
                     "customer.subscription.updated"):
            check(want in types or want.endswith("deleted"), want)


@test("streams: deletes (stub, 404, hidden, cursor 400, *.deleted with the "
      "last state, truth) and customer.subscription.deleted")
def t_stream_deletes(t):
    with Double(*BILLING) as d:
        tr = truth(d)
        sub = first(tr["subscriptions"], lambda s: s["status"] == "active"
                    and len(s["items"]["data"]) >= 2, "subscription")
        cus = sub["customer"]
        applied = mutate(d, {"op": "customer_delete", "id": cus})
        equal(events_of(applied), ["customer.subscription.deleted",
                                   "customer.deleted"], "delete events")
        deleted = event(d, applied[0]["events"][1]["id"])
        equal(deleted["data"]["object"]["email"],
              first(tr["customers"], lambda c: c["id"] == cus, "c")["email"],
              "customer.deleted carries the full customer")
        equal(d.get("/v1/customers/" + cus)[1], {
            "id": cus, "object": "customer", "deleted": True}, "stub")
        check(cus not in ids(d.list_all("/v1/customers")), "hidden")
        err = api_error(d, "/v1/customers?starting_after=" + cus, 400)
        equal((err["code"], err["param"]), ("resource_missing",
                                            "starting_after"), "cursor")
        status, got, _ = d.get("/v1/subscriptions/" + sub["id"])
        equal((status, got["status"]), (200, "canceled"), "sub retrievable")
        check(sub["id"] in ids(d.list_all("/v1/subscriptions?status="
                                          "canceled")), "status=canceled")
        check(sub["id"] not in ids(d.list_all("/v1/subscriptions?status="
                                              "all")), "all: rough choice")
        row = first(truth(d)["customers"], lambda c: c["id"] == cus, "row")
        equal((row["deleted"], row["deleted_at"]),
              (True, deleted["created"]), "truth marks the delete")
        prod = first(tr["products"], lambda p: p["active"] and
                     not p.get("deleted"), "product")
        check("has prices" in ctl_error(d, {"ops": [
            {"op": "product_delete", "id": prod["id"]}]}), "has prices")
        new = mutate(d, {"op": "new_product", "name": "Gone"})[0]["id"]
        applied = mutate(d, {"op": "product_delete", "id": new})
        equal(events_of(applied), ["product.deleted"], "product.deleted")
        api_error(d, "/v1/products/" + new, 404)
        price = first(tr["prices"], lambda p: not p.get("deleted"), "p")["id"]
        equal(events_of(mutate(d, {"op": "price_delete", "id": price})),
              ["price.deleted"], "price.deleted")
        api_error(d, "/v1/prices/" + price, 404)
        live = first(tr["customers"], lambda c: not c.get("deleted")
                     and c["id"] != cus, "customer")["id"]
        inv = mutate(d, {"op": "new_invoice", "customer": live,
                         "lines": 2})[0]["id"]
        equal(events_of(mutate(d, {"op": "invoice_delete", "id": inv})),
              ["invoice.deleted"], "invoice.deleted")
        api_error(d, "/v1/invoices/%s/lines" % inv, 404)
        api_error(d, "/v1/invoices/" + inv, 404)
        other = first(tr["subscriptions"], lambda s: s["status"] == "active"
                      and s["customer"] != cus and
                      len(s["items"]["data"]) >= 2, "sub")
        item = other["items"]["data"][0]["id"]
        applied = mutate(d, {"op": "subscription_item_remove", "id": item})
        ev = event(d, applied[0]["events"][0]["id"])
        equal(ev["type"], "customer.subscription.updated", "item removal")
        equal(ids(ev["data"]["previous_attributes"]["items"]["data"]),
              ids(other["items"]["data"]), "previous items")
        api_error(d, "/v1/subscription_items/" + item, 404)
        err = api_error(d, "/v1/subscription_items?subscription=%s&"
                        "starting_after=%s" % (other["id"], item), 400)
        equal(err["message"], "No such subscription_item: '%s'" % item, "")


@test("streams: sub-lists grow past the embedded page; their params")
def t_stream_sublists(t):
    with Double(*BILLING) as d:
        tr = truth(d)
        cus = first(tr["customers"], lambda c: not c.get("deleted"), "c")
        applied = mutate(d, {"op": "new_invoice", "customer": cus["id"],
                             "lines": 3})
        inv = applied[0]["id"]
        equal(events_of(applied), ["invoice.created"], "new invoice")
        applied = mutate(d, {"op": "invoice_add_lines", "id": inv,
                             "lines": 11})
        equal(events_of(applied), ["invoice.updated"], "add lines")
        got = d.get("/v1/invoices/" + inv)[1]
        equal((len(got["lines"]["data"]), got["lines"]["has_more"]),
              (10, True), "embedded page")
        lines = d.list_all("/v1/invoices/%s/lines" % inv)
        equal(len(lines), 14, "all lines")
        equal(lines[:10], got["lines"]["data"], "same order as embedded")
        page = d.get("/v1/invoices/%s/lines?limit=5&ending_before=%s"
                     % (inv, lines[7]["id"]))[1]
        equal(ids(page["data"]), ids(lines[2:7]), "ending_before")
        check(page["has_more"], "ending_before has_more")
        err = api_error(d, "/v1/invoices/%s/lines?created[gte]=1" % inv, 400)
        equal(err["code"], "parameter_unknown", "no created on lines")
        err = api_error(d, "/v1/subscription_items", 400)
        equal((err["code"], err["param"]), ("parameter_missing",
                                            "subscription"), "required")
        sub = first(tr["subscriptions"], lambda s: s["status"] == "active"
                    and not s["items"]["has_more"], "sub")
        for _ in range(11 - len(sub["items"]["data"])):
            mutate(d, {"op": "subscription_item_add", "id": sub["id"]})
        got = d.get("/v1/subscriptions/" + sub["id"])[1]
        equal((len(got["items"]["data"]), got["items"]["has_more"]),
              (10, True), "items past the page")
        items = d.list_all("/v1/subscription_items?subscription="
                           + sub["id"])
        equal(len(items), 11, "all items")
        status, _, _ = d.get("/v1/subscription_items/" + items[-1]["id"])
        equal(status, 200, "item retrieve")


@test("streams: balance transactions become available at available_on, "
      "with no event")
def t_balance_available(t):
    with Double(*BILLING) as d:
        charge = mutate(d, {"op": "new_charge", "amount": 5000,
                            "status": "succeeded"})[0]
        txn_id = "txn_" + charge["id"][3:]
        status, txn, _ = d.get("/v1/balance_transactions/" + txn_id)
        equal((status, txn["status"], txn["source"]),
              (200, "pending", charge["id"]), "pending")
        equal(txn["available_on"] % 86400, 0, "midnight UTC")
        check(txn["available_on"] > charge["time"], "in the future")
        since = "/v1/events?created[gte]=%d" % charge["time"]
        before = len(d.list_all(since))
        d.ctl("POST", "/_double/clock", {"set": txn["available_on"]})
        equal(d.get("/v1/balance_transactions/" + txn_id)[1]["status"],
              "available", "available")
        got = first(d.list_all("/v1/balance_transactions?source="
                               + charge["id"]), lambda x: True, "listed")
        equal(got["status"], "available", "listed available")
        equal(len(d.list_all(since)), before, "no event")
        row = first(truth(d)["balance_transactions"],
                    lambda x: x["id"] == txn_id, "truth")
        equal(row["status"], "available", "truth")
        payout = mutate(d, {"op": "new_payout", "amount": 100})[0]["id"]
        got = d.get("/v1/balance_transactions?payout=" + payout)[1]["data"]
        equal([(x["type"], x["status"], x["amount"]) for x in got],
              [("payout", "available", -100)], "payout txn")


@test("streams: API versions shape subscriptions and invoices in events "
      "and answers (basil)")
def t_stream_versions(t):
    with Double(*BILLING) as d:
        tr = truth(d)
        sub = first(tr["subscriptions"], lambda s: s["status"] == "active",
                    "sub")
        old = mutate(d, {"op": "subscription_renew", "id": sub["id"]})
        d.ctl("POST", "/_double/accounts", {"api_version":
                                            "2025-03-31.basil"})
        new = mutate(d, {"op": "subscription_renew", "id": sub["id"]})
        ev_old = event(d, old[0]["events"][0]["id"])
        ev_new = event(d, new[0]["events"][0]["id"])
        equal(ev_new["type"], "customer.subscription.updated", "type")
        check("current_period_start" in ev_old["data"]["object"], "old top")
        check("current_period_start" in ev_old["data"][
            "previous_attributes"], "old previous")
        check("current_period_start" not in ev_new["data"]["object"], "new")
        check("items" in ev_new["data"]["previous_attributes"], "items")
        paid = [d.get("/v1/events/" + e["id"])[1] for e in old[0]["events"]
                + new[0]["events"] if e["type"] == "invoice.paid"]
        equal([("charge" in e["data"]["object"], e["api_version"])
               for e in paid], [(True, "2024-06-20"),
                                (False, "2025-03-31.basil")], "invoice.paid")
        inv = paid[0]["data"]["object"]["id"]
        got = d.get("/v1/invoices/" + inv,
                    headers=version_header("2024-06-20"))[1]
        equal(got["subscription"], sub["id"], "pre-basil subscription")
        got = d.get("/v1/invoices/" + inv)[1]
        equal((got["subscription"], got["parent"]["subscription_details"][
            "subscription"]), (None, sub["id"]), "basil parent")


@test("streams: restricted keys per stream; rate limits per endpoint")
def t_stream_permissions(t):
    config = {"keys": [
        {"key": "sk_test_all", "mode": "test", "account": PLATFORM,
         "connect": "*"},
        {"key": "rk_test_some", "mode": "test", "account": PLATFORM,
         "connect": [], "permissions": {"customers": "read",
                                        "events": "read"}}],
        "billing": 5, "charges": 30, "payouts": 2}
    with Double("--frozen-clock", config=config) as d:
        equal(d.get("/v1/customers", key="rk_test_some")[0], 200, "cus")
        for path, perm in (("/v1/invoices", "rak_invoice_read"),
                           ("/v1/prices", "rak_plan_read"),
                           ("/v1/subscription_items?subscription=x",
                            "rak_subscription_read"),
                           ("/v1/balance_transactions",
                            "rak_balance_transaction_source_read"),
                           ("/v1/checkout/sessions",
                            "rak_checkout_session_read")):
            err = api_error(d, path, 403, key="rk_test_some")
            check("'%s'" % perm in err["message"], err["message"])
        d.ctl("POST", "/_double/limits", {"endpoint_rps": 1})
        codes = [d.get(p, key="sk_test_all")[0] for p in (
            "/v1/customers", "/v1/invoices", "/v1/customers")]
        equal(codes, [200, 200, 429], "one bucket per endpoint")


@test("streams: mutations of every stream emit their events; a payment "
      "intent change has none; consistency lag applies")
def t_stream_mutations(t):
    with Double(*BILLING) as d:
        tr, conn = truth(d), truth(d, connected(1))
        cs = mutate(d, {"op": "new_checkout_session", "amount": 2000})[0]
        equal(cs["events"], [], "a new session has no event")
        done = mutate(d, {"op": "checkout_complete", "id": cs["id"]})
        check("checkout.session.completed" in events_of(done), "completed")
        got = d.get("/v1/checkout/sessions/" + cs["id"])[1]
        equal((got["status"], got["payment_status"]), ("complete", "paid"),
              "completed session")
        check(got["payment_intent"].startswith("pi_"), "session pi")
        cs2 = mutate(d, {"op": "new_checkout_session"})[0]["id"]
        equal(events_of(mutate(d, {"op": "checkout_expire", "id": cs2})),
              ["checkout.session.expired"], "expired")
        pi = mutate(d, {"op": "new_payment_intent"})[0]
        equal(events_of([pi]), ["payment_intent.created"], "pi created")
        equal(events_of(mutate(d, {"op": "payment_intent_update",
                                   "id": pi["id"],
                                   "metadata": {"k": "v"}})), [], "no event")
        equal(d.get("/v1/payment_intents/" + pi["id"])[1]["metadata"],
              {"k": "v"}, "pi changed")
        equal(events_of(mutate(d, {"op": "payment_intent_cancel",
                                   "id": pi["id"]})),
              ["payment_intent.canceled"], "canceled")
        cases = (
            ({"op": "transfer_reverse", "id": tr["transfers"][0]["id"]},
             ["transfer.reversed"]),
            ({"op": "new_transfer", "destination": connected(1)},
             ["transfer.created"]),
            ({"op": "new_application_fee",
              "charge": first(conn["charges"], lambda c: c["captured"]
                              and c["status"] == "succeeded", "c")["id"]},
             ["application_fee.created"]),
            ({"op": "customer_update", "id": first(
                tr["customers"], lambda c: not c.get("deleted"), "c")["id"],
              "email": "x@example.com"}, ["customer.updated"]),
            ({"op": "price_archive", "id": first(
                tr["prices"], lambda p: p["active"] and not p.get("deleted"),
                "p")["id"]},
             ["price.updated"]),
            ({"op": "dispute_update", "id": first(
                tr["disputes"], lambda x: x["status"] == "needs_response",
                "dp")["id"]}, ["charge.dispute.updated"]),
            ({"op": "refund_update", "id": tr["refunds"][0]["id"]},
             ["refund.updated", "charge.refund.updated"]),
            ({"op": "credit_note_create", "id": first(
                tr["invoices"], lambda i: i["status"] == "paid", "i")["id"]},
             ["credit_note.created"]),
        )
        for op, want in cases:
            equal(events_of(mutate(d, op)), want, op["op"])
        fee = mutate(d, {"op": "application_fee_refund",
                         "id": tr["application_fees"][0]["id"]})
        equal(events_of(fee), ["application_fee.refunded"], "fee refund")
        fr = d.get("/v1/application_fees/" + tr["application_fees"][0][
            "id"])[1]["refunds"]["data"][0]["id"]
        ev = mutate(d, {"op": "fee_refund_update", "id": fr})[0]["events"]
        equal(event(d, ev[0]["id"])["data"]["object"]["fee"],
              tr["application_fees"][0]["id"], "FeeRefund.fee")
        cn = d.list_all("/v1/credit_notes")[0]["id"]
        equal(events_of(mutate(d, {"op": "credit_note_void", "id": cn})),
              ["credit_note.voided"], "void")
        applied = d.ctl("POST", "/_double/mutate", {"count": 30, "seed": 5,
                        "kinds": ["customer_update", "subscription_renew",
                                  "invoice_add_lines", "checkout_expire"]})
        check(any("events" in a for a in applied["applied"]), "random ops")
        d.ctl("POST", "/_double/limits", {"consistency_lag": [3, 3]})
        cus = first(tr["customers"], lambda c: not c.get("deleted"), "c")
        email = d.get("/v1/customers/" + cus["id"])[1]["email"]
        mutate(d, {"op": "customer_update", "id": cus["id"],
                   "email": "lag@example.com"}, step=0)
        equal(d.get("/v1/customers/" + cus["id"])[1]["email"],
              email, "old state during the lag")
        d.ctl("POST", "/_double/clock", {"advance": 3})
        equal(d.get("/v1/customers/" + cus["id"])[1]["email"],
              "lag@example.com", "new state after the lag")


@test("streams: --billing is deterministic and off by default")
def t_stream_determinism(t):
    args = ("--charges", "100", "--payouts", "5", "--billing", "10",
            "--frozen-clock")
    with Double(*args) as a, Double(*args) as b:
        equal(a.ctl("GET", "/_double/truth"), b.ctl("GET", "/_double/truth"),
              "same seed, same truth")
    with Double("--charges", "50", "--payouts", "3", "--frozen-clock") as d:
        tr = truth(d)
        for stream in LISTED:
            if stream not in ("refunds", "disputes"):
                equal(tr[stream], [], stream + " empty without --billing")
        equal(d.get("/v1/customers", key=KEY)[1]["data"], [], "no customers")
