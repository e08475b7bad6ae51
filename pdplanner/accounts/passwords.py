"""Password hashing (argon2id) and the password policy of SPEC section 11.

The policy is NIST SP 800-63B style: a minimum length, long passphrases allowed, no
composition rules, and a refusal of passwords that are common or made of the person's own name
or email.
"""

from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MAX_LENGTH = 256

# OWASP's recommended argon2id parameters for a shared server (Password Storage Cheat Sheet):
# 19 MiB, two passes, one lane. Hashes made with other parameters (the library's 64 MiB, t=3,
# p=4 profile used before) still verify, and are replaced at the next successful sign-in.
TIME_COST = 2
MEMORY_COST = 19 * 1024  # KiB
PARALLELISM = 1

_hasher = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST, parallelism=PARALLELISM)
# Verified against when the email matches no account, so a miss costs as long as a hit.
_DUMMY_HASH = _hasher.hash("an unused password to equalise timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when a verified hash was made with other parameters than the current ones."""
    return _hasher.check_needs_rehash(password_hash)


@cache
def common_passwords() -> frozenset[str]:
    text = resources.files("pdplanner.accounts").joinpath("common_passwords.txt").read_text()
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def password_problem(password: str, *, min_length: int, personal: tuple[str, ...] = ()) -> str | None:
    """Why `password` is refused, in words for the person choosing it, or None if it is fine."""
    if len(password) < min_length:
        return f"Use at least {min_length} characters. A few unrelated words make a strong passphrase."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    folded = password.strip().lower()
    if folded in common_passwords() or len(set(folded)) <= 2:
        return "That password is too common and easy to guess. Choose something less predictable."
    for word in personal:
        word = word.strip().lower()
        if len(word) >= 4 and (word in folded or folded in word):
            return "Do not use your name or email address in your password."
    return None
