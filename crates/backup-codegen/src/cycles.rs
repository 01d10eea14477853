//! Cycles of by-value fields, solved once on the schema graph: a struct that holds another by
//! value (a required or optional field, not inside an array; also as the object of an
//! object-or-string) has an edge to it. A depth-first search in name order boxes every edge that
//! closes a cycle (a back edge), which leaves the by-value graph acyclic, so every struct has a
//! finite size. Emitters read [`Field::boxed`].
//!
//! Alias cycles (schemas that are neither objects nor enums) are refused earlier, by
//! [`crate::validate`].
//!
//! [`Field::boxed`]: crate::ir::Field::boxed

use std::collections::BTreeMap;

use crate::ir::{Api, TypeDef, TypeRef};

/// Sets [`crate::ir::Field::boxed`] on one field of every cycle of by-value fields.
pub fn box_cycles(api: &mut Api) {
    // Edges: (owner, field index) -> target, for fields holding an object by value.
    let mut edges: BTreeMap<&str, Vec<(usize, &str)>> = BTreeMap::new();
    for def in api.types.values() {
        let TypeDef::Object(object) = def else {
            continue;
        };
        let out = object
            .fields
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                // An object sent as an object or as a string holds the object by value too.
                let held = match &f.ty {
                    TypeRef::ObjectOrString(inner) => inner.as_ref(),
                    other => other,
                };
                match held {
                    TypeRef::Named(target)
                        if matches!(api.types.get(target), Some(TypeDef::Object(_))) =>
                    {
                        Some((i, target.as_str()))
                    }
                    _ => None,
                }
            })
            .collect();
        edges.insert(&object.name, out);
    }
    let mut boxed: Vec<(String, usize)> = Vec::new();
    // 0 = unseen, 1 = on the stack, 2 = done.
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    for start in edges.keys() {
        if state.contains_key(start) {
            continue;
        }
        state.insert(start, 1);
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        while let Some((node, next)) = stack.last_mut() {
            let node = *node;
            match edges[node].get(*next) {
                Some(&(field, target)) => {
                    *next += 1;
                    match state.get(target) {
                        Some(1) => boxed.push((node.to_owned(), field)),
                        Some(_) => {}
                        None => {
                            state.insert(target, 1);
                            stack.push((target, 0));
                        }
                    }
                }
                None => {
                    state.insert(node, 2);
                    stack.pop();
                }
            }
        }
    }
    for (owner, field) in boxed {
        if let Some(TypeDef::Object(object)) = api.types.get_mut(&owner) {
            object.fields[field].boxed = true;
        }
    }
}
