"""Only public addresses: the crawler never reaches into the operator's own network.

A feed item, a redirect or a page's link may name any host: ``127.0.0.1``, ``10.0.0.5``,
the cloud metadata service at ``169.254.169.254``, or a public-looking name whose DNS
answer is one of those. Checking the URL is not enough (a name resolves later, and may
resolve differently the second time), so the check lives in the connection itself, as
miniflux does in its dialer: ``GuardedBackend`` resolves the host, keeps only the public
addresses and connects to one of *those* addresses, so the address checked is the address
connected to, at every request and every redirect hop. Refused: loopback, private,
link-local, multicast, reserved, unspecified and shared (CGNAT) ranges, and IPv6 addresses
that embed one of them.

The setting ``fetch_allowed_hosts`` lists host names, addresses and networks that may be
reached anyway: intranet feeds, the demo's and the tests' servers on 127.0.0.1.
"""

from __future__ import annotations

import socket
import typing
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network
from urllib.parse import urlsplit

import anyio
import httpcore
import httpx

IPAddress = IPv4Address | IPv6Address


class BlockedAddress(httpcore.ConnectError):
    """The host resolves to no address the crawler may connect to."""


def is_public(address: IPAddress) -> bool:
    """Whether ``address`` is a public unicast address (what a news site is on)."""
    if isinstance(address, IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (
            address.teredo[1] if address.teredo else None)
        if embedded is not None and not is_public(embedded):
            return False
    return address.is_global and not (
        address.is_multicast or address.is_private or address.is_loopback
        or address.is_link_local or address.is_reserved or address.is_unspecified)


@dataclass(frozen=True)
class AddressPolicy:
    """Which hosts the crawler may connect to: public addresses, and the listed ones."""

    hosts: frozenset[str] = frozenset()
    networks: tuple = field(default=())

    @classmethod
    def parse(cls, allowed: str) -> "AddressPolicy":
        hosts, networks = set(), []
        for item in (p.strip().lower() for p in allowed.split(",")):
            if not item:
                continue
            try:
                networks.append(ip_network(item.strip("[]"), strict=False))
            except ValueError:
                hosts.add(item.rstrip("."))
        return cls(frozenset(hosts), tuple(networks))

    def allows_host(self, host: str) -> bool:
        return host.lower().strip("[]").rstrip(".") in self.hosts

    def allows(self, address: IPAddress) -> bool:
        return is_public(address) or any(address in n for n in self.networks
                                         if n.version == address.version)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the address check in ``connect_tcp``."""

    def __init__(self, policy: AddressPolicy,
                 inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self.policy = policy
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: typing.Iterable[typing.Any] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        if self.policy.allows_host(host):
            return await self.inner.connect_tcp(host, port, timeout, local_address,
                                                socket_options)
        addresses = await self._resolve(host, port, timeout)
        allowed = [a for a in addresses if self.policy.allows(a)]
        if not allowed:
            raise BlockedAddress(f"공개 주소가 아닙니다: {host} → "
                                 f"{', '.join(map(str, addresses[:3])) or '주소 없음'}")
        last: Exception | None = None
        for address in allowed:  # connect to the checked address itself, never the name
            try:
                return await self.inner.connect_tcp(str(address), port, timeout,
                                                    local_address, socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        assert last is not None
        raise last

    async def _resolve(self, host: str, port: int, timeout: float | None) -> list[IPAddress]:
        try:
            with anyio.fail_after(timeout):
                infos = await anyio.getaddrinfo(host.strip("[]"), port,
                                                type=socket.SOCK_STREAM)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"DNS 시간 초과: {host}") from exc
        except OSError as exc:
            raise httpcore.ConnectError(f"DNS 조회 실패: {host}: {exc}") from exc
        found: list[IPAddress] = []
        for *_, sockaddr in infos:
            address = ip_address(str(sockaddr[0]).split("%")[0])
            if address not in found:
                found.append(address)
        return found

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: typing.Iterable[typing.Any] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress("유닉스 소켓에는 연결하지 않습니다")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over ``GuardedBackend``. httpx does not take a network backend,
    so the connection pool it builds is rebuilt with the same options and ours."""

    def __init__(self, policy: AddressPolicy, *, limits: httpx.Limits, **options: typing.Any
                 ) -> None:
        super().__init__(limits=limits, **options)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=self._pool._ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=options.get("http1", True), http2=options.get("http2", False),
            retries=options.get("retries", 0),
            network_backend=GuardedBackend(policy))


def names_internal_host(url: str) -> bool:
    """Whether ``url`` names an internal host outright (an address that is not public, or
    localhost): for links the site would make readers' browsers fetch, such as images,
    where no DNS answer can be checked."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return not is_public(ip_address(host))
    except ValueError:
        return False


def blocked(exc: BaseException) -> BlockedAddress | None:
    """The BlockedAddress behind an httpx error, if that is what it was."""
    for _ in range(10):  # the chain httpx → httpcore is two or three long
        if exc is None or isinstance(exc, BlockedAddress):
            return exc
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return None
