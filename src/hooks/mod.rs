//! Reusable browser behaviours, one per file.
