//! Reading a body from a file or from standard input (`-`).

use std::io::Read;
use std::path::Path;

use crate::{Failure, is_stdin};

/// A body as text, with the name messages use for it (`stdin` or the path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// `stdin`, or the path as given.
    pub label: String,
    /// The whole content.
    pub text: String,
}

/// Reads all of `path`, or of `stdin` when `path` is `-`.
///
/// # Errors
///
/// [`Exit::Invalid`](crate::Exit::Invalid) when it cannot be read or is not UTF-8.
pub fn read(path: &Path, stdin: &mut dyn Read) -> Result<Text, Failure> {
    let (label, bytes) = if is_stdin(path.as_os_str()) {
        let mut bytes = Vec::new();
        stdin
            .read_to_end(&mut bytes)
            .map_err(|err| Failure::invalid(format!("cannot read stdin: {err}")))?;
        ("stdin".to_owned(), bytes)
    } else {
        let label = path.display().to_string();
        let bytes = std::fs::read(path)
            .map_err(|err| Failure::invalid(format!("cannot read {label}: {err}")))?;
        (label, bytes)
    };
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Text { label, text }),
        Err(err) => Err(Failure::invalid(format!(
            "{label}: not UTF-8 text (invalid byte at offset {})",
            err.utf8_error().valid_up_to()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dash_reads_stdin() {
        let mut stdin: &[u8] = b"{}";
        let text = read(Path::new("-"), &mut stdin).unwrap();
        assert_eq!((text.label.as_str(), text.text.as_str()), ("stdin", "{}"));
    }

    #[test]
    fn missing_file_and_bad_utf8_are_invalid() {
        let err = read(Path::new("/nonexistent/body.json"), &mut std::io::empty()).unwrap_err();
        assert_eq!(err.exit, crate::Exit::Invalid);
        assert!(
            err.message
                .starts_with("cannot read /nonexistent/body.json: "),
            "{err}"
        );
        let mut stdin: &[u8] = b"{\"a\": \"\xff\"}";
        let err = read(Path::new("-"), &mut stdin).unwrap_err();
        assert_eq!(
            err.message,
            "stdin: not UTF-8 text (invalid byte at offset 7)"
        );
    }
}
