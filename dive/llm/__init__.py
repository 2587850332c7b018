"""Model endpoints: one OpenAI-compatible chat client for every role, and servers a stage manages itself."""
