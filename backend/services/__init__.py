"""The write side of the domain: keyword-only service functions, one per use case.

Each function takes `session` and `actor` and the input, checks it (ValidationFailed with typed
codes, messages in Danish and English), checks backend/policy.py (a forbidden object raises
NotFound, exactly like an absent one), writes through the given session and records an audit
event. The caller owns the transaction: it commits on success and rolls back on any exception,
so nothing is left half written.
"""

from backend.services.errors import FieldError, NotFound, ServiceError, ValidationFailed

__all__ = ["FieldError", "NotFound", "ServiceError", "ValidationFailed"]
