"""The suite runs offline: tests/conftest.py makes any connection or name lookup beyond this machine raise."""

import socket

import pytest


@pytest.mark.parametrize("address", [("203.0.113.7", 80), ("2001:db8::1", 443), ("example.org", 443)])
def test_a_connection_to_another_host_raises(address):
    with pytest.raises(OSError, match="tests may not reach the network"):
        socket.create_connection(address, timeout=1)


def test_a_name_lookup_raises():
    with pytest.raises(OSError, match="tests may not reach the network"):
        socket.getaddrinfo("example.org", 443)
    with pytest.raises(OSError, match="tests may not reach the network"):
        socket.gethostbyname("example.org")


def test_a_datagram_to_another_host_raises():
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock,
        pytest.raises(OSError, match="not this machine"),
    ):
        sock.sendto(b"x", ("203.0.113.7", 53))


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_this_machine_is_reachable(host):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection((host, server.getsockname()[1]), timeout=2):
            accepted, _address = server.accept()
            accepted.close()


def test_a_unix_socket_is_reachable(tmp_path):
    path = str(tmp_path / "socket")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(path)
        server.listen(1)
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.connect(path)
