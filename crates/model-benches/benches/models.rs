//! Parse (`serde_json::from_str`) and serialize (`serde_json::to_string`) the same bodies with
//! the generated lossless models, `serde_json::Value`, and plain lossy structs.
//!
//! Inputs: a VBS v2 `listBackupsDetail` body with 10,000 backups and a CBR v3 `showBackup`
//! body with 1,000 children, from [`model_benches`]. Run with `cargo bench -p model-benches`.

use std::sync::LazyLock;

use divan::{Bencher, black_box};
use model_benches::{cbr_show_body, lossy, vbs_v2_list_body};
use serde::Serialize;
use serde::de::DeserializeOwned;

fn main() {
    divan::main();
}

static VBS_V2: LazyLock<String> = LazyLock::new(|| vbs_v2_list_body(10_000));
static CBR: LazyLock<String> = LazyLock::new(|| cbr_show_body(1_000));

type VbsLossless = vbs_v2_models::ListBackupsDetailResponse;
type CbrLossless = cbr_v3_models::ShowBackupResponse;

fn parse<T: DeserializeOwned>(bencher: Bencher<'_, '_>, text: &str) {
    bencher
        .counter(divan::counter::BytesCount::new(text.len()))
        .bench(|| serde_json::from_str::<T>(black_box(text)).expect("parses"));
}

fn serialize<T: DeserializeOwned + Serialize + Sync>(bencher: Bencher<'_, '_>, text: &str) {
    let parsed: T = serde_json::from_str(text).expect("parses");
    bencher.bench(|| serde_json::to_string(black_box(&parsed)).expect("serializes"));
}

/// VBS v2 `listBackupsDetail`, 10,000 backups.
mod vbs_v2 {
    use super::*;

    #[divan::bench(name = "parse/lossless")]
    fn parse_lossless(bencher: Bencher<'_, '_>) {
        parse::<VbsLossless>(bencher, &VBS_V2);
    }

    #[divan::bench(name = "parse/value")]
    fn parse_value(bencher: Bencher<'_, '_>) {
        parse::<serde_json::Value>(bencher, &VBS_V2);
    }

    #[divan::bench(name = "parse/lossy")]
    fn parse_lossy(bencher: Bencher<'_, '_>) {
        parse::<lossy::VbsV2List>(bencher, &VBS_V2);
    }

    #[divan::bench(name = "serialize/lossless")]
    fn serialize_lossless(bencher: Bencher<'_, '_>) {
        serialize::<VbsLossless>(bencher, &VBS_V2);
    }

    #[divan::bench(name = "serialize/value")]
    fn serialize_value(bencher: Bencher<'_, '_>) {
        serialize::<serde_json::Value>(bencher, &VBS_V2);
    }

    #[divan::bench(name = "serialize/lossy")]
    fn serialize_lossy(bencher: Bencher<'_, '_>) {
        serialize::<lossy::VbsV2List>(bencher, &VBS_V2);
    }
}

/// CBR v3 `showBackup`, 1,000 children.
mod cbr {
    use super::*;

    #[divan::bench(name = "parse/lossless")]
    fn parse_lossless(bencher: Bencher<'_, '_>) {
        parse::<CbrLossless>(bencher, &CBR);
    }

    #[divan::bench(name = "parse/value")]
    fn parse_value(bencher: Bencher<'_, '_>) {
        parse::<serde_json::Value>(bencher, &CBR);
    }

    #[divan::bench(name = "parse/lossy")]
    fn parse_lossy(bencher: Bencher<'_, '_>) {
        parse::<lossy::CbrShow>(bencher, &CBR);
    }

    #[divan::bench(name = "serialize/lossless")]
    fn serialize_lossless(bencher: Bencher<'_, '_>) {
        serialize::<CbrLossless>(bencher, &CBR);
    }

    #[divan::bench(name = "serialize/value")]
    fn serialize_value(bencher: Bencher<'_, '_>) {
        serialize::<serde_json::Value>(bencher, &CBR);
    }

    #[divan::bench(name = "serialize/lossy")]
    fn serialize_lossy(bencher: Bencher<'_, '_>) {
        serialize::<lossy::CbrShow>(bencher, &CBR);
    }
}
