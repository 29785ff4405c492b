"""JSON controllers; each module's `ROUTES` list is mounted by `api.app.discover_routes`."""
