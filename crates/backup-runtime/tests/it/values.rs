//! Lossless value types through serde_json and schemars.

use backup_runtime::{Nullable, NumOrString, ParsedTimestamp, Timestamp, embedded_json};
use serde::{Deserialize, Serialize};

/// Every documented timestamp form, with the instant it names (naive forms read as UTC).
const TIMESTAMPS: &[(&str, &str)] = &[
    ("2014-08-05T18:22:22.238641Z", "2014-08-05T18:22:22.238641Z"),
    ("2013-06-27T08:48:03.000000", "2013-06-27T08:48:03Z"),
    ("2019-05-10T07:59:59.450700", "2019-05-10T07:59:59.4507Z"),
    (
        "2019-05-10T07:59:59.450700+00:00",
        "2019-05-10T07:59:59.4507Z",
    ),
    (
        "2019-05-10T15:59:59.450700+08:00",
        "2019-05-10T07:59:59.4507Z",
    ),
    ("2013-06-27T08:48:03", "2013-06-27T08:48:03Z"),
    ("2013-06-27 08:48:03.000000", "2013-06-27T08:48:03Z"),
    ("2013-06-27 08:48:03+08:00", "2013-06-27T00:48:03Z"),
    ("2013-06-27T08:48:03.5-05:30", "2013-06-27T14:18:03.5Z"),
];

#[test]
fn timestamp_forms_round_trip_byte_exact_and_give_the_instant() {
    for &(text, instant) in TIMESTAMPS {
        let json = format!("{text:?}");
        let timestamp: Timestamp = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_string(&timestamp).unwrap(), json, "{text}");
        assert_eq!(timestamp.as_str(), text);
        assert_eq!(timestamp.to_string(), text);
        let expected: jiff::Timestamp = instant.parse().unwrap();
        assert_eq!(timestamp.to_utc().unwrap(), expected, "{text}");
        let parsed: Timestamp = text.parse().unwrap();
        assert_eq!(parsed, timestamp);
    }
}

#[test]
fn timestamp_keeps_naive_and_zoned_apart() {
    let naive = Timestamp::new("2019-05-10T07:59:59.450700")
        .parse()
        .unwrap();
    assert_eq!(
        naive,
        ParsedTimestamp::Naive(jiff::civil::datetime(2019, 5, 10, 7, 59, 59, 450_700_000))
    );
    let ParsedTimestamp::Zoned(_, offset) = Timestamp::new("2014-08-05T18:22:22Z").parse().unwrap()
    else {
        panic!("Z is a zoned time");
    };
    assert_eq!(offset, jiff::tz::Offset::UTC);
}

#[test]
fn odd_timestamp_text_still_deserializes_and_round_trips() {
    for text in ["", "N/A", "2013-13-45T99:99:99", "1718000000"] {
        let json = serde_json::to_string(text).unwrap();
        let timestamp: Timestamp = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_string(&timestamp).unwrap(), json);
        let err = timestamp.to_utc().unwrap_err();
        assert_eq!(err.text(), text);
        assert!(err.to_string().contains(&format!("{text:?}")), "{err}");
        assert!(text.parse::<Timestamp>().is_err());
    }
}

#[cfg(feature = "schemars")]
#[test]
fn timestamp_schema_is_a_described_string() {
    let schema = serde_json::to_value(schemars::schema_for!(Timestamp)).unwrap();
    assert_eq!(schema["type"], "string");
    assert!(
        schema["description"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
}

/// A model struct the way the generator writes one.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Volume {
    id: String,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    description: Nullable<String>,
    #[serde(default, skip_serializing_if = "Nullable::is_absent")]
    size: Nullable<u64>,
}

#[test]
fn nullable_keeps_absent_null_and_value_apart() {
    let cases = [
        (r#"{"id":"v"}"#, Nullable::Absent),
        (r#"{"id":"v","description":null}"#, Nullable::Null),
        (
            r#"{"id":"v","description":"disk"}"#,
            Nullable::Value("disk".to_owned()),
        ),
    ];
    for (json, description) in cases {
        let volume: Volume = serde_json::from_str(json).unwrap();
        assert_eq!(volume.description, description, "{json}");
        assert!(volume.size.is_absent());
        assert_eq!(serde_json::to_string(&volume).unwrap(), json);
    }
    let err = serde_json::from_str::<Volume>(r#"{"id":"v","size":"big"}"#).unwrap_err();
    assert!(err.to_string().contains("invalid type"), "{err}");
}

#[test]
fn nullable_conversions() {
    assert_eq!(Nullable::from(Some(1)), Nullable::Value(1));
    assert_eq!(Nullable::<i32>::from(None), Nullable::Null);
    assert_eq!(Nullable::from(2).value(), Some(&2));
}

#[cfg(feature = "schemars")]
#[test]
fn nullable_schema_is_like_option() {
    let nullable = serde_json::to_value(schemars::schema_for!(Nullable<String>)).unwrap();
    let option = serde_json::to_value(schemars::schema_for!(Option<String>)).unwrap();
    assert_eq!(nullable, option);
}

#[test]
fn num_or_string_round_trips_exactly() {
    for json in [r#""0""#, "0", r#"" 12 ""#, r#""n/a""#] {
        let value: NumOrString<i64> = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&value).unwrap(), json);
    }
    for json in ["1.5", "0.1", "-3", r#""1.5""#, "1e300"] {
        let value: NumOrString<f64> = serde_json::from_str(json).unwrap();
        let back = serde_json::to_string(&value).unwrap();
        let reread: NumOrString<f64> = serde_json::from_str(&back).unwrap();
        assert_eq!(reread, value, "{json}");
    }
    assert_eq!(
        serde_json::to_string(&serde_json::from_str::<NumOrString<f64>>("1.5").unwrap()).unwrap(),
        "1.5"
    );
    let string: NumOrString<i64> = serde_json::from_str(r#""0""#).unwrap();
    let number: NumOrString<i64> = serde_json::from_str("0").unwrap();
    assert_eq!(string, NumOrString::String("0".to_owned()));
    assert_eq!(number, NumOrString::Number(0));
    assert_eq!((string.get(), number.get()), (Some(0), Some(0)));
    let fraction: NumOrString<f32> = serde_json::from_str("1.5").unwrap();
    assert_eq!(fraction.get(), Some(1.5));
}

#[test]
fn num_or_string_rejects_what_fits_neither() {
    for json in ["null", "true", "[1]", "-1"] {
        assert!(
            serde_json::from_str::<NumOrString<u64>>(json).is_err(),
            "{json}"
        );
    }
    assert!(serde_json::from_str::<NumOrString<i32>>("4294967296").is_err());
}

#[derive(Debug, Deserialize)]
struct Meta {
    vols: Vec<Vol>,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)] // Only deserialized.
struct Vol {
    size: u64,
}

#[test]
fn embedded_json_tolerates_padding_and_names_the_path() {
    let meta: Meta = embedded_json("  {\"vols\": [{\"size\": 1}]}\n ").unwrap();
    assert_eq!(meta.vols.len(), 1);
    let err = embedded_json::<Meta>(r#"{"vols": [{"size": 1}, {"size": "x"}]}"#).unwrap_err();
    assert_eq!(err.path(), "vols[1].size");
    assert_eq!((err.line(), err.column() > 0), (1, true));
    assert!(err.to_string().contains("vols[1].size"), "{err}");
    let err = embedded_json::<Meta>("{\"vols\": [").unwrap_err();
    assert!(err.message().contains("EOF"), "{err}");
}
