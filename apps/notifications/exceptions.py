from kernel.problems import DomainError


class NotificationNotSent(DomainError):
    status = 502
    code = "notification-not-sent"
    title = "The mail server did not take the email"
