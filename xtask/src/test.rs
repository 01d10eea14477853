//! `cargo xtask test` (being written).

/// Entry point.
pub fn run(_args: &[String]) -> Result<(), String> {
    Err("test is not written yet".into())
}
