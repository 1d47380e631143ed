"""uvicorn's HTTP protocol with TCP_NODELAY on every connection, for ``serve(workers=N)``.

With several workers uvicorn binds the listening socket itself (protocol number 0), and asyncio
then leaves Nagle's algorithm on for the connections it accepts: a keep-alive client waited
~40 ms (its delayed ACK) for the body written after the headers of every answer. One worker
(asyncio's own listening socket) does not need this.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket

from uvicorn.protocols.http.auto import AutoHTTPProtocol


class NoDelayProtocol(AutoHTTPProtocol):  # type: ignore[misc,valid-type]
    """The HTTP protocol uvicorn picks ("auto"), with Nagle's algorithm off per connection."""

    def connection_made(self, transport: asyncio.Transport) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
