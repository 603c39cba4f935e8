"""Loading and validating config.json / process.json against oci-schemas/."""
