"""Running in production: health checks, security headers, request ids, the database away."""
