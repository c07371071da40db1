"""Email digests: subscriptions (double opt-in), editions, deliveries sent exactly once."""
