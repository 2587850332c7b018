"""The three decoupled resource pools of DIVE: seeds, exemplars (tools live in dive.tools)."""
