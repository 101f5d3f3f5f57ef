"""Realistic values for new charges and payouts of one ledger.

All randomness comes from random.Random instances passed in, so a seed and
the same sequence of calls give the same objects. Values are drawn from
small pools of pre-encoded JSON fragments, which keeps generation fast and
memory small (the fragments are shared between objects).
"""

import base64
import functools
import json
import random
import unicodedata
import uuid

from ids import rand_alnum
from model import Charge, Payout
from shapes import CHARGE_TEMPLATES, PAYOUT, dumps

PRICE_POINTS = (500, 999, 1500, 1999, 2500, 4900, 9900, 14900, 29900)
CURRENCIES = ("usd", "eur", "gbp", "cad", "aud", "jpy")
HOME_CURRENCIES = ("usd", "eur", "gbp", "usd", "cad")
FIRST = ("Jenny", "Liam", "Olivia", "Noah", "Emma", "Ava", "Lucas", "Mia",
         "Zoë", "José", "Åsa", "Chloé", "Ravi", "Mei", "Tomás", "Ngozi")
LAST = ("Rosen", "Smith", "Müller", "García", "Nguyen", "Okafor", "Kowalski",
        "Johansson", "Dubois", "Rossi", "Tanaka", "Patel", "O'Brien")
COUNTRIES = (("US", "94107"), ("US", "10001"), ("GB", "EC1A 1BB"),
             ("DE", "10115"), ("FR", "75001"), ("CA", "M5V 2T6"),
             ("AU", "2000"), ("JP", "100-0001"))
BRANDS = (("visa", "credit"), ("visa", "debit"), ("mastercard", "credit"),
          ("mastercard", "debit"), ("amex", "credit"), ("discover", "credit"))
DESCRIPTIONS = ("Order #%d" % n for n in range(1000, 1040))
DESCRIPTIONS = tuple(dumps(d) for d in DESCRIPTIONS) + tuple(
    dumps(d) for d in ("Subscription renewal", "Café crème ☕ ×2",
                       "Übergröße Paket — Express", "東京 pop-up store",
                       'Quote "VIP" \\ backslash', "Tip 💶"))
FAILURES = (
    ("card_declined", "Your card was declined.", "generic_decline"),
    ("card_declined", "Your card has insufficient funds.",
     "insufficient_funds"),
    ("expired_card", "Your card has expired.", "expired_card"),
    ("incorrect_cvc", "Your card's security code is incorrect.",
     "incorrect_cvc"),
    ("processing_error",
     "An error occurred while processing your card. Try again in a little "
     "bit.", "processing_error"),
)
OUTCOME_OK = dumps({
    "advice_code": None, "network_advice_code": None,
    "network_decline_code": None, "network_status": "approved_by_network",
    "reason": None, "seller_message": "Payment complete.",
    "type": "authorized"})


def _outcome_declined(reason):
    return dumps({
        "advice_code": "try_again_later", "network_advice_code": None,
        "network_decline_code": None, "network_status": "declined_by_network",
        "reason": reason,
        "seller_message": "The bank did not return any further details "
                          "with this decline.",
        "type": "issuer_declined"})


FAILURE_FRAGS = tuple((dumps(code), dumps(msg), _outcome_declined(reason))
                      for code, msg, reason in FAILURES)


def _metadata_pool(rng):
    pool = ["{}"] * 40
    for n in range(40):
        meta = {"order_id": str(100000 + rng.randrange(900000))}
        if n % 3 == 0:
            meta["channel"] = rng.choice(("web", "ios", "android", "pos"))
        if n % 5 == 0:
            meta["customer_note"] = "Bitte klingeln — 2. OG"
        pool.append(dumps(meta))
    return tuple(pool)


@functools.cache
def frag(value):
    """Shared JSON text of a small value (one copy per distinct value)."""
    return dumps(value)


