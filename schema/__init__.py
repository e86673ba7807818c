"""The GraphQL layer: one sub-package per domain, combined in schema/api.py."""
