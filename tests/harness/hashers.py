"""A password hasher for the test process: PBKDF2 with few iterations.

Each account a test makes would otherwise cost a full-strength hash (over a million PBKDF2
rounds, about half a second here). The hashes it writes are ordinary pbkdf2_sha256 ones,
carrying their iteration count, so the worker and the servers verify them with their own
settings.
"""

from django.contrib.auth.hashers import PBKDF2PasswordHasher


class QuickPBKDF2PasswordHasher(PBKDF2PasswordHasher):
    iterations = 1_000
