"""Domain logic. Services take a database session, raise domain errors, never touch a request."""
