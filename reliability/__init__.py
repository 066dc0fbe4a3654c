"""Load and fault harness: a real server on loopback, a PostgreSQL cluster to stop and start."""
