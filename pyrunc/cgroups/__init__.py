"""Cgroup setup and bookkeeping: v2 first, v1 for hybrid and legacy hosts."""
