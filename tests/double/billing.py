"""Billing streams of issue 14: customers, products, prices,
subscriptions (with their items), invoices (with their lines) and credit
notes, and the events each change emits (stripe-streams.md §1, §3, §4).

Every method works on one object at second t (caller holds store.lock) and
returns the events it emitted; the dataset builder (billing_data.py) and
POST /_double/mutate (billing_ops.py) call the same methods.

- Deletes (customers, products, prices, draft invoices, subscription
  items) keep the object with `deleted_at`; lists stop showing it and the
  retrieve gives the stub (customers) or a 404 (streams.py). A `*.deleted`
  event carries the object's last, full state ("SN types `data.object`
  as the full object ... not the stub", stripe-streams.md §4).
- `customer.subscription.deleted` is the subscription ending: status
  `canceled`, still retrievable and listed with status=all (§3).
- Removing, adding or changing a subscription item emits
  `customer.subscription.updated` whose previous_attributes holds the
  old `items` list ("If an array attribute has any updated elements,
  this object contains the entire array", stripe-api.md §2; that item
  removal emits it is an inference of stripe-streams.md §4).
"""

import json

import billing_shapes as shapes
import streams
from books import AnyOf, Books, OpError, add_month
from ids import rand_alnum
from model import NULL_REQUEST, VDoc

BASIL_ERA = shapes.BASIL_ERA


