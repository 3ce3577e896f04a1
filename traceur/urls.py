"""URL canonicalisation: one page, one canonical URL, whatever tracking noise came with it."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# Query parameters that only say where a click came from; they never change the page.
_TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_")
_TRACKING_PARAMS = {
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "xtor",
    "xtref",
    "ocid",
    "cmpid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "ref_src",
}
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters,
    sorted query, normalised percent-encoding. ``/`` is kept as the path of a bare host."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    if not host.isascii():
        host = host.encode("idna").decode("ascii")
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal keeps its brackets
    port = parts.port
    netloc = host if port is None or _DEFAULT_PORTS.get(scheme) == port else f"{host}:{port}"
    # An encoded slash is part of a segment, not a separator: keep it encoded.
    segments = (parts.path or "/").split("/")
    path = "/".join(quote(unquote(segment), safe=":@!$&'()*+,;=-._~") for segment in segments)
    query_items = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() not in _TRACKING_PARAMS and not key.lower().startswith(_TRACKING_PREFIXES)
    ]
    query = urlencode(sorted(query_items), doseq=True)
    return urlunsplit((scheme, netloc, path, query, ""))


@lru_cache(maxsize=65_536)
def domain_of(url: str) -> str:
    """The host name without ``www.``: what a volunteer calls "the site"."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def same_site(url: str, other: str) -> bool:
    """Same host name (``www.`` aside), whatever the ports: a site served on ``:8081``
    links to itself with or without its port. Other subdomains are other sites."""
    return domain_of(url) == domain_of(other)


def redirect_key(url: str) -> str:
    """The page a URL names, for telling a redirect loop: its canonical URL without scheme,
    trailing slash or case. ``http://site/a`` → ``https://site/A/`` goes nowhere new."""
    _, _, rest = canonical_url(url).partition("://")
    path, query_mark, query = rest.partition("?")
    return path.rstrip("/").lower() + query_mark + query
