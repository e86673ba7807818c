"""The resident and partner web portal: server-rendered pages over named GraphQL operations."""
