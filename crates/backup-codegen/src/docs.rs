//! Turns the specs' prose into doc comments that rustdoc renders as written and never warns about.

use proc_macro2::TokenStream;
use quote::quote;

/// The lines of `text` as Markdown that rustdoc takes literally: outside code spans, brackets and
/// angle brackets are escaped (no accidental links or HTML tags) and bare URLs are wrapped in
/// `<...>`; indentation is kept up to three spaces (list continuations stay in their item; four
/// would start a code block, which rustdoc would compile as a doctest).
pub fn doc_lines(text: &str) -> Vec<String> {
    text.trim()
        .lines()
        .map(|line| {
            let body = line.trim_start();
            let indent = (line.len() - body.len()).min(3);
            let escaped: Vec<String> = body
                .trim_end()
                .split('`')
                .enumerate()
                .map(|(i, part)| {
                    if i % 2 == 0 {
                        escape(part)
                    } else {
                        part.to_owned()
                    }
                })
                .collect();
            format!("{}{}", " ".repeat(indent), escaped.join("`"))
        })
        .collect()
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
        if matches!(c, '[' | ']' | '<' | '>' | '\\') {
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
}
