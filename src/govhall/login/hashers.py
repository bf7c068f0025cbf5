"""Argon2id with parameters sized for the hardware (docs/login.md).

Django's default (time 2, memory 100 MiB, parallelism 8) costs about 120 ms per hash on a 2-core
host, because the 8 lanes share 2 cores. This profile is one of the equivalent-strength
configurations the OWASP Password Storage Cheat Sheet lists (Argon2id, 46 MiB, 1 iteration,
1 lane): about 55 ms here. Hashes made with other parameters still verify and are upgraded at the
next successful login (Django's ``must_update``).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class GovHallArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 47104  # KiB
    parallelism = 1
