"""A bounded loopback HTTP/1.1 load generator (keep-alive connections, asyncio + uvloop).

Run as ``python bench/_loadgen.py URL_PATHS_FILE PORT SECONDS CONNECTIONS AUTH`` by
bench_lookup.py; prints one JSON line: requests, errors, seconds and latency percentiles.
Each connection sends one request at a time (no pipelining), like a firewall's client.

``python bench/_loadgen.py --post ROUTE BODIES_FILE PORT CONNECTIONS AUTH`` POSTs each
line of BODIES_FILE once (JSON batches), spread over the connections, and prints the
requests, errors, seconds and response bytes. A raw client, so that on a shared 2-core
machine the load generator takes as little CPU from the server as it can.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time


async def _read_response(reader: asyncio.StreamReader) -> tuple[bytes, int]:
    """Read one HTTP/1.1 response; return its head and the length of its body."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return head, length


async def _connection(
    port: int,
    paths: list[bytes],
    auth: bytes,
    stop_at: float,
    offset: int,
    latencies: list[float],
    errors: list[int],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = offset
    try:
        while time.perf_counter() < stop_at:
            path = paths[i % len(paths)]
            i += 7
            started = time.perf_counter()
            writer.write(b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + b"\r\n")
            head, _ = await _read_response(reader)
            latencies.append(time.perf_counter() - started)
            if not head.startswith(b"HTTP/1.1 200"):
                errors[0] += 1
    finally:
        writer.close()


async def run(port: int, paths: list[bytes], seconds: float, connections: int, auth: bytes) -> dict:
    latencies: list[float] = []
    errors = [0]
    started = time.perf_counter()
    stop_at = started + seconds
    await asyncio.wait_for(
        asyncio.gather(
            *(
                _connection(port, paths, auth, stop_at, n, latencies, errors)
                for n in range(connections)
            )
        ),
        timeout=seconds + 30,
    )
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0
        )

    return {
        "requests": len(latencies),
        "errors": errors[0],
        "seconds": elapsed,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": pct(1.0),
    }


async def _poster(
    port: int, route: bytes, bodies: list[bytes], auth: bytes, counts: dict[str, int]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for body in bodies:
            writer.write(
                b"POST "
                + route
                + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + auth
                + b"Content-Type: application/json\r\nContent-Length: "
                + str(len(body)).encode()
                + b"\r\n\r\n"
                + body
            )
            head, length = await _read_response(reader)
            counts["requests"] += 1
            counts["bytes"] += length
            if not head.startswith(b"HTTP/1.1 200"):
                counts["errors"] += 1
    finally:
        writer.close()


async def post(port: int, route: bytes, bodies: list[bytes], connections: int, auth: bytes) -> dict:
    counts = {"requests": 0, "errors": 0, "bytes": 0}
    started = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(
            *(
                _poster(port, route, bodies[n::connections], auth, counts)
                for n in range(connections)
            )
        ),
        timeout=1800,
    )
    return {**counts, "seconds": time.perf_counter() - started}


def _install_uvloop() -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass


def main() -> None:
    if sys.argv[1] == "--post":
        route, bodies_file, port, connections, auth = sys.argv[2:7]
        with open(bodies_file, "rb") as handle:
            bodies = [line for line in handle.read().split(b"\n") if line]
        header = f"Authorization: Bearer {auth}\r\n".encode()
        _install_uvloop()
        result = asyncio.run(post(int(port), route.encode(), bodies, int(connections), header))
        print(json.dumps(result))
        return
    paths_file, port, seconds, connections, auth = sys.argv[1:6]
    with open(paths_file) as handle:
        paths = [line.encode() for line in handle.read().split("\n") if line]
    header = f"Authorization: Bearer {auth}\r\n".encode() if auth != "-" else b""
    _install_uvloop()
    print(json.dumps(asyncio.run(run(int(port), paths, float(seconds), int(connections), header))))


if __name__ == "__main__":
    main()
