"""Secondary-index query predicates (filled in with Query support)."""
