"""Personal data handled as the law asks: retention and purge, erasure, pseudonymised authors."""
