"""Storage limitation (UK GDPR): what is kept, for how long, and its purge."""