class Billing(Books):

    def __init__(self, store, payments):
        Books.__init__(self, store)
        self.payments = payments

    # -- customers ----------------------------------------------------------

    def customer_create(self, ledger, t, rng, name, email, cid=None):
        cid = cid or self.short_id("cus", rng)
        obj = shapes.customer(cid, t, name, email, ledger.mode == "live",
                              rand_alnum(rng, 8).upper())
        doc = self.new(ledger, "customers", obj, "active",
                       {"email": email, "subs": []})
        return doc, [self.emit(ledger, "customer.created", t, doc)]

    def customer_update(self, doc, t, rng, args):
        return self.update(doc, t, rng, args, "customer.updated",
                           lambda obj: doc.attrs.update(email=obj["email"]))

    def customer_discount(self, doc, t, rng, args):
        """customer.discount.created carries a Discount with `customer`
        (stripe-streams.md §3); customer.updated the customer."""
        if self.obj(doc)["discount"] is not None:
            raise OpError("customer_discount does not apply to %s: it has "
                          "a discount" % doc.id)
        discount = shapes.discount("di_" + rand_alnum(rng, 24), doc.id, t)
        first = self.emit(doc.ledger, "customer.discount.created", t,
                          discount)

        def edit(obj):
            obj["discount"] = discount
            return lambda snap: [self.emit(doc.ledger, "customer.updated", t,
                                           snap, {"discount": None})]
        return [first] + self.change(doc, t, edit)

    def customer_delete(self, doc, t, rng, args):
        """"Permanently deletes a customer ... Also immediately cancels any
        active subscriptions" (stripe-streams.md §4)."""
        events = []
        for sub_id in doc.attrs["subs"]:
            sub = self.store.lookup(sub_id)
            if sub.status != "canceled":
                events += self.subscription_cancel(sub, t, rng, {})
        self.delete(doc, t)
        events.append(self.emit(doc.ledger, "customer.deleted", t, doc))
        return events

    # -- products and prices ------------------------------------------------

    def product_create(self, ledger, t, rng, name):
        obj = shapes.product(self.short_id("prod", rng), t, name,
                             ledger.mode == "live")
        doc = self.new(ledger, "products", obj, "active", {
            "type": "service", "shippable": None, "url": None,
            "prices": []})
        return doc, [self.emit(ledger, "product.created", t, doc)]

    def _set_active(self, doc, t, active, etype):
        status = "active" if active else "inactive"
        if doc.status == status:
            raise OpError("%s is already %s" % (doc.id, status))

        def edit(obj):
            obj["active"] = active
            if "updated" in obj:
                obj["updated"] = t
            return lambda snap: [self.emit(doc.ledger, etype, t, snap,
                                           {"active": not active})]
        return self.change(doc, t, edit, status)

    def product_update(self, doc, t, rng, args):
        if "active" in args:
            return self._set_active(doc, t, bool(args["active"]),
                                    "product.updated")
        return self.update(doc, t, rng, args, "product.updated",
                           lambda obj: obj.update(updated=t))

    def product_delete(self, doc, t, rng, args):
        """"only possible if it has no prices associated with it" (§4)."""
        if any(not self.store.lookup(p).deleted(t)
               for p in doc.attrs["prices"]):
            raise OpError("product_delete does not apply to %s: it has "
                          "prices" % doc.id)
        self.delete(doc, t)
        return [self.emit(doc.ledger, "product.deleted", t, doc)]

    def price_create(self, ledger, t, rng, product, amount, interval,
                     nickname):
        obj = shapes.price(self.new_id(ledger, "price", t), t, product.id,
                           amount, ledger.gen.currency, interval, nickname,
                           ledger.mode == "live")
        doc = self.new(ledger, "prices", obj, "active", {
            "product": product.id, "currency": obj["currency"],
            "type": "recurring", "recurring[interval]": interval,
            "recurring[usage_type]": "licensed", "recurring[meter]": None,
            "lookup_key": None})
        product.attrs["prices"].append(doc.id)
        return doc, [self.emit(ledger, "price.created", t, doc)]

    def price_update(self, doc, t, rng, args):
        if "active" in args:
            return self._set_active(doc, t, bool(args["active"]),
                                    "price.updated")
        return self.update(doc, t, rng, args, "price.updated")

    def price_delete(self, doc, t, rng, args):
        """`price.deleted` exists though the API cannot delete a price;
        "Dashboard can delete" (stripe-node#916, stripe-streams.md §4)."""
        self.delete(doc, t)
        return [self.emit(doc.ledger, "price.deleted", t, doc)]

    # -- subscriptions and their items --------------------------------------

    def subscription_create(self, ledger, t, rng, customer, prices,
                            quantity=1):
        """customer.subscription.created, then its first invoice, paid."""
        interval = self.obj(prices[0])["recurring"]["interval"]
        end = add_month(t, 12 if interval == "year" else 1)
        sub_id = self.new_id(ledger, "sub", t)
        obj = shapes.subscription(sub_id, t, customer.id,
                                  self.obj(prices[0])["currency"],
                                  ledger.mode == "live", t, end)
        sub = self.new(ledger, "subscriptions", obj, "active", {
            "customer": customer.id, "collection_method":
            "charge_automatically", "automatic_tax[enabled]": "false",
            "customer_account": None, "current_period_start": t,
            "current_period_end": end, "children": []}, cls=VDoc)
        for price in prices:
            self._new_item(sub, t, rng, price, quantity)
        customer.attrs["subs"].append(sub_id)
        in_id = self.new_id(ledger, "in", t)
        self._refresh_sub(sub, t, {"latest_invoice": in_id})
        events = [self.emit(ledger, "customer.subscription.created", t, sub)]
        inv, more = self.invoice_create(ledger, t, rng, customer, sub,
                                        "subscription_create", in_id=in_id)
        events += more + self.invoice_finalize(inv, t, rng, {})
        events += self.invoice_pay(inv, t, rng, {})
        return sub, events

    def _new_item(self, sub, t, rng, price, quantity):
        sub_obj = self.obj(sub)
        item = shapes.subscription_item(
            self.short_id("si", rng), t, self.obj(price), sub.id, quantity,
            sub_obj["current_period_start"], sub_obj["current_period_end"])
        doc = self.new(sub.ledger, "subscription_items", item, "active",
                       {"subscription": sub.id}, cls=VDoc, parent=sub)
        sub.attrs["children"].append(doc)
        return doc

    def _refresh_sub(self, sub, t, changes=None):
        """Rebuild the subscription's embedded items and filter values."""
        obj = self.obj(sub)
        obj.update(changes or {})
        obj["items"] = streams.embedded(sub, t, obj["items"]["url"])
        prices = [self.obj(i)["price"]["id"]
                  for i in streams.live_children(sub, t)]
        sub.attrs["price"] = sub.attrs["plan"] = AnyOf(prices)
        self.put(sub, obj)
        return obj

    def _sub_change(self, sub, t, edit_items, changes=None, request=None,
                    shown=None):
        """Change items (edit_items(), may be None) and fields of sub;
        customer.subscription.updated with previous_attributes (only the
        keys in shown, when given)."""
        before = sub.state()
        old = self.obj(sub)
        if edit_items is not None:
            edit_items()
        obj = self._refresh_sub(sub, t, changes)
        previous = {k: old[k] for k in (changes or {})}
        if edit_items is not None:
            # previous_attributes is rendered at the event's version, like
            # data.object: before basil an item has no period of its own
            items = json.loads(json.dumps(old["items"]))
            items["data"] = [shapes.item_periods(i, sub.ledger.version.era)
                             for i in items["data"]]
            previous["items"] = items
        if shown is not None:
            previous = {k: v for k, v in previous.items() if k in shown}
        status = obj["status"]
        sub.status = status
        events = [self.emit(sub.ledger, "customer.subscription.updated", t,
                            sub, previous,
                            **({} if request is None else
                               {"request": request}))]
        self.changed(sub, before, t, events)
        return events

    def _check_live(self, sub, op):
        if sub.status == "canceled":
            raise OpError("%s does not apply to %s: it is canceled"
                          % (op, sub.id))

    def subscription_update(self, sub, t, rng, args):
        self._check_live(sub, "subscription_update")
        obj = self.obj(sub)
        self.metadata_change(obj, {"metadata": args.get("metadata") or {
            "double_note": "rev-%d" % rng.randrange(10000)}}, rng)
        return self._sub_change(sub, t, None, {"metadata": obj["metadata"]})

    def subscription_cancel(self, sub, t, rng, args):
        """DELETE /v1/subscriptions/{id} cancels: customer.subscription.
        deleted, "Occurs whenever a customer's subscription ends" (§3)."""
        self._check_live(sub, "subscription_cancel")

        def edit(obj):
            obj.update(status="canceled", canceled_at=t, ended_at=t)
            obj["cancellation_details"]["reason"] = "cancellation_requested"
            return lambda snap: [self.emit(
                sub.ledger, "customer.subscription.deleted", t, snap)]
        return self.change(sub, t, edit, "canceled")

    def item_add(self, sub, t, rng, args):
        self._check_live(sub, "subscription_item_add")
        used = {self.obj(i)["price"]["id"]
                for i in streams.live_children(sub, t)}
        price = self.store.lookup(args.get("price") or "")
        if price is None:
            interval = self.obj(sub)["items"]["data"][0]["price"][
                "recurring"]["interval"]
            free = self.live(sub.ledger, "prices", t, lambda p: (
                p.status == "active" and p.id not in used and
                p.attrs["recurring[interval]"] == interval))
            if not free:
                raise OpError("no unused active price for %s" % sub.id)
            price = rng.choice(free)
        if price.resource != "prices" or price.id in used:
            raise OpError("price %r cannot be added to %s"
                          % (args.get("price"), sub.id))
        quantity = args.get("quantity", 1)
        return self._sub_change(sub, t, lambda: self._new_item(
            sub, t, rng, price, quantity))

    def item_remove(self, item, t, rng, args):
        """"Removing a subscription item from a subscription will not
        cancel the subscription" (§4); the last item cannot go."""
        sub = item.parent
        self._check_live(sub, "subscription_item_remove")
        if item.deleted(t) or len(streams.live_children(sub, t)) < 2:
            raise OpError("subscription_item_remove does not apply to %s"
                          % item.id)
        return self._sub_change(sub, t, lambda: self.delete(item, t))

    def item_update(self, item, t, rng, args):
        sub = item.parent
        self._check_live(sub, "subscription_item_update")
        quantity = args.get("quantity") or rng.randint(2, 9)
        before = item.state()

        def edit():
            obj = self.obj(item)
            obj["quantity"] = quantity
            self.put(item, obj)
        events = self._sub_change(sub, t, edit)
        self.changed(item, before, t, events)
        return events

    def subscription_renew(self, sub, t, rng, args):
        """The next period: customer.subscription.updated (the periods
        move: top-level before basil, on the items since), then the
        period's invoice, finalized and paid unless "pay": false."""
        self._check_live(sub, "subscription_renew")
        obj = self.obj(sub)
        start = obj["current_period_end"]
        interval = obj["items"]["data"][0]["price"]["recurring"]["interval"]
        end = add_month(start, 12 if interval == "year" else 1)
        ledger = sub.ledger
        in_id = self.new_id(ledger, "in", t)

        def edit_items():
            for item in streams.live_children(sub, t):
                o = self.obj(item)
                o.update(current_period_start=start, current_period_end=end)
                self.put(item, o)
        # "`customer.subscription.updated` `previous_attributes` now
        # reports item periods" since basil (stripe-streams.md §7)
        shown = ("latest_invoice", "items") \
            if ledger.version.era >= BASIL_ERA else (
                "latest_invoice", "current_period_start",
                "current_period_end")
        events = self._sub_change(
            sub, t, edit_items, {"latest_invoice": in_id,
                                 "current_period_start": start,
                                 "current_period_end": end},
            request=NULL_REQUEST, shown=shown)
        sub.attrs.update(current_period_start=start, current_period_end=end)
        customer = self.store.lookup(obj["customer"])
        inv, more = self.invoice_create(ledger, t, rng, customer, sub,
                                        "subscription_cycle", in_id=in_id)
        events += more
        if args.get("pay", True):
            events += self.invoice_finalize(inv, t, rng, {})
            events += self.invoice_pay(inv, t, rng, {})
        return events

    def invoice_upcoming(self, sub, t, rng, args):
        """invoice.upcoming: "The received Invoice object will not have an
        invoice ID" (stripe-node Events.ts, §3); its lines have il_tmp_
        ids (§1)."""
        self._check_live(sub, "invoice_upcoming")
        obj = self.obj(sub)
        customer = self.obj(self.store.lookup(obj["customer"]))
        start = obj["current_period_end"]
        draft = shapes.invoice("in_upcoming", t, customer, obj["currency"],
                               obj["livemode"], sub.id, "upcoming", start,
                               add_month(start))
        lines = [self._line_obj("il_tmp_1" + rand_alnum(rng, 23), draft,
                                self.obj(i), start, add_month(start))
                 for i in streams.live_children(sub, t)]
        _totals(draft, lines)
        draft["lines"] = shapes.sub_list(
            lines[:streams.EMBEDDED], len(lines) > streams.EMBEDDED,
            "/v1/invoices/upcoming/lines")
        text = shapes.upcoming(shapes.dumps(draft), sub.ledger.version.era)
        return [self.emit(sub.ledger, "invoice.upcoming", t, text,
                          request=NULL_REQUEST)]

    # -- invoices and their lines -------------------------------------------

    def _line_obj(self, il_id, inv, item, start, end):
        price = item["price"]
        return shapes.line_item(
            il_id, inv["id"], price["unit_amount"] * item["quantity"],
            inv["currency"], inv["livemode"], "%d × %s" % (
                item["quantity"], price["nickname"]), price,
            item["quantity"], start, end, inv["subscription"], item["id"])

    def invoice_create(self, ledger, t, rng, customer, sub=None,
                       reason="manual", lines=0, in_id=None):
        """A draft invoice (invoice.created): one line per item of sub, or
        `lines` one-off lines."""
        cust = self.obj(customer)
        in_id = in_id or self.new_id(ledger, "in", t)
        if sub is not None:
            sub_obj = self.obj(sub)
            start, end = (sub_obj["current_period_start"],
                          sub_obj["current_period_end"])
            currency = sub_obj["currency"]
        else:
            start = end = t
            currency = ledger.gen.currency
        obj = shapes.invoice(in_id, t, cust, currency, ledger.mode == "live",
                             sub.id if sub else None, reason, start, end)
        inv = self.new(ledger, "invoices", obj, "draft", {
            "customer": customer.id, "subscription": sub.id if sub else None,
            "collection_method": "charge_automatically", "due_date": None,
            "customer_account": None, "children": []}, cls=VDoc)
        if sub is not None:
            for item in streams.live_children(sub, t):
                self._add_line(inv, obj, self.obj(item), t, rng, start, end)
        for _ in range(lines):
            self._add_line(inv, obj, None, t, rng, t, t)
        self._refresh_invoice(inv, obj, t)
        return inv, [self.emit(ledger, "invoice.created", t, inv)]

    def _add_line(self, inv, obj, item, t, rng, start, end):
        ledger = inv.ledger
        il_id = self.new_id(ledger, "il", t)
        if item is None:     # a one-off invoice item
            prices = self.live(ledger, "prices", t)
            price = self.obj(rng.choice(prices)) if prices else {
                "unit_amount": 1000, "unit_amount_decimal": "1000",
                "nickname": "Service"}
            line = shapes.line_item(
                il_id, inv.id, price["unit_amount"], obj["currency"],
                obj["livemode"], "Setup: " + str(price["nickname"]), price,
                1, start, end, ii_id=self.new_id(ledger, "ii", t))
        else:
            line = self._line_obj(il_id, obj, item, start, end)
        doc = self.new(ledger, "invoice_line_items", line, "open", {},
                       created=t, parent=inv)
        inv.attrs["children"].append(doc)

    def _refresh_invoice(self, inv, obj, t):
        lines = [self.obj(c) for c in streams.live_children(inv, t)]
        _totals(obj, lines)
        obj["lines"] = streams.embedded(inv, t, obj["lines"]["url"])
        return self.put(inv, obj)

    def _check_status(self, inv, op, statuses):
        if inv.status not in statuses or inv.deleted_at is not None:
            raise OpError("%s does not apply to %s in its current state"
                          % (op, inv.id))

    def invoice_add_lines(self, inv, t, rng, args):
        """Lines added to a draft (past the embedded page when there are
        more than 10): invoice.updated with the old amounts."""
        self._check_status(inv, "invoice_add_lines", ("draft",))
        n = args.get("lines", 11)
        if not isinstance(n, int) or not 1 <= n <= 500:
            raise OpError("lines must be 1..500")
        before = inv.state()
        obj = self.obj(inv)
        previous = {k: obj[k] for k in ("amount_due", "amount_remaining",
                                        "subtotal", "subtotal_excluding_tax",
                                        "total", "total_excluding_tax")}
        for _ in range(n):
            self._add_line(inv, obj, None, t, rng, t, t)
        self._refresh_invoice(inv, obj, t)
        events = [self.emit(inv.ledger, "invoice.updated", t, inv, previous)]
        self.changed(inv, before, t, events)
        return events

    def invoice_update(self, inv, t, rng, args):
        return self.update(inv, t, rng, args, "invoice.updated")

    def invoice_finalize(self, inv, t, rng, args):
        self._check_status(inv, "invoice_finalize", ("draft",))
        customer = self.obj(self.store.lookup(self.obj(inv)["customer"]))

        def edit(obj):
            obj.update(status="open", automatically_finalizes_at=None,
                       effective_at=t, number="%s-%04d" % (
                           customer["invoice_prefix"],
                           1 + len(inv.ledger.tables["invoices"]) % 10000),
                       hosted_invoice_url="https://invoice.stripe.com/i/"
                       + inv.id, invoice_pdf="https://pay.stripe.com/"
                       "invoice/%s/pdf" % inv.id)
            obj["status_transitions"]["finalized_at"] = t
            return lambda snap: [self.emit(inv.ledger, "invoice.finalized",
                                           t, snap)]
        return self.change(inv, t, edit, "open")

    def invoice_pay(self, inv, t, rng, args):
        """Paid by a new charge (and its payment intent): invoice.paid,
        invoice.payment_succeeded, invoice_payment.paid (an
        InvoicePayment with `invoice`, §3 and §7)."""
        self._check_status(inv, "invoice_pay", ("open",))
        obj = self.obj(inv)
        customer = self.obj(self.store.lookup(obj["customer"]))
        pi_id = None
        events = []
        if obj["amount_due"] > 0:
            rec = self.payments.pay(inv.ledger, t, rng, customer,
                                    obj["amount_due"], obj["currency"],
                                    "Invoice " + (obj["number"] or inv.id))
            pi_id = "pi_" + rec.id[3:]
        ledger = inv.ledger

        def edit(o):
            o.update(status="paid", amount_paid=o["amount_due"],
                     amount_remaining=0, attempted=True, attempt_count=1,
                     paid=True, charge="ch_" + pi_id[3:] if pi_id else None,
                     payment_intent=pi_id)
            o["status_transitions"]["paid_at"] = t

            def emit_all(snap):
                out = [self.emit(ledger, "invoice.paid", t, snap,
                                 request=NULL_REQUEST),
                       self.emit(ledger, "invoice.payment_succeeded", t, snap,
                                 request=NULL_REQUEST)]
                out.append(self.emit(
                    ledger, "invoice_payment.paid", t, shapes.invoice_payment(
                        "inpay_1" + rand_alnum(rng, 23), o, pi_id, t),
                    request=NULL_REQUEST))
                return out
            return emit_all
        return events + self.change(inv, t, edit, "paid")

    def invoice_fail(self, inv, t, rng, args):
        """A failed attempt: invoice.payment_failed; the subscription goes
        past_due (customer.subscription.updated)."""
        self._check_status(inv, "invoice_fail", ("open",))
        ledger = inv.ledger

        def edit(o):
            o.update(attempted=True, attempt_count=o["attempt_count"] + 1,
                     next_payment_attempt=t + 3 * 86400)
            return lambda snap: [self.emit(ledger, "invoice.payment_failed",
                                           t, snap, request=NULL_REQUEST)]
        events = self.change(inv, t, edit)
        sub = self.store.lookup(inv.attrs["subscription"] or "")
        if sub is not None and sub.status == "active":
            events += self._sub_change(sub, t, None, {"status": "past_due"},
                                       request=NULL_REQUEST)
        return events

    def invoice_void(self, inv, t, rng, args):
        self._check_status(inv, "invoice_void", ("open",))

        def edit(o):
            o["status"] = "void"
            o["status_transitions"]["voided_at"] = t
            return lambda snap: [self.emit(inv.ledger, "invoice.voided", t,
                                           snap)]
        return self.change(inv, t, edit, "void")

    def invoice_delete(self, inv, t, rng, args):
        """"Permanently deletes a one-off invoice draft" (§4): drafts of no
        subscription only."""
        if inv.status != "draft" or inv.attrs["subscription"] or \
                inv.deleted(t):
            raise OpError("invoice_delete applies to a one-off draft, not "
                          "%s" % inv.id)
        self.delete(inv, t)
        return [self.emit(inv.ledger, "invoice.deleted", t, inv)]

    # -- credit notes -------------------------------------------------------

    def credit_note_create(self, inv, t, rng, args):
        """credit_note.created on an open or paid invoice."""
        self._check_status(inv, "credit_note_create", ("open", "paid"))
        obj = self.obj(inv)
        first = self.obj(streams.live_children(inv, t)[0])
        amount = args.get("amount") or max(1, first["amount"] // 2)
        if not isinstance(amount, int) or not 1 <= amount <= obj["total"]:
            raise OpError("credit note amount must be 1..%d" % obj["total"])
        ledger = inv.ledger
        cn_id = self.new_id(ledger, "cn", t)
        line = shapes.credit_note_line("cnli_1" + rand_alnum(rng, 23),
                                       amount, first, obj["livemode"])
        number = "%s-CN-%02d" % (obj["number"] or inv.id[-8:],
                                 1 + rng.randrange(99))
        cn = self.new(ledger, "credit_notes", shapes.credit_note(
            cn_id, t, obj, amount, number, obj["livemode"], [line]),
            "issued", {"customer": obj["customer"], "invoice": inv.id,
                       "customer_account": None})
        return cn, [self.emit(ledger, "credit_note.created", t, cn)]

    def credit_note_void(self, cn, t, rng, args):
        if cn.status != "issued":
            raise OpError("credit_note_void does not apply to %s in its "
                          "current state" % cn.id)

        def edit(o):
            o.update(status="void", voided_at=t)
            return lambda snap: [self.emit(cn.ledger, "credit_note.voided",
                                           t, snap)]
        return self.change(cn, t, edit, "void")

    def credit_note_update(self, cn, t, rng, args):
        return self.update(cn, t, rng, args, "credit_note.updated")


def _totals(obj, lines):
    total = sum(line["amount"] for line in lines)
    obj.update(amount_due=total, amount_remaining=total, subtotal=total,
               subtotal_excluding_tax=total, total=total,
               total_excluding_tax=total)
