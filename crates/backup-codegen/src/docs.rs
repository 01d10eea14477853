//! Turns the specs' prose into doc comments that rustdoc renders as written and never warns about.

use proc_macro2::TokenStream;
use quote::quote;

/// The lines of `text` as Markdown that rustdoc takes literally: outside code spans, brackets,
/// angle brackets and `&` are escaped (no accidental links, HTML tags or entities) and bare URLs
/// are wrapped in `<...>`; indentation is kept up to three spaces (list continuations stay in
/// their item; four would start a code block, which rustdoc would compile as a doctest). Every
/// line break counts (`\n`, `\r\n` and a lone `\r`, which rustc refuses in a doc comment). A
/// fenced code block is kept verbatim, marked `text` unless it names a language other than Rust,
/// so it is shown and never run as a doctest; an unclosed one is closed.
pub fn doc_lines(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut lines = Vec::new();
    // The open fence: its character and length.
    let mut fence: Option<(char, usize)> = None;
    for line in text.trim().lines() {
        let body = line.trim_start();
        let indent = (line.len() - body.len()).min(3);
        let pad = " ".repeat(indent);
        if let Some((c, n)) = fence {
            let run = body.chars().take_while(|&x| x == c).count();
            if run >= n && body[run * c.len_utf8()..].trim().is_empty() {
                fence = None;
                lines.push(format!("{pad}{}", c.to_string().repeat(run)));
            } else {
                lines.push(line.trim_end().to_owned());
            }
            continue;
        }
        if let Some((c, n)) = fence_start(body) {
            fence = Some((c, n));
            let info = body[n * c.len_utf8()..].trim();
            lines.push(format!(
                "{pad}{}{}",
                c.to_string().repeat(n),
                fence_info(info)
            ));
            continue;
        }
        let parts: Vec<&str> = body.trim_end().split('`').collect();
        let last = parts.len() - 1;
        let escaped: Vec<String> = parts
            .iter()
            .enumerate()
            .map(|(i, part)| {
                // Odd parts are code spans, unless the last one is left unclosed.
                if i % 2 == 1 && !(i == last && last % 2 == 1) {
                    (*part).to_owned()
                } else {
                    escape(part)
                }
            })
            .collect();
        let mut joined = escaped.join("`");
        if last % 2 == 1 {
            // An unclosed code span: escape its backtick so the rest stays plain text.
            let at = joined.rfind('`').unwrap_or(0);
            joined.insert(at, '\\');
        }
        lines.push(format!("{pad}{joined}"));
    }
    if let Some((c, n)) = fence {
        lines.push(c.to_string().repeat(n));
    }
    lines
}

/// The info string of an opened fence: a plain language name (`json`, `sh`) is kept, since
/// rustdoc runs no such block; anything rustdoc would compile or parse as attributes (nothing,
/// `rust`, `ignore`, `edition2021`, several words) becomes `text`.
fn fence_info(info: &str) -> &str {
    let plain = !info.is_empty()
        && info
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && info.starts_with(|c: char| c.is_ascii_alphabetic());
    let rusty = info == "rust"
        || info.starts_with("edition")
        || matches!(
            info,
            "ignore"
                | "no_run"
                | "should_panic"
                | "compile_fail"
                | "test_harness"
                | "standalone_crate"
        );
    if plain && !rusty { info } else { "text" }
}

/// A fence opening a code block: three or more backticks or tildes.
fn fence_start(line: &str) -> Option<(char, usize)> {
    let c = line.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let n = line.chars().take_while(|&x| x == c).count();
    let info = &line[n..];
    (n >= 3 && !(c == '`' && info.contains('`'))).then_some((c, n))
}

fn escape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for (i, word) in line.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let url_start = word.find("http://").or_else(|| word.find("https://"));
        match url_start {
            Some(start) => {
                let end = word[start..]
                    .find([')', ',', '"', '\'', '`', '>', '<'])
                    .map_or(word.len(), |e| start + e);
                let url = word[start..end].trim_end_matches('.');
                let end = start + url.len();
                out.push_str(&escape_word(&word[..start]));
                out.push('<');
                out.push_str(url);
                out.push('>');
                out.push_str(&escape_word(&word[end..]));
            }
            None => out.push_str(&escape_word(word)),
        }
    }
    out
}

fn escape_word(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if matches!(c, '[' | ']' | '<' | '>' | '\\' | '&') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `#[doc]` attributes: the description (or a placeholder), then each note as its own paragraph.
pub fn doc_attrs(description: Option<&str>, notes: &[String]) -> TokenStream {
    let mut lines = match description {
        Some(text) if !text.trim().is_empty() => doc_lines(text),
        _ => vec!["(The document gives no description.)".to_owned()],
    };
    for note in notes {
        lines.push(String::new());
        lines.push(note.clone());
    }
    let lines = lines.into_iter().map(|line| {
        if line.is_empty() {
            line
        } else {
            format!(" {line}")
        }
    });
    quote!(#(#[doc = #lines])*)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            doc_lines("  See http://x.example/a.  List<link> [1] `a<b>`\n    indented"),
            vec![
                "See <http://x.example/a>.  List\\<link\\> \\[1\\] `a<b>`",
                "   indented"
            ]
        );
    }

    #[test]
    fn fences_never_become_doctests() {
        let text = "Run:\r\n```\nlet x = [1];\n    y\n```\nor\r```rust,ignore\nz\n~~~~\n```json\n{\"a\": 1}\n```\n```";
        assert_eq!(
            doc_lines(text),
            vec![
                "Run:",
                "```text",
                "let x = [1];",
                "    y",
                "```",
                "or",
                "```text",
                "z",
                "~~~~",
                "```json",
                "{\"a\": 1}",
                "```",
                "```text",
                "```"
            ]
        );
    }

    #[test]
    fn markup_is_kept_as_text() {
        assert_eq!(
            doc_lines("a */ b <b>bold</b> &amp; `open <x>\rnext"),
            vec!["a */ b \\<b\\>bold\\</b\\> \\&amp; \\`open \\<x\\>", "next"]
        );
    }
}
