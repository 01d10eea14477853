//! Runtime for the generated crates (being written).
