"""Personal data as the law asks: retention and purge, erasure (``forget``), pseudonyms."""
