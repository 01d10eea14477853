//! The output-safety layer: what every output of `status`, `check` and `call` passes text
//! from servers through before printing it.
//!
//! Three steps, always in this order (each later step would hide what the earlier one looks
//! for):
//!
//! 1. **Redact** ([`Redactor`]): every known secret (the account's token, its cloud's
//!    password, keys and secrets, the session's current token) is replaced, also in text the
//!    server sent back (an error body that echoes the request), also JSON- or URL-escaped.
//! 2. **Cut** ([`cut`]): a long text keeps its start and ends with a visible marker,
//!    `…(cut, N more bytes)`, the whole at most [`LIMIT`] bytes.
//! 3. **Escape**, per format, so that no server text can start a line, move the cursor, change
//!    colours or reorder what a terminal shows: control characters (C0, DEL, C1), the Unicode
//!    line and paragraph separators (U+2028, U+2029) and the bidirectional controls (U+061C,
//!    U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) become `\n`, `\r`, `\t` or `\u{1b}`:
//!    - [`text`]: one line of a table or one server text in a line;
//!    - [`message`]: a message line on stderr (longer, [`MESSAGE_LIMIT`]);
//!    - [`check_line`]: a line of `check` output (also `|`, which would start perfdata);
//!    - [`perfdata_label`]: a quoted perfdata label (also `'` and `=`);
//!    - [`csv_field`]: a CSV field, then quoted per RFC 4180;
//!    - [`label_value`]: a metric label value, then escaped per OpenMetrics (`\\`, `\"`,
//!      `\n`; the same in Prometheus' classic text format);
//!    - [`json`]: serialized JSON, where `serde_json` already escapes C0 but leaves DEL, C1,
//!      the separators and bidi controls raw: they become `\uXXXX` escapes, the same value;
//!    - [`block`]: a multi-line text (a response body), lines kept, the rest escaped.
//!
//! ```
//! use backup_status::safe::{self, Redactor};
//!
//! let mut secrets = Redactor::new();
//! secrets.add("tok-secret");
//! let body = secrets.redact("bad token tok-secret\n\x1b[31mCRITICAL: fake line");
//! assert_eq!(safe::text(&body), r"bad token [redacted]\n\u{1b}[31mCRITICAL: fake line");
//! assert_eq!(safe::csv_field("a,\"b\"\r\nc"), r#""a,""b""\r\nc""#);
//! assert_eq!(safe::label_value("x\"\\\ny"), r#"x\"\\\ny"#);
//! assert_eq!(safe::perfdata_label("a'b=c"), "a_b_c");
//! let long = safe::text(&"x".repeat(10_000));
//! assert!(long.len() <= safe::LIMIT && long.ends_with("…(cut, 9514 more bytes)"), "{long}");
//! ```

use std::borrow::Cow;
use std::fmt;
use std::fmt::Write as _;

/// The most bytes of one server text printed in one place (a name, an id, a status, a message),
/// marker included.
pub const LIMIT: usize = 512;

/// The most bytes of a multi-line server text printed at once ([`block`]: a response body).
pub const BLOCK_LIMIT: usize = 64 * 1024;

/// The most bytes of one message line on stderr ([`message`]), which may quote server text.
pub const MESSAGE_LIMIT: usize = 4 * 1024;

/// What a secret is replaced by, unless [`Redactor::with_marker`] says otherwise.
pub const REDACTED: &str = "[redacted]";

/// The secrets known to a run, and their replacement.
///
/// Its `Debug` shows how many there are, never what they are.
#[derive(Clone, PartialEq, Eq)]
pub struct Redactor {
    /// Every form of every secret, longest first (so a secret inside another goes with it).
    forms: Vec<String>,
    marker: &'static str,
}

impl Default for Redactor {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("forms", &self.forms.len())
            .field("marker", &self.marker)
            .finish()
    }
}

impl Redactor {
    /// No secrets yet; they are replaced by [`REDACTED`].
    pub const fn new() -> Self {
        Self::with_marker(REDACTED)
    }

    /// No secrets yet; they are replaced by `marker`.
    pub const fn with_marker(marker: &'static str) -> Self {
        Self {
            forms: Vec::new(),
            marker,
        }
    }

