"""webhooks: the endpoints organizers register, signed deliveries queued durably and retried, and the address checks that keep them off private networks"""
