"""The per-container state store under --root."""
