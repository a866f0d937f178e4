"""Who is asking: the client's address, as far as the operator's own proxies can vouch for it.

Without a reverse proxy the address is the connection's. Behind one, the proxy writes the
address it saw into ``X-Forwarded-For`` (setting ``forwarded_header``), appending to any
value the client sent itself. So only the entries written by proxies the operator trusts
(setting ``trusted_proxies``: addresses or networks) can be believed: the header is read
from the right, skipping trusted hops, and the first address no trusted proxy could have
made up is the client. A request that does not come from a trusted proxy is its
connection's address, whatever headers it carries (as werkzeug's ProxyFix and nginx's
``real_ip_recursive`` do).
"""

from __future__ import annotations

from ipaddress import ip_address, ip_network
from typing import Any

_MAX = 64  # characters of an address kept (an entry that is not one is cut)


class ClientAddress:
    def __init__(self, trusted: str = "", header: str = "x-forwarded-for") -> None:
        self.networks = tuple(ip_network(p.strip(), strict=False)
                              for p in trusted.split(",") if p.strip())
        self.header = header.strip().lower().encode("latin-1")

    @classmethod
    def from_settings(cls, settings: Any) -> "ClientAddress":
        return cls(settings.trusted_proxies, settings.forwarded_header)

    def trusted(self, address: str) -> bool:
        try:
            parsed = ip_address(address.strip().strip("[]"))
        except ValueError:
            return False
        return any(parsed in network for network in self.networks)

    def __call__(self, scope: Any) -> str:
        """The client address of an ASGI request."""
        peer = (scope.get("client") or ("", 0))[0] or ""
        if not self.networks or not self.trusted(peer):
            return peer
        hops = [hop.strip() for name, value in scope.get("headers") or ()
                if name == self.header for hop in value.decode("latin-1").split(",")]
        hops = [hop for hop in hops if hop]
        for hop in reversed(hops):
            if not self.trusted(hop):
                return hop[:_MAX]
        return hops[0][:_MAX] if hops else peer
