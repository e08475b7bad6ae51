"""Sign-ins a second that password hashing allows, old parameters beside the current ones.

    .venv/bin/python -m bench.bench_sign_in [--seconds 10] [--processes N]

A sign-in costs one argon2id verification (plus, once per person, the rehash that upgrades a
hash made with old parameters); the rest of the request is a few milliseconds. This times the
hasher alone, as `accounts.passwords` configures it, against argon2-cffi's defaults used before
issue 14 (64 MiB, t=3, p=4): `--processes` processes (default: one per CPU, as gunicorn's sync
workers would be) verify a correct password in a loop for `--seconds`, the two parameter sets
taking turns in rounds of a second so that the machine's other load falls on both alike.
See docs/PERFORMANCE.md.
"""

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor
from functools import cache

from argon2 import PasswordHasher

from pdplanner.accounts import passwords

PASSWORD = "correct horse battery staple"
_BEFORE = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4)
HASHERS = {  # (hash, verify(stored, password))
    "before (64 MiB, t=3, p=4)": (_BEFORE.hash, _BEFORE.verify),
    "now (19 MiB, t=2, p=1)": (passwords.hash_password, passwords.verify_password),
}


@cache
def stored_hash(name: str) -> str:
    return HASHERS[name][0](PASSWORD)


def verify_for(name: str, seconds: float) -> tuple[int, float, float]:
    """Verifications done in about `seconds`, and the CPU and wall time they took."""
    verify = HASHERS[name][1]
    stored = stored_hash(name)
    done = 0
    cpu, start = time.process_time(), time.perf_counter()
    while time.perf_counter() < start + seconds:
        assert verify(stored, PASSWORD)
        done += 1
    return done, time.process_time() - cpu, time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="per parameter set")
    parser.add_argument("--processes", type=int, default=os.cpu_count())
    args = parser.parse_args(argv)
    # Per parameter set: verifications, CPU seconds, and process-seconds of wall time.
    totals = {name: [0, 0.0, 0.0] for name in HASHERS}
    with ProcessPoolExecutor(args.processes) as pool:
        for name in HASHERS:  # each process hashes once, untimed
            list(pool.map(verify_for, [name] * args.processes, [0.0] * args.processes))
        for _ in range(max(1, round(args.seconds))):
            for name in HASHERS:
                for done, cpu, wall in pool.map(verify_for, [name] * args.processes,
                                                [1.0] * args.processes):
                    totals[name][0] += done
                    totals[name][1] += cpu
                    totals[name][2] += wall
    print(f"{os.cpu_count()} CPUs, {args.processes} processes, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'parameters':>28} {'sign-ins/s':>11} {'CPU ms each':>12}")
    for name, (done, cpu, wall) in totals.items():
        print(f"{name:>28} {args.processes * done / wall:11.1f} {1000 * cpu / done:12.1f}")


if __name__ == "__main__":
    main()
