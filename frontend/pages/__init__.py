"""Portal pages, one module per part of the portal."""
