"""Drives the portal's MCP endpoint with the official Python MCP client library.

Usage: mcp_client.py URL TOKEN MODE [TOOL ARGS_JSON]

MODE is "legacy" (the initialize handshake, 2025-11-25) or a modern revision such as
"2026-07-28" (stateless, no handshake). Prints one JSON object: the negotiated protocol
version, the tool names, and the result of calling TOOL with ARGS_JSON; or {"error": ...}
when the connection or a call fails. Exits 0 either way, so the caller asserts on the output.
"""

import asyncio
import json
import sys

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client


def causes(exc):
    """The leaves of an exception group, as text."""
    if hasattr(exc, "exceptions"):
        return [leaf for e in exc.exceptions for leaf in causes(e)]
    return [f"{type(exc).__name__}: {exc}"]


async def main(url, token, mode, tool, args):
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=10)
    out = {}
    try:
        async with Client(streamable_http_client(url, http_client=http), mode=mode, cache=None) as client:
            out["protocol_version"] = client.protocol_version
            listed = await client.list_tools()
            out["tools"] = [t.name for t in listed.tools]
            if tool:
                result = await client.call_tool(tool, args)
                out["is_error"] = bool(result.is_error)
                out["structured"] = result.structured_content
                out["text"] = [c.text for c in result.content if getattr(c, "type", "") == "text"]
    except BaseException as exc:  # noqa: BLE001 - report anything, the test decides
        out["error"] = f"{type(exc).__name__}: {exc}"
        out["causes"] = causes(exc)
    finally:
        await http.aclose()
    print(json.dumps(out))


if __name__ == "__main__":
    url, token, mode = sys.argv[1:4]
    tool = sys.argv[4] if len(sys.argv) > 4 else None
    args = json.loads(sys.argv[5]) if len(sys.argv) > 5 else {}
    asyncio.run(asyncio.wait_for(main(url, token, mode, tool, args), timeout=30))
