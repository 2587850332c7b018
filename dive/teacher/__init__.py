"""Teachers: who solves synthesized tasks into SFT trajectories (scripted replay, or an LLM with a judge)."""
