"""Stripe-looking identifiers and secret masking.

Object ids look like Stripe's: ``<prefix>_`` + 24 alphanumeric characters,
made of "1", a 6-character base-62 time component, an 8-character
account tag and 9 random characters. Because the alphabet is in ASCII order
and the time component has a fixed width, ids of one account sort by the
second in which they were generated, like Stripe's "roughly ordered" ids.
"""

import hashlib

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BYTE_TO_ALNUM = bytes(ord(ALNUM[i % 62]) for i in range(256))


def rand_alnum(rng, n):
    """n random alphanumeric characters drawn from the random.Random rng."""
    return rng.randbytes(n).translate(_BYTE_TO_ALNUM).decode("ascii")


def b62(n, width):
    """n in base 62, left-padded with '0' to width characters."""
    out = []
    while n:
        n, r = divmod(n, 62)
        out.append(ALNUM[r])
    return "".join(reversed(out)).rjust(width, "0")


def account_tag(account):
    """8 alphanumeric characters derived from an account id."""
    digest = hashlib.sha256(account.encode()).digest()
    return digest[:8].translate(_BYTE_TO_ALNUM).decode("ascii")


class IdMaker:
    """Makes ids for one account from a seeded random generator."""

    def __init__(self, rng, account):
        self.rng = rng
        self.tag = account_tag(account)
        self._time_cache = {}

    def _time_part(self, ts):
        part = self._time_cache.get(ts)
        if part is None:
            if len(self._time_cache) > 100000:
                self._time_cache.clear()
            part = b62(max(ts, 0), 6)
            self._time_cache[ts] = part
        return part

    def make(self, prefix, ts):
        """A new id such as ch_1Pgafu<tag><random9> for the second ts."""
        return "%s_1%s%s%s" % (prefix, self._time_part(ts), self.tag,
                               rand_alnum(self.rng, 9))


def mask_secret(secret):
    """Stripe-style masking: 'sk_test_****form', 'rt_****abcd'.

    Keeps the key's prefix (sk_test_, rk_live_, ... or up to the first '_')
    and the last 4 characters; never more than that.
    """
    if secret is None:
        return None
    if secret[:3] in ("sk_", "rk_", "pk_") and secret[3:8] in ("test_",
                                                              "live_"):
        prefix = secret[:8]
    elif "_" in secret:
        prefix = secret[:secret.index("_") + 1]
    else:
        prefix = ""
    if len(secret) < len(prefix) + 8:
        return prefix + "****"
    return prefix + "****" + secret[-4:]
