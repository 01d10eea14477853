//! The benchmark bodies are what the benchmarks claim: every contender parses them, and the
//! generated models write them back exactly.

use backup_runtime::registry::BodyKind;
use model_benches::{cbr_show_body, lossy, vbs_v2_list_body};
use serde_json::Value;

#[test]
fn bodies_are_deterministic() {
    assert_eq!(vbs_v2_list_body(50), vbs_v2_list_body(50));
    assert_eq!(cbr_show_body(50), cbr_show_body(50));
    // Fewer items give a prefix of the same items.
    let small: Value = serde_json::from_str(&vbs_v2_list_body(10)).expect("JSON");
    let large: Value = serde_json::from_str(&vbs_v2_list_body(20)).expect("JSON");
    assert_eq!(small["backups"][9], large["backups"][9]);
}

#[test]
fn vbs_v2_body_parses_everywhere_and_round_trips_exactly() {
    let text = vbs_v2_list_body(10_000);
    let value: Value = serde_json::from_str(&text).expect("JSON");
    let backups = value["backups"].as_array().expect("backups");
    assert_eq!(backups.len(), 10_000);
    // The body varies the way the benchmark says it does.
    let count = |f: &dyn Fn(&Value) -> bool| backups.iter().filter(|b| f(b)).count();
    assert!(count(&|b| b.get("service_metadata").is_some()) > 2_000);
    assert!(count(&|b| b["name"].is_null()) > 2_000);
    assert!(count(&|b| b.get("updated_at").is_some()) > 1_000);
    assert!(count(&|b| b.get("os-backup-attr:encrypted").is_some()) > 500);
    assert!(
        backups
            .iter()
            .all(|b| b["links"].as_array().map(Vec::len) == Some(2))
    );

    let lossy: lossy::VbsV2List = serde_json::from_str(&text).expect("lossy parses");
    assert_eq!(lossy.len(), 10_000);

    let model: vbs_v2_models::ListBackupsDetailResponse =
        serde_json::from_str(&text).expect("model parses");
    assert_eq!(model.backups.len(), 10_000);
    assert_eq!(serde_json::to_value(&model).expect("serializes"), value);
    let trip = vbs_v2_models::roundtrip("listBackupsDetail", BodyKind::Response(200), &text)
        .expect("documented")
        .expect("parses");
    assert_eq!(trip.differences(), Vec::<String>::new());
    // Writing is a fixed point: what the model writes, it reads and writes again identically.
    let written = serde_json::to_string(&model).expect("serializes");
    let again: vbs_v2_models::ListBackupsDetailResponse =
        serde_json::from_str(&written).expect("parses");
    assert_eq!(again, model);
    assert_eq!(serde_json::to_string(&again).expect("serializes"), written);
    // Every embedded service_metadata document reads.
    for backup in &model.backups {
        if let Some(meta) = backup.service_metadata_json() {
            let meta = meta.expect("embedded JSON");
            assert!(meta.progress.as_ref().and_then(|p| p.get()).is_some());
        }
    }
}

#[test]
fn cbr_body_parses_everywhere_and_round_trips_exactly() {
    let text = cbr_show_body(1_000);
    let value: Value = serde_json::from_str(&text).expect("JSON");
    let children = value["backup"]["children"].as_array().expect("children");
    assert_eq!(children.len(), 1_000);
    assert!(children.iter().any(|c| c.get("children").is_none()));
    assert!(
        children
            .iter()
            .any(|c| c["extend_info"]["os_images_data"].is_array())
    );

    let lossy: lossy::CbrShow = serde_json::from_str(&text).expect("lossy parses");
    assert_eq!(lossy.children_len(), 1_000);

    let model: cbr_v3_models::ShowBackupResponse =
        serde_json::from_str(&text).expect("model parses");
    let children = model.backup.children.as_deref().expect("children");
    assert_eq!(children.len(), 1_000);
    assert!(children.iter().any(|c| !c.extra.is_empty()));
    assert_eq!(serde_json::to_value(&model).expect("serializes"), value);
    let trip = cbr_v3_models::roundtrip("showBackup", BodyKind::Response(200), &text)
        .expect("documented")
        .expect("parses");
    assert_eq!(trip.differences(), Vec::<String>::new());
    let written = serde_json::to_string(&model).expect("serializes");
    let again: cbr_v3_models::ShowBackupResponse = serde_json::from_str(&written).expect("parses");
    assert_eq!(serde_json::to_string(&again).expect("serializes"), written);
}