class Profile:
    """Payer details shared by charges: a customer or a guest card."""

    __slots__ = ("customer", "customer_id", "billing", "email", "brand",
                 "funding", "country", "exp_month", "exp_year", "fingerprint",
                 "last4", "pm", "sepa_country", "bank_code", "full_billing")


def _profile(rng, customer_id):
    p = Profile()
    name = "%s %s" % (rng.choice(FIRST), rng.choice(LAST))
    country, postal = rng.choice(COUNTRIES)
    local = unicodedata.normalize("NFKD", name.split()[0].lower())
    email = "%s.%d@example.com" % (local.encode("ascii", "ignore").decode(),
                                   rng.randrange(999))
    p.customer_id = customer_id
    p.customer = dumps(customer_id) if customer_id else "null"
    p.email = dumps(email)
    p.billing = dumps({
        "address": {"city": None, "country": country, "line1": None,
                    "line2": None, "postal_code": postal, "state": None},
        "email": email, "name": name, "phone": None, "tax_id": None})
    brand, funding = rng.choice(BRANDS)
    p.brand, p.funding = dumps(brand), dumps(funding)
    p.country = dumps(country)
    p.exp_month, p.exp_year = rng.randint(1, 12), rng.randint(2026, 2034)
    p.fingerprint = rand_alnum(rng, 16)
    p.last4 = "%04d" % rng.randrange(10000)
    p.pm = "pm_1" + rand_alnum(rng, 23)
    p.sepa_country = dumps(rng.choice(("DE", "FR", "NL", "ES", "IT", "AT")))
    p.bank_code = dumps("%08d" % rng.randrange(10 ** 8))
    return p


