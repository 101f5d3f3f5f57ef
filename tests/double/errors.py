"""Stripe's error envelopes."""

from shapes import dumps


class ApiError(Exception):
    """An error answered as {"error": {...}} with an HTTP status."""

    def __init__(self, status, message, param=None, code=None,
                 etype="invalid_request_error", headers=None):
        Exception.__init__(self, message)
        self.status = status
        self.message = message
        self.param = param
        self.code = code
        self.etype = etype
        self.headers = headers or []

    def body(self, request_id):
        err = {}
        if self.code is not None:
            err["code"] = self.code
            err["doc_url"] = ("https://stripe.com/docs/error-codes/"
                              + self.code.replace("_", "-"))
        err["message"] = self.message
        if self.param is not None:
            err["param"] = self.param
        err["request_log_url"] = ("https://dashboard.stripe.com/logs/"
                                  + request_id)
        err["type"] = self.etype
        return dumps({"error": err})


class OAuthError(Exception):
    """An OAuth error: {"error": "invalid_grant", "error_description"}."""

    def __init__(self, status, error, description):
        Exception.__init__(self, description)
        self.status = status
        self.error = error
        self.description = description

    def body(self, request_id):
        return dumps({"error": self.error,
                      "error_description": self.description})


RATE_LIMIT_MESSAGE = ("Too many requests hit the API too quickly. We "
                      "recommend an exponential backoff of your requests.")
LOCK_TIMEOUT_MESSAGE = (
    "This object cannot be accessed right now because another API request "
    "or Stripe process is currently accessing it. If you see this error "
    "intermittently, retry the request. If you see this error frequently "
    "and are making multiple concurrent requests to a single object, make "
    "your requests serially or at a lower rate. See "
    "https://stripe.com/docs/rate-limits for more details.")


def rate_limited(reason):
    """429 from a rate limiter; reason goes in Stripe-Rate-Limited-Reason."""
    return ApiError(429, RATE_LIMIT_MESSAGE, code="rate_limit",
                    headers=[("Stripe-Rate-Limited-Reason", reason)])


def lock_timeout():
    return ApiError(429, LOCK_TIMEOUT_MESSAGE, code="lock_timeout")


def server_error(status):
    return ApiError(status, "An unknown error occurred",
                    etype="api_error")
