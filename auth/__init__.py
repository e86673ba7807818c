"""Identity: OpenID Connect sign-in, bearer tokens, issuer configuration and claim mapping, sessions."""
