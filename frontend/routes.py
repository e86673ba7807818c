"""Portal routes (placeholder until the portal lands)."""


def portal_routes() -> list:
    return []
