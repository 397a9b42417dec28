//! Trust: verify, damaged and read-only indexes, limits, output safety.
