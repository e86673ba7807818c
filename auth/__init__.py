"""Identity: OpenID Connect sign-in, bearer tokens, issuer configuration and claim mapping, sessions.

- `auth.request.actor_for_request(connection, session)`: the actor of a request (bearer token first,
  then the session cookie); raises `auth.errors.AuthenticationError` (HTTP 401) for a bad token.
- `auth.routes.auth_routes()`: /auth/login, /auth/callback/<issuer>, /auth/logout, /auth/signed-out.
- `auth.sessions.csrf_token(request)` / `verify_csrf(request, token)` / `verify_csrf_form(request)`.
- `auth.issuers`: the trusted providers (TOML file or environment); `auth.tokens`: JWT validation;
  `auth.jwks`: provider metadata and keys; `auth.accounts`: claims -> Account.
- `auth/dev-idp`: the development OpenID Provider; `python -m auth.devidp` runs it and
  `python -m auth.devlogin <account>` (`make token USER=<account>`) prints an access token.
"""
