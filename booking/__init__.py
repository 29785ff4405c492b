"""labshare's booking core: the pure domain, the services and the database layer."""
