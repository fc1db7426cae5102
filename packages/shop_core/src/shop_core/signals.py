"""Signals the packages share without importing one another."""

from django.dispatch import Signal

#: Sent inside the transaction that erases a person's account (self-service
#: deletion), before the user row is anonymised or deleted. Keyword argument:
#: ``user``. Every package that stores personal data of its own connects a
#: receiver that deletes or anonymises it (orders keep their lines and totals
#: for accounting with the name, e-mail, phone and address replaced; bookings
#: ahead are canceled). A receiver that raises aborts the whole erasure.
erasing_personal_data = Signal()