    /// Adds a secret: its text, and how it looks JSON-escaped (also with `\/`) and
    /// percent-encoded, as a server that echoes a request may write it. An empty secret is
    /// ignored.
    pub fn add(&mut self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        let json = serde_json::to_string(secret).unwrap_or_default();
        let json = json
            .strip_prefix('"')
            .and_then(|json| json.strip_suffix('"'))
            .unwrap_or(secret)
            .to_owned();
        let forms = [
            secret.to_owned(),
            json.replace('/', "\\/"),
            json,
            percent_encode(secret),
        ];
        for form in forms {
            if !self.forms.contains(&form) {
                self.forms.push(form);
            }
        }
        self.forms
            .sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    }

    /// Adds every secret of `secrets`.
    pub fn extend<S: AsRef<str>>(&mut self, secrets: impl IntoIterator<Item = S>) {
        for secret in secrets {
            self.add(secret.as_ref());
        }
    }

    /// Whether no secret is known.
    pub fn is_empty(&self) -> bool {
        self.forms.is_empty()
    }

    /// `text` with every known secret replaced.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut text = Cow::Borrowed(text);
        for form in &self.forms {
            if text.contains(form.as_str()) {
                text = Cow::Owned(text.replace(form.as_str(), self.marker));
            }
        }
        text
    }

    /// Whether `text` holds a known secret.
    pub fn finds(&self, text: &str) -> bool {
        self.forms.iter().any(|form| text.contains(form.as_str()))
    }
}

/// `text` percent-encoded as a query string would carry it (unreserved characters kept).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// `text`, or when it is longer than `limit` bytes its start and the marker
/// `…(cut, N more bytes)`, the whole at most `limit` bytes (cut on a character boundary).
/// Cutting a cut text again with the same limit changes nothing.
pub fn cut(text: &str, limit: usize) -> Cow<'_, str> {
    if text.len() <= limit {
        return Cow::Borrowed(text);
    }
    // The marker is longest when the most bytes are left out: reserve that much.
    let longest = marker(text.len()).len();
    let mut end = limit.saturating_sub(longest);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}{}", &text[..end], marker(text.len() - end)))
}

fn marker(more: usize) -> String {
    format!("…(cut, {more} more bytes)")
}

/// Whether `c` must not reach an output raw: C0 (newlines and tabs included), DEL, C1, the
/// line and paragraph separators, and the bidirectional controls.
pub const fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{2028}' | '\u{2029}'
        | '\u{61c}' | '\u{200e}' | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}')
}

/// Writes the visible escape of an unsafe character: `\n`, `\r`, `\t` or `\u{1b}`.
fn push_escape(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        _ => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// `text` with every character `escape` picks replaced by what it writes.
fn escape_with<'a>(
    text: &'a str,
    picks: impl Fn(char) -> bool,
    escape: impl Fn(&mut String, char),
) -> Cow<'a, str> {
    if !text.chars().any(&picks) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if picks(c) {
            escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One line of text for a table cell, a message or a check line: cut to [`LIMIT`], every
/// unsafe character ([`is_unsafe`]) escaped (`\n`, `\r`, `\t`, `\u{1b}`, `\u{202e}`).
pub fn text(text: &str) -> String {
    escape_with(&cut(text, LIMIT), is_unsafe, push_escape).into_owned()
}

/// [`text`] with the whole of `line` escaped but not cut (for a line built from parts that
/// were cut already, or from a message of ours).
pub fn line(line: &str) -> Cow<'_, str> {
    escape_with(line, is_unsafe, push_escape)
}

/// A message line for stderr: cut to [`MESSAGE_LIMIT`], every unsafe character escaped.
pub fn message(text: &str) -> String {
    escape_with(&cut(text, MESSAGE_LIMIT), is_unsafe, push_escape).into_owned()
}

/// A line of `check` output: [`line()`], and `|` as `\u{7c}` (after a `|`, a monitoring agent
/// reads performance data).
pub fn check_line(line: &str) -> String {
    escape_with(line, |c| is_unsafe(c) || c == '|', push_escape).into_owned()
}

/// A perfdata label (written between single quotes): [`text`], and `'`, `=` and `|` as `_`
/// (Nagios' plugin guidelines allow neither `'` nor `=` in a label, and parsers differ on
/// doubled quotes).
pub fn perfdata_label(label: &str) -> String {
    text(label).replace(['\'', '=', '|'], "_")
}

