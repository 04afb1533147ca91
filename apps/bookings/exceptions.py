from kernel.problems import DomainError


class IdempotencyKeyMissing(DomainError):
    status = 400
    code = "idempotency-key-required"
    title = "An Idempotency-Key header is required"


class IdempotencyKeyReused(DomainError):
    status = 422
    code = "idempotency-key-reused"
    title = "This Idempotency-Key was used with a different request"


class RequestInProgress(DomainError):
    status = 409
    code = "request-in-progress"
    title = "A request with this Idempotency-Key is still being processed"


class BookingNotFound(DomainError):
    status = 404
    code = "booking-not-found"
    title = "No such booking"


class BookingNotPayable(DomainError):
    status = 409
    code = "booking-not-payable"
    title = "This booking cannot be paid"


class BookingNotCancellable(DomainError):
    status = 409
    code = "booking-not-cancellable"
    title = "This booking cannot be cancelled"


class BookingBusy(DomainError):
    status = 409
    code = "booking-busy"
    title = "Another payment or cancellation of this booking is in progress"
