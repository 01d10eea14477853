//! Rust names for wire names: snake_case fields, UpperCamelCase types and variants, never a keyword.

use std::collections::BTreeMap;

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Strict and reserved keywords of Rust 2024 that cannot be field names.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// `os-backup-project-attr:project_id` -> `os_backup_project_attr_project_id`; `Type` -> `type_`;
/// a trailing `~` (Cinder's "like" filters, `name~`) -> `_like`, so it does not clash with `name`.
pub fn field_name(wire: &str) -> String {
    let like;
    let wire = match wire.strip_suffix('~') {
        Some(stem) => {
            like = format!("{stem} like");
            like.as_str()
        }
        None => wire,
    };
    let cleaned: String = wire
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let mut name = cleaned.to_snake_case();
    if name.is_empty() {
        name.push_str("field");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// `OS::Nova::Server` -> `OsNovaServer`; `completed_with_errors` -> `CompletedWithErrors`.
pub fn variant_name(wire: &str) -> String {
    let cleaned: String = wire
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let mut name = cleaned.to_upper_camel_case();
    if name.is_empty() {
        name.push_str("Empty");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    name
}

/// `showBackup` -> `ShowBackup`.
pub fn type_name(id: &str) -> String {
    variant_name(id)
}

/// A schema name must already be a Rust type name, so that it is the same in both places.
pub fn check_type_name(name: &str) -> Result<(), String> {
    let ok = name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(format!("schema name `{name}` must be UpperCamelCase ASCII"))
    }
}

/// Fails when two wire names map to the same Rust name.
pub fn check_unique<'a>(
    pairs: impl Iterator<Item = (&'a String, &'a String)>,
) -> Result<(), String> {
    let mut seen: BTreeMap<&String, &String> = BTreeMap::new();
    for (wire, rust) in pairs {
        if let Some(first) = seen.insert(rust, wire) {
            return Err(format!(
                "`{first}` and `{wire}` both become the Rust name `{rust}`: rename one of them"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            field_name("os-backup-project-attr:project_id"),
            "os_backup_project_attr_project_id"
        );
        assert_eq!(field_name("ebk_T_I"), "ebk_t_i");
        assert_eq!(field_name("BackupSize"), "backup_size");
        assert_eq!(field_name("Type"), "type_");
        assert_eq!(field_name("DL"), "dl");
        assert_eq!(field_name("name~"), "name_like");
        assert_eq!(field_name("volume_id~"), "volume_id_like");
        assert_eq!(variant_name("OS::Nova::Server"), "OsNovaServer");
        assert_eq!(variant_name("completed_with_errors"), "CompletedWithErrors");
        assert_eq!(type_name("listBackupsDetail"), "ListBackupsDetail");
    }
}
