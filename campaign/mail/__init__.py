"""Mail: the outbox every email is written to first, its worker, and the backends that send."""
