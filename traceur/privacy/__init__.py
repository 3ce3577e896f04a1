"""Personal data handled as the GDPR asks: retention, erasure, pseudonymised authors."""
