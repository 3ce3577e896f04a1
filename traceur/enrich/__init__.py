"""From a parsed page to a searchable document: building the document (stable id,
canonical URL, UTC dates), its language, the candidates and topics it mentions, the
query language, and the story clusters that group one story printed on many sites."""
