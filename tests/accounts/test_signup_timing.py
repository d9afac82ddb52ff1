"""Sign-up must not reveal by its timing whether an address already has an account."""

import statistics
import time

from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.test import Client

PASSWORD = "a-long-ward-round-password"
ROUNDS = 5


class QuickerPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Production's algorithm at a fifth of its cost: still far slower than the rest of a
    sign-up, as in production, but keeps this test to a few seconds."""

    iterations = PBKDF2PasswordHasher.iterations // 5


def timed_signup(email):
    client = Client()
    started = time.perf_counter()
    response = client.post(
        "/accounts/signup/",
        {"name": "Dana Nurse", "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )
    elapsed = time.perf_counter() - started
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    return elapsed


def test_sign_up_takes_as_long_for_a_known_address_as_for_a_new_one(settings, bob, organisation):
    # A real hasher (the suite's MD5 costs nothing): its cost is what an attacker times.
    settings.PASSWORD_HASHERS = [f"{__name__}.QuickerPBKDF2PasswordHasher"]
    timed_signup("warm.up@city.nhs.uk")
    known, new = [], []
    for n in range(ROUNDS):  # interleaved, so that a busy moment hits both alike
        known.append(timed_signup("bob@city.nhs.uk"))
        new.append(timed_signup(f"new.starter{n}@city.nhs.uk"))
    known, new = statistics.median(known), statistics.median(new)
    print(f"median sign-up: known address {known:.3f} s, new address {new:.3f} s")
    slower, faster = max(known, new), min(known, new)
    assert slower < 1.5 * faster + 0.05
