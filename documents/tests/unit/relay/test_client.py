"""The client's end of a stream as the hub writes to it under gevent (relay/client.py's Sink), on
real sockets: a write that never waits, framing as gunicorn's, and what a full or closed
connection does."""

from __future__ import annotations

import socket
import threading

import pytest

from documents.relay.client import SocketClient


@pytest.fixture
def pair():
    """A gevent socket (as gunicorn's gevent worker gives a view) and the client's end of it, both
    with small buffers, so a client that does not read fills them at once."""
    from gevent import socket as gsocket

    ours, client = socket.socketpair()  # the client's end a plain socket: read from a thread
    server = gsocket.socket(ours.family, ours.type, fileno=ours.detach())
    server.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    server.settimeout(5)
    yield server, client
    server.close()
    client.close()


def _read(sock: socket.socket, size: int) -> bytes:
    got = bytearray()
    while len(got) < size:
        got += sock.recv(size - len(got))
    return bytes(got)


def test_a_gevent_socket_takes_what_fits_without_waiting_and_the_rest_with_the_readers_write(pair):
    server, client = pair
    sink = SocketClient(server).sink()
    assert sink is not None
    data = "第一章 概述\n".encode() * 20_000  # far more than both buffers hold

    sent = sink.send_now(data)
    assert 0 < sent < len(data)  # what fits, and no wait for the rest
    assert sink.send_now(data[sent:]) == 0  # full: nothing, still no wait
    reading = threading.Thread(target=lambda: got.append(_read(client, len(data))))
    got: list[bytes] = []
    reading.start()
    sink.send_rest(data[sent:])  # the stream's own write: waits until the client has read
    reading.join(10)
    assert got == [data]


def test_a_closed_connection_fails_the_write_at_once(pair):
    server, client = pair
    sink = SocketClient(server).sink()
    client.close()
    with pytest.raises(OSError):
        for _ in range(3):  # the first write after a close can still be taken by the kernel
            sink.send_now(b"id: 2\nevent: chunk\ndata: {}\n\n")


def test_the_hub_frames_bytes_as_gunicorn_frames_the_body():
    from gunicorn.util import write_chunk

    class Recorder:
        def sendall(self, data: bytes) -> None:
            self.data = data

    body = 'id: 7\nevent: chunk\ndata: {"text":"要点"}\n\n'.encode()
    gunicorn = Recorder()
    write_chunk(gunicorn, body)
    assert SocketClient(socket.socket(), chunked=True).frame(body) == gunicorn.data
    assert SocketClient(socket.socket(), chunked=False).frame(body) == body  # HTTP/1.0: as it comes


def test_only_a_plain_gevent_socket_is_written_to_by_the_hub(pair):
    """A thread per stream (gthread, runserver) could be writing when the hub would; TLS records are
    written by the socket's SSL object; and SSE_HUB_WRITES=0 turns it off."""
    server, _ = pair
    with socket.socket() as plain:
        assert SocketClient(plain).sink() is None
    assert SocketClient(server, direct=False).sink() is None

    class TlsSocket(type(server)):  # what gevent's SSLSocket adds to its socket
        def cipher(self) -> None:
            return None

    with TlsSocket() as tls:
        assert SocketClient(tls).sink() is None


def test_a_write_cut_short_ends_the_connection_so_nothing_more_is_taken_for_the_body(pair):
    """A stream that could not write the rest of the hub's frame aborts the connection: gunicorn's
    closing chunk would otherwise end a body whose last chunk is cut, for a client that keeps the
    connection for its next request."""
    server, client = pair
    SocketClient(server).abort()
    assert client.recv(10) == b""  # the client sees the end of the connection
    with pytest.raises(OSError):  # and the server's next write fails (gunicorn ignores EPIPE)
        server.sendall(b"0\r\n\r\n")
