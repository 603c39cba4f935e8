"""Seccomp filter compilation and caching, capabilities, AppArmor/SELinux decisions."""
