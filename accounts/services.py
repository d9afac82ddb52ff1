from allauth.account.forms import ResetPasswordForm
from django.http import HttpRequest

from .models import User


def user_password_reset_send(*, request: HttpRequest, user: User) -> bool:
    """Email `user` a link to set a new password themself; False if none was sent.

    This is how a platform admin helps someone who is locked out: nobody but the
    person sets their password, so an admin cannot sign in as them and read their
    "My ideas" (see accounts/admin.py). It is allauth's own reset, as on the sign-in page.
    """
    if not user.is_active:
        return False
    form = ResetPasswordForm(data={"email": user.email})
    # The link must be for this account alone, never another one sharing the address.
    if not form.is_valid() or list(form.users) != [user]:
        return False
    form.save(request)
    return True
