//! Hand-written checks of what the generated zoo code does with the shapes the generated tests
//! only touch: repeated query parameters (built, read from `name=value` pairs, carried by a next
//! link), an object-or-string property, and a success status whose body may be left out.

use backup_runtime::{ApiError, Endpoint, Outcome, Paginated, RawResponse};
use codegen_fixtures::zoo_endpoints::{
    FeedAnimal, FeedAnimalOutput, GetAnimal, GetAnimalOutput, ListAnimals, ListAnimalsByOffset,
    models,
};

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

#[test]
fn repeated_params_from_pairs_keep_every_value_in_order() {
    let endpoint = ListAnimalsByOffset::from_params(
        &pairs(&[
            ("tenant_id", "t"),
            ("kind", "dog"),
            ("limit", "1"),
            ("id", "7"),
            ("kind", "OS::Nova::Server"),
            ("kind", "lynx"),
            ("id", "8"),
            ("limit", "5"),
        ]),
        None,
    )
    .expect("valid parameters");
    assert_eq!(
        endpoint.query(),
        vec![
            ("limit", "5".to_owned()),
            ("kind", "dog".to_owned()),
            ("kind", "OS::Nova::Server".to_owned()),
            ("kind", "lynx".to_owned()),
            ("id", "7".to_owned()),
            ("id", "8".to_owned()),
        ]
    );
    assert_eq!(
        endpoint.kind(),
        [
            models::Kind::Dog,
            models::Kind::OsNovaServer,
            models::Kind::Other("lynx".to_owned())
        ]
    );
    let bad = ListAnimalsByOffset::from_params(
        &pairs(&[("tenant_id", "t"), ("id", "7"), ("id", "x")]),
        None,
    )
    .expect_err("`x` is no integer");
    assert!(
        bad.to_string().contains("`x` is not a 64-bit integer"),
        "{bad}"
    );
}

#[test]
fn repeated_params_from_the_builder() {
    let endpoint = ListAnimalsByOffset::builder()
        .tenant_id("t")
        .extend_kind(["cat", "dog"])
        .kind(models::Kind::Cat)
        .extend_id(1..=3)
        .build()
        .expect("built");
    let query: Vec<String> = endpoint
        .query()
        .into_iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    assert_eq!(query.join("&"), "kind=cat&kind=dog&kind=cat&id=1&id=2&id=3");
    let none = ListAnimalsByOffset::builder()
        .tenant_id("t")
        .build()
        .expect("built");
    assert!(none.kind().is_empty() && none.query().is_empty());
}

#[test]
fn a_next_link_replaces_the_repeated_values_it_names_and_keeps_the_others() {
    let first = ListAnimals::builder()
        .tenant_id("t")
        .tag("a")
        .tag("b")
        .build()
        .expect("built");
    let page = |href: &str| {
        let body =
            serde_json::json!({"animals": [], "animals_links": [{"href": href, "rel": "next"}]});
        first
            .parse_response(RawResponse {
                status: 200,
                headers: Vec::new(),
                body: body.to_string().into_bytes(),
            })
            .expect("a page")
    };
    let next = first
        .next_page(&page(
            "https://zoo.example/v1/t/animals?marker=m1&tag=x&tag=y%20z",
        ))
        .expect("a next page");
    assert_eq!(next.tag(), ["x", "y z"]);
    assert_eq!(next.marker().map(String::as_str), Some("m1"));
    let kept = first
        .next_page(&page("https://zoo.example/v1/t/animals?marker=m2"))
        .expect("a next page");
    assert_eq!(kept.tag(), ["a", "b"]);
}

