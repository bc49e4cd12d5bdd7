"""Backends of the conformance suite: each drives one binding of cloudhalt."""
