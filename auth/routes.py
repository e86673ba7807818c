"""Sign-in routes (placeholder until the OIDC relying party lands)."""


def auth_routes() -> list:
    return []