/// A CSV field: [`text`] (so no line break is left, not even a quoted one), then quoted per
/// RFC 4180 when it has a comma, a double quote or a leading or trailing space.
pub fn csv_field(field: &str) -> String {
    let field = text(field);
    if field.contains([',', '"']) || field.starts_with(' ') || field.ends_with(' ') {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

/// A metric label value, for OpenMetrics and the classic text format alike: cut to [`LIMIT`],
/// every unsafe character but the newline written as its visible escape (`\r` → the two
/// characters `\r`), then escaped as both formats say: `\` → `\\`, `"` → `\"`, newline → `\n`.
pub fn label_value(value: &str) -> String {
    let visible = escape_with(
        &cut(value, LIMIT),
        |c| c != '\n' && is_unsafe(c),
        push_escape,
    )
    .into_owned();
    let mut out = String::with_capacity(visible.len());
    for c in visible.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out
}

/// Serialized JSON (compact or pretty) with DEL, C1, the separators and the bidi controls
/// written as `\uXXXX`: the same JSON value (outside strings JSON has only ASCII, so every such
/// character is in a string). `serde_json` escapes C0 in strings itself, so the C0 characters
/// left are the whitespace between tokens, and stay.
pub fn json(serialized: &str) -> Cow<'_, str> {
    escape_with(
        serialized,
        |c| c > '\u{1f}' && is_unsafe(c),
        |out, c| {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        },
    )
}

/// A multi-line server text (a response body): cut to [`BLOCK_LIMIT`], lines kept (`\r\n`
/// read as a line break), tabs kept, every other unsafe character escaped.
pub fn block(text: &str) -> String {
    let text = cut(text, BLOCK_LIMIT);
    let text = text.replace("\r\n", "\n");
    escape_with(
        &text,
        |c| c != '\n' && c != '\t' && is_unsafe(c),
        push_escape,
    )
    .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "gAAAAABk/tok+en=";

    /// Hostile strings from a server, each with what must never reach any output raw.
    fn hostile() -> Vec<String> {
        vec![
            "vol\nCRITICAL: injected".to_owned(),
            "vol\r\nOK: injected".to_owned(),
            "carriage\rreturn".to_owned(),
            "\x1b[31mred\x1b[0m".to_owned(),
            "a,b \"quoted\" back\\slash".to_owned(),
            "del\x7f c1\u{85} ls\u{2028} ps\u{2029} rlo\u{202e}txt lri\u{2066}".to_owned(),
            "nul\0bell\x07".to_owned(),
            "x".repeat(10_000),
            format!("echo {TOKEN} back"),
        ]
    }

    fn assert_clean(format: &str, original: &str, out: &str) {
        assert!(
            !out.chars().any(is_unsafe),
            "{format}: an unsafe character is left in {out:?} (from {original:?})"
        );
        let limit = if format == "message" {
            MESSAGE_LIMIT
        } else {
            2 * LIMIT
        };
        assert!(out.len() <= limit, "{format}: not cut: {} bytes", out.len());
    }

    #[test]
    fn one_line_formats_escape_every_unsafe_character() {
        for original in hostile() {
            assert_clean("text", &original, &text(&original));
            assert_clean("message", &original, &message(&original));
            assert_clean("check", &original, &check_line(&text(&original)));
            assert_clean("perfdata", &original, &perfdata_label(&original));
            assert_clean("csv", &original, &csv_field(&original));
            assert_clean("label", &original, &label_value(&original));
        }
        assert_eq!(text("vol\nCRITICAL: x"), r"vol\nCRITICAL: x");
        assert_eq!(text("a\r\x1b[31mb"), r"a\r\u{1b}[31mb");
        assert_eq!(text("rlo\u{202e}x\u{2028}"), r"rlo\u{202e}x\u{2028}");
        assert_eq!(text("\u{85}\u{7f}\0"), r"\u{85}\u{7f}\u{0}");
        assert_eq!(check_line("a|b"), r"a\u{7c}b");
        // Text that needs nothing is untouched (and not copied).
        assert!(matches!(line("plain ünïcode 名前"), Cow::Borrowed(_)));
    }

    #[test]
    fn csv_fields_are_quoted_per_rfc_4180_and_keep_no_line_break() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field(" padded"), "\" padded\"");
        assert_eq!(csv_field("back\\slash"), "back\\slash");
        // Quoting alone would keep the line break: it is escaped instead.
        assert_eq!(csv_field("two\nlines"), r"two\nlines");
        assert_eq!(csv_field("a,\r\nb"), r#""a,\r\nb""#);
        assert_eq!(csv_field("\x1b[31m"), r"\u{1b}[31m");
    }

    #[test]
    fn label_values_are_escaped_per_openmetrics() {
        assert_eq!(label_value(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(label_value("two\nlines"), r"two\nlines");
        // Other control characters become visible text, whose backslash is escaped.
        assert_eq!(label_value("cr\rx"), r"cr\\rx");
        assert_eq!(label_value("\x1b[31m"), r"\\u{1b}[31m");
        assert_eq!(label_value("a,b 'c'"), "a,b 'c'");
    }

    #[test]
    fn perfdata_labels_never_break_on_quotes_or_equals() {
        assert_eq!(perfdata_label("acct/vol'1=2"), "acct/vol_1_2");
        assert_eq!(perfdata_label("a b|c"), "a b_c");
        assert_eq!(perfdata_label("a\nb"), r"a\nb");
    }

    #[test]
    fn json_keeps_the_value_and_escapes_what_serde_json_leaves_raw() {
        let value = serde_json::json!({"name": "a\u{7f}\u{85}\u{2028}\u{202e}\n\x1b", "ok": "ü"});
        let serialized = serde_json::to_string(&value).unwrap();
        let safe = json(&serialized);
        assert!(!safe.chars().any(is_unsafe), "{safe}");
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let safe_pretty = json(&pretty);
        assert!(
            !safe_pretty.chars().any(|c| c != '\n' && is_unsafe(c)),
            "{safe_pretty}"
        );
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&safe_pretty).unwrap(),
            value
        );
        assert!(safe.contains(r"\u007f\u0085\u2028\u202e"), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn blocks_keep_lines_and_escape_the_rest() {
        assert_eq!(block("a\r\nb\n\tc\x1b[2J\rd"), "a\nb\n\tc\\u{1b}[2J\\rd");
        let long = block(&"y\n".repeat(50_000));
        assert!(long.len() <= BLOCK_LIMIT, "{}", long.len());
        assert!(long.ends_with("more bytes)"));
    }

    #[test]
    fn long_text_is_cut_with_a_marker_on_a_char_boundary() {
        let message = "é".repeat(5_000);
        let shown = text(&message);
        assert!(shown.len() <= LIMIT, "{}", shown.len());
        let kept = shown.split('…').next().unwrap().len();
        assert!(shown.ends_with(&format!("…(cut, {} more bytes)", 10_000 - kept)));
        assert_eq!(cut(&shown, LIMIT), shown, "cutting twice changes nothing");
        assert_eq!(cut("short", LIMIT), "short");
        assert_eq!(cut("exactly", 7), "exactly");
    }

    #[test]
    fn every_form_of_a_secret_is_redacted() {
        let mut secrets = Redactor::new();
        secrets.extend(["", TOKEN, "pw"]);
        for echoed in [
            format!("token {TOKEN} rejected"),
            format!(r#"{{"token": "{}"}}"#, TOKEN.replace('/', "\\/")),
            "GET /x?token=gAAAAABk%2Ftok%2Ben%3D".to_owned(),
            "the pw is pw".to_owned(),
        ] {
            let redacted = secrets.redact(&echoed);
            assert!(secrets.finds(&echoed));
            assert!(
                !redacted.contains("tok+en")
                    && !redacted.contains("tok%2B")
                    && !redacted.contains("pw"),
                "{redacted}"
            );
            assert!(redacted.contains("[redacted]"), "{redacted}");
        }
        assert_eq!(secrets.redact("nothing here"), "nothing here");
        assert!(!format!("{secrets:?}").contains("tok"), "{secrets:?}");
        let mut call = Redactor::with_marker("<redacted>");
        call.add("s3cret");
        assert_eq!(call.redact("echo s3cret"), "echo <redacted>");
        assert!(Redactor::new().is_empty());
    }

    #[test]
    fn a_body_that_echoes_the_token_prints_no_token_in_any_format() {
        let mut secrets = Redactor::new();
        secrets.add(TOKEN);
        let body = format!(
            "{{\"error\": \"bad token {TOKEN}\"}}\n{}",
            "z".repeat(10_000)
        );
        let redacted = secrets.redact(&body);
        for out in [
            text(&redacted),
            csv_field(&redacted),
            label_value(&redacted),
            perfdata_label(&redacted),
            block(&redacted),
        ] {
            assert!(!out.contains(TOKEN) && out.contains("[redacted]"), "{out}");
        }
    }
}
