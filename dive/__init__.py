"""dive: a config-driven experiment manager for DIVE-style agentic task synthesis and training."""

__version__ = "0.1.0"