#[test]
fn an_object_or_a_string_is_kept_as_sent() {
    let get = GetAnimal::builder()
        .tenant_id("t")
        .animal_id("a")
        .build()
        .expect("built");
    let read = |habitat: &str| {
        let text = format!(
            r#"{{"id": "a", "born_at": "2020-01-01T00:00:00Z", "note": null, "habitat": {habitat}}}"#
        );
        get.parse_response(RawResponse {
            status: 200,
            headers: Vec::new(),
            body: text.into_bytes(),
        })
    };
    let habitat = |outcome: GetAnimalOutput| {
        let GetAnimalOutput::Ok(animal) = outcome else {
            panic!("a 200 outcome");
        };
        animal.body.habitat.clone()
    };
    let object =
        habitat(read(r#"{"zone": "z", "parent": "p", "climate": "dry"}"#).expect("object"));
    let object = object.value().and_then(|h| h.object()).expect("an object");
    assert_eq!(object.zone.as_deref(), Some("z"));
    assert_eq!(object.parent.as_deref().and_then(|p| p.as_str()), Some("p"));
    assert_eq!(object.extra["climate"], "dry");
    let nested = habitat(read(r#"{"parent": {"parent": {}}}"#).expect("nested objects"));
    let inner = nested
        .value()
        .and_then(|h| h.object())
        .and_then(|h| h.parent.as_deref());
    assert!(inner.and_then(|p| p.object()).is_some(), "{nested:?}");
    let text = habitat(read(r#""{\"zone\": 1}""#).expect("a string"));
    assert_eq!(
        text.value().and_then(|h| h.as_str()),
        Some(r#"{"zone": 1}"#)
    );
    assert!(habitat(read("null").expect("null")).is_null());
    for bad in ["7", "[]", r#"{"zone": 7}"#] {
        match read(bad) {
            Err(ApiError::Parse { .. }) => {}
            other => panic!("{bad}: expected a parse error, got {other:?}"),
        }
    }
}

#[test]
fn an_optional_body_is_none_when_left_out() {
    let feed = FeedAnimal::builder()
        .tenant_id("t")
        .animal_id("a")
        .build()
        .expect("built");
    let read = |body: &[u8]| {
        feed.parse_response(RawResponse {
            status: 202,
            headers: Vec::new(),
            body: body.to_vec(),
        })
    };
    let FeedAnimalOutput::Accepted(empty) = read(b"").expect("no body") else {
        panic!("a 202 outcome");
    };
    assert_eq!(empty.body, None);
    let sent = read(br#"{"job_id": "j-1"}"#).expect("a body");
    assert!(sent.has_body());
    let FeedAnimalOutput::Accepted(sent) = sent else {
        panic!("a 202 outcome");
    };
    assert_eq!(sent.body.and_then(|t| t.job_id), Some("j-1".to_owned()));
    assert!(matches!(read(b"{"), Err(ApiError::Parse { .. })));
}

/// Models are `#[non_exhaustive]`: other crates build them with `new` (the required fields) and
/// the chainable `with_*` methods (the optional ones), and get the JSON a server would send.
#[test]
fn models_are_built_with_new_and_with_methods() {
    use backup_runtime::{Nullable, Timestamp};

    let parent = models::Animal::new("p-1", Timestamp::new("2024-01-02T03:04:05Z"), None);
    let mut animal = models::Animal::new(
        "a-1",
        Timestamp::new("2024-05-06T07:08:09Z"),
        Some("calm".to_owned()),
    )
    .with_kind("lynx")
    .with_weight(7)
    .with_type_("cat")
    .with_parent(parent.clone())
    .with_children(vec![parent]);
    animal.ratio = Some(0.5);
    let json = serde_json::to_value(&animal).expect("serializes");
    assert_eq!(
        json,
        serde_json::json!({
            "id": "a-1",
            "born_at": "2024-05-06T07:08:09Z",
            "note": "calm",
            "kind": "lynx",
            "weight": 7,
            "type": "cat",
            "ratio": 0.5,
            "children": [{"id": "p-1", "born_at": "2024-01-02T03:04:05Z", "note": null}],
            "parent": {"id": "p-1", "born_at": "2024-01-02T03:04:05Z", "note": null},
        })
    );
    let read: models::Animal = serde_json::from_value(json).expect("parses");
    assert_eq!(read, animal);
    assert_eq!(read.kind, Some(models::Kind::Other("lynx".to_owned())));

    // Nothing optional is set by `new`; an object without a required field is also `Default`.
    let bare = models::Animal::new("a-2", Timestamp::new("t"), None);
    assert_eq!(
        (bare.weight, bare.kind, bare.extra.len()),
        (Nullable::Absent, None, 0)
    );
    assert_eq!(models::Habitat::new(), models::Habitat::default());
    assert_eq!(
        serde_json::to_string(&models::Habitat::new().with_zone("z")).expect("serializes"),
        r#"{"zone":"z"}"#
    );
}
