"""Running in production: health checks, security headers, answers fit for shared caches, request ids, the database away."""
