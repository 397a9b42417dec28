//! Fault injection (written by the fault-injection work; placeholder).
