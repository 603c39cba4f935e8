"""Command-line interface: argument parsing and one module per subcommand; no syscalls here."""
