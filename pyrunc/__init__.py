"""pyrunc: an OCI runtime (runtime-spec v1.3), a drop-in for runc."""

__version__ = "0.1.0"
OCI_VERSION = "1.3.0"
