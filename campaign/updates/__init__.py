"""Updates to signers: writing them, choosing who gets them, sending them in hourly batches, and unsubscribing."""