class LedgerGen:
    """Generation context of one ledger: pools, customers, constants.

    full_objects (stripe_double.py --full-objects) fills what the default
    leaves null or short (FullPools): the size of real charges, for the
    benchmark of CPU per object."""

    full_objects = False

    def __init__(self, store, ledger, seed, n_charges):
        self.store = store
        self.ledger = ledger
        rng = random.Random("%s/%s/%s/pools" % (seed, ledger.account,
                                                ledger.mode))
        index = store.accounts.index(ledger.account)
        self.currency = HOME_CURRENCIES[index % len(HOME_CURRENCIES)]
        self.customers = [_profile(rng, "cus_" + rand_alnum(rng, 14))
                          for _ in range(max(5, n_charges // 6))]
        self.guests = [_profile(rng, None) for _ in range(50)]
        self.metadata = _metadata_pool(rng)
        self.auth_codes = tuple(dumps("%06d" % rng.randrange(10 ** 6))
                                for _ in range(100))
        name = "DOUBLE* SHOP %d" % index if index else "DOUBLE* PLATFORM"
        self.descriptor = dumps(name)
        self.acct_b64 = base64.b64encode(ledger.account.encode()).decode(
            ).rstrip("=").replace("+", "A").replace("/", "B")
        self.destination = dumps("ba_1" + rand_alnum(rng, 23))
        # a generator of its own: the default dataset stays byte for byte
        # what it was, whatever this option draws
        self.full = FullPools(
            random.Random("%s/%s/%s/full" % (seed, ledger.account,
                                             ledger.mode)),
            self.customers + self.guests) if self.full_objects else None

    def _amount(self, rng, currency):
        if rng.random() < 0.55:
            amount = rng.choice(PRICE_POINTS)
        else:
            amount = int(50 * (4000 ** rng.random()))
        if currency == "jpy":
            amount = max(50, amount // 100 * 150)
        return amount

    def _currency(self, rng):
        if rng.random() < 0.85:
            return self.currency
        return rng.choice(CURRENCIES)

    def charge(self, rng, created, status=None, amount=None, currency=None,
               sepa=None):
        """A new Charge record (not yet registered).

        status: 'succeeded', 'uncaptured', 'pending' or 'failed'; random
        when None. sepa (py_ id, sepa_debit details) about 3% when None.
        """
        if sepa is None:
            sepa = rng.random() < 0.03
        if status is None:
            r = rng.random()
            status = ("pending" if sepa else "failed" if r < 0.08
                      else "uncaptured" if r < 0.12 else "succeeded")
        currency = currency or ("eur" if sepa else self._currency(rng))
        if amount is None:
            amount = self._amount(rng, currency)
        use_customer = rng.random() < 0.8
        prof = rng.choice(self.customers if use_customer else self.guests)
        charge_id = self.store.new_id(self.ledger, "py" if sepa else "ch",
                                      created)
        sfx = charge_id[3:]
        v = {"sfx": sfx, "amount": amount,
             "created": created, "currency": frag(currency),
             "billing_details": prof.billing, "customer": prof.customer,
             "receipt_email": prof.email if use_customer else "null",
             "descriptor": self.descriptor, "livemode": self.ledger.livemode,
             "acct_b64": self.acct_b64, "pm": prof.pm,
             "fingerprint": prof.fingerprint, "last4": prof.last4,
             "brand": prof.brand, "funding": prof.funding,
             "card_country": prof.sepa_country if sepa else prof.country,
             "bank_code": prof.bank_code, "exp_month": prof.exp_month,
             "exp_year": prof.exp_year, "network_txn": "null",
             "zip_check": '"pass"', "cvc_check": '"pass"',
             "description": ("null" if rng.random() < 0.3
                             else rng.choice(DESCRIPTIONS)),
             "metadata": rng.choice(self.metadata),
             "failure_code": "null", "failure_message": "null",
             "outcome": OUTCOME_OK, "auth_code": rng.choice(self.auth_codes),
             "three_d_secure": "null", "wallet": "null", "receipt": "KP" + sfx}
        captured = self._set_status(v, status, rng, amount)
        if self.full:
            self.full.fill(v, prof, sepa, status)
        tmpl = CHARGE_TEMPLATES[(bool(sepa), captured)]
        rec = Charge(charge_id, created, tmpl, tmpl.pack(v))
        rec.customer = prof.customer_id
        rec.status = "succeeded" if status == "uncaptured" else status
        rec.captured = captured
        rec.disputed = False
        rec.refundable = amount if status == "succeeded" else 0
        rec.refunds = None
        return rec

    @staticmethod
    def _set_status(v, status, rng, amount):
        """Fill the status-dependent values; returns whether captured."""
        captured = status in ("succeeded", "pending")
        v["status"] = frag("succeeded" if status == "uncaptured" else status)
        paid = status in ("succeeded", "uncaptured")
        v["paid"] = "true" if paid else "false"
        v["captured"] = "true" if captured else "false"
        v["amount_captured"] = amount if captured else 0
        if status == "failed":
            code, message, outcome = rng.choice(FAILURE_FRAGS)
            v["failure_code"], v["failure_message"] = code, message
            v["outcome"] = outcome
            v["auth_code"] = "null"
            if code == '"incorrect_cvc"':
                v["cvc_check"] = '"fail"'
        return captured

    def payout(self, rng, created, status="pending", amount=None):
        """A new Payout record (not yet registered)."""
        payout_id = self.store.new_id(self.ledger, "po", created)
        automatic = rng.random() < 0.95
        instant = not automatic and rng.random() < 0.5
        arrival = created if instant else (created // 86400 + 2) * 86400
        v = {"sfx": payout_id[3:],
             "amount": amount if amount is not None
             else rng.randint(1000, 5000000),
             "arrival_date": arrival,
             "automatic": "true" if automatic else "false",
             "created": created, "currency": frag(self.currency),
             "description": '"STRIPE PAYOUT"' if automatic else "null",
             "destination": self.destination,
             "livemode": self.ledger.livemode,
             "metadata": "{}" if automatic else '{"requested_by":"ops"}',
             "method": '"instant"' if instant else '"standard"',
             "reconciliation_status": ('"in_progress"' if automatic
                                       else '"not_applicable"'),
             "status": frag(status),
             "trace_id": '{"status":"pending","value":null}'}
        rec = Payout(payout_id, created, PAYOUT, PAYOUT.pack(v))
        rec.status = status
        rec.arrival_date = arrival
        return rec


# Street addresses by the billing country of a profile (--full-objects).
ADDRESSES = {
    "US": (("San Francisco", "510 Townsend St", "CA"),
           ("New York", "350 5th Ave", "NY")),
    "GB": (("London", "1 Poultry", None),),
    "DE": (("Berlin", "Friedrichstraße 68", None),),
    "FR": (("Paris", "8 Rue de Rivoli", None),),
    "CA": (("Toronto", "290 Bremner Blvd", "ON"),),
    "AU": (("Sydney", "1 Macquarie St", "NSW"),),
    "JP": (("Chiyoda-ku", "1-1 Chiyoda", "Tokyo"),),
}
_RECEIPT_CHARS = ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                  "0123456789-_")


class FullPools:
    """What a real charge carries and the default dataset leaves out
    (--full-objects): a street address and a phone in billing_details, a
    3-D Secure result on about half of the card charges, a wallet on a
    quarter, a network transaction id, merchant metadata of several keys,
    and a receipt token of real length. The keys stay the fixture's
    (stripe-objects/charge.json); only values fill in. Fragments come from
    pools, so the double's memory grows little."""

    def __init__(self, rng, profiles):
        self.rng = rng
        for p in profiles:
            billing = json.loads(p.billing)
            address = billing["address"]
            city, line1, state = rng.choice(ADDRESSES[address["country"]])
            address.update(city=city, line1=line1, state=state)
            if rng.random() < 0.3:
                address["line2"] = "Apt %d" % rng.randint(1, 40)
            billing["phone"] = "+1415555%04d" % rng.randrange(10000)
            p.full_billing = dumps(billing)
        self.three_d_secure = tuple(dumps({
            "authentication_flow": ("challenge" if n % 5 == 0
                                    else "frictionless"),
            "electronic_commerce_indicator": "05",
            "exemption_indicator": None, "result": "authenticated",
            "result_reason": None, "transaction_id": str(uuid.UUID(
                bytes=rng.randbytes(16), version=4)),
            "version": "2.2.0"}) for n in range(256))
        self.wallets = tuple(dumps({
            "dynamic_last4": "%04d" % rng.randrange(10000),
            "type": ("apple_pay", "google_pay")[n % 2]}) for n in range(64))
        self.network_txns = tuple(dumps("%015d" % rng.randrange(10 ** 15))
                                  for _ in range(128))
        self.metadata = tuple(self._metadata(n) for n in range(64))
        self.receipts = tuple(
            "KI" + "".join(rng.choice(_RECEIPT_CHARS) for _ in range(6)) +
            "GMgY" + "".join(rng.choice(_RECEIPT_CHARS) for _ in range(70))
            for _ in range(256))

    def _metadata(self, n):
        rng = self.rng
        meta = {"order_id": "ORD-%08d" % rng.randrange(10 ** 8),
                "cart_id": "cart_" + rand_alnum(rng, 20),
                "customer_ref": "C%07d" % rng.randrange(10 ** 7),
                "channel": ("web", "ios", "android", "pos")[n % 4]}
        if n % 2 == 0:
            meta["campaign"] = "spring-sale-%d" % (2024 + n % 2)
        if n % 3 == 0:
            meta["items"] = str(1 + n % 5)
        return dumps(meta)

    def fill(self, v, prof, sepa, status):
        rng = self.rng
        v["billing_details"] = prof.full_billing
        v["metadata"] = rng.choice(self.metadata)
        v["receipt"] = rng.choice(self.receipts)
        if sepa:
            return
        if rng.random() < 0.5:
            v["three_d_secure"] = rng.choice(self.three_d_secure)
        if rng.random() < 0.25:
            v["wallet"] = rng.choice(self.wallets)
        if status != "failed":
            v["network_txn"] = rng.choice(self.network_txns)
