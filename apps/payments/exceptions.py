"""Payments' domain errors; published to other apps through apps.payments.client."""

from kernel.problems import DomainError, ServiceUnavailable


class PaymentDeclined(DomainError):
    """The gateway refused the payment method; ``decline_code`` says why."""

    status = 402
    code = "payment-declined"
    title = "The payment was declined"

    @property
    def decline_code(self) -> str:
        return self.extra.get("decline_code", "")


class PaymentGatewayUnavailable(ServiceUnavailable):
    """The gateway did not answer; the payment stays pending and the same key may retry."""

    code = "payment-gateway-unavailable"
    title = "The payment gateway is unavailable"


class PaymentInProgress(DomainError):
    status = 409
    code = "payment-in-progress"
    title = "Another request with this key is talking to the payment gateway"


class PaymentKeyReused(DomainError):
    status = 422
    code = "payment-key-reused"
    title = "This payment key was already used for a different payment"


class PaymentNotFound(DomainError):
    status = 404
    code = "payment-not-found"
    title = "No payment with this key"


class PaymentNotRefundable(DomainError):
    status = 409
    code = "payment-not-refundable"
    title = "This payment cannot be refunded"


class RefundKeyReused(DomainError):
    status = 422
    code = "refund-key-reused"
    title = "This refund key was already used for a different refund"


class RefundAmountInvalid(DomainError):
    status = 422
    code = "refund-amount-invalid"
    title = "A refund must be more than zero and at most the amount paid"
