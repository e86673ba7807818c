from tests.auth.idp import idp, token_for  # noqa: F401 - pytest fixtures
