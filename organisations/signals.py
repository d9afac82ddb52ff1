"""What organisations tells the apps above it, which it may not import.

`members_deactivated(memberships=[...])` is sent inside the transaction that
deactivated them: the api app revokes their tokens for the organisation in it too.
"""

from django.dispatch import Signal

members_deactivated = Signal()
