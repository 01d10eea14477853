//! `cargo xtask codegen [--check]` (being written).

/// Entry point.
pub fn run(_args: &[String]) -> Result<(), String> {
    Err("codegen is not written yet".into())
}
