"""The tool pool: real tools per domain, a registry, and the crawl-validate gate."""

from dive.tools.base import DOMAINS, REGISTRY, Tool, ToolError, ToolResult, tool

__all__ = ["DOMAINS", "REGISTRY", "Tool", "ToolError", "ToolResult", "tool"]
