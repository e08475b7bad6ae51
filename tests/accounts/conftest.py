import pytest
from argon2 import PasswordHasher

from pdplanner.accounts import passwords


@pytest.fixture
def quick_hashing(monkeypatch):
    """Argon2id with its cheapest parameters, for tests that make dozens of attempts: what they
    check is the counting, not the cost of a hash (test_passwords.py checks the hashes)."""
    quick = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", quick)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", quick.hash("an unused password"))
