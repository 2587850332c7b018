"""Evaluation of trained models on external benchmarks (BFCL v4, ...)."""
