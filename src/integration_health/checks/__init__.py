"""One module per integration type, a registry of them, and the shared HTTP probe."""
