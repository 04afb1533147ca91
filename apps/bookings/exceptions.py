from kernel.problems import DomainError


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
