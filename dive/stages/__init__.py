"""Pipeline stages: each exposes ``run(cfg, ctx) -> Artifact`` and writes one artifact directory."""
