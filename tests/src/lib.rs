//! Helpers for the black-box HTTP tests.
