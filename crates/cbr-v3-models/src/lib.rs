//! Placeholder: `cargo xtask codegen` writes this file.
