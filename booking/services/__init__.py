"""Use cases: load from the stores, decide with the domain, write, inside one transaction."""
