"""Mounts the GraphQL schema over HTTP and WebSocket (placeholder until the schema lands)."""


def graphql_routes() -> list:
    return []
