"""Evidence-first task synthesis and the diversity metrics of synthesized data."""
