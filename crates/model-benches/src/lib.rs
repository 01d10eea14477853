//! Inputs for the model benchmarks (`cargo bench -p model-benches`): deterministic, realistic
//! response bodies, and plain *lossy* structs to compare the generated lossless models with.
//!
//! - [`vbs_v2_list_body`] writes a VBS v2 `listBackupsDetail` response with any number of
//!   backups; [`cbr_show_body`] a CBR v3 `showBackup` response with any number of children.
//!   The same arguments always give the same text. Fields vary the way the documented examples
//!   do: `null`s, missing optional fields, `service_metadata` on some backups, two links each,
//!   the odd field the spec does not name.
//! - [`lossy`] holds `#[derive(Deserialize, Serialize)]` structs with the same fields: timestamps
//!   and enums as `String`, `Option<T>` for anything missing or `null`, no unknown-field capture.
//!   They parse the same bodies but do not write them back as sent.
//!
//! ```
//! use model_benches::{cbr_show_body, lossy, vbs_v2_list_body};
//!
//! let vbs = vbs_v2_list_body(3);
//! assert_eq!(vbs, vbs_v2_list_body(3));
//! let parsed: lossy::VbsV2List = serde_json::from_str(&vbs)?;
//! assert_eq!(parsed.len(), 3);
//!
//! let cbr: lossy::CbrShow = serde_json::from_str(&cbr_show_body(5))?;
//! assert_eq!(cbr.children_len(), 5);
//! # Ok::<(), serde_json::Error>(())
//! ```

#![deny(missing_docs)]

use serde_json::{Value, json};

pub mod lossy;

/// A small deterministic generator (SplitMix64), so bodies need no `rand` and never change.
#[derive(Debug)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// True one time in `n`.
    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let len = u64::try_from(items.len()).expect("a short list");
        let index = usize::try_from(self.below(len)).expect("below the length");
        items[index]
    }

    fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xffff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }

    fn hex32(&mut self) -> String {
        format!("{:016x}{:016x}", self.next(), self.next())
    }

    /// A naive timestamp with microseconds, as VBS and CBR write them:
    /// `2019-05-10T07:59:59.450700`.
    fn naive_time(&mut self) -> String {
        format!(
            "{}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}",
            2013 + self.below(10),
            1 + self.below(12),
            1 + self.below(28),
            self.below(24),
            self.below(60),
            self.below(60),
            self.below(1_000_000)
        )
    }
}

const VBS_HOST: &str = "http://192.168.82.222:8776";
const VBS_TENANT: &str = "b23b579f08c84228b9b4673c46f0c442";

/// A VBS v2 `listBackupsDetail` response body (compact JSON) with `backups` backups and a
/// `next` link.
///
/// Every backup has the keys Cinder's backup view always writes and two links; as Cinder sets
/// them, `fail_reason` is `null` unless the backup failed, and `container`,
/// `availability_zone`, `object_count`, `updated_at` and `snapshot_id` are `null` while it is
/// being created; `description` and `name` are `null` or a value; about half carry
/// `os-bak-tenant-attr:tenant_id` and a third `service_metadata` (the documented embedded-JSON
/// string, padded with spaces, `progress` as a string); one in ten has a field the spec does not
/// name.
pub fn vbs_v2_list_body(backups: usize) -> String {
    let mut rng = Rng(0x5eed_0002);
    let items: Vec<Value> = (0..backups).map(|_| vbs_v2_backup(&mut rng)).collect();
    let last = items
        .last()
        .and_then(|b| b["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    json!({
        "backups": items,
        "backups_links": [{
            "href": format!("{VBS_HOST}/{VBS_TENANT}/backups?limit={backups}&offset={backups}&marker={last}"),
            "rel": "next"
        }]
    })
    .to_string()
}

/// `backups` VBS v2 backups as `listBackupsDetail` lists them (see [`vbs_v2_list_body`]), from
/// the generator seeded with `seed`, on `volumes` volumes (`vol-<seed>-<n>`, in turn).
pub fn vbs_v2_backups(seed: u64, backups: usize, volumes: usize) -> Vec<Value> {
    let mut rng = Rng(seed);
    (0..backups)
        .map(|n| {
            let mut backup = vbs_v2_backup(&mut rng);
            backup["volume_id"] = json!(format!("vol-{seed}-{}", n % volumes.max(1)));
            backup
        })
        .collect()
}

fn vbs_v2_backup(rng: &mut Rng) -> Value {
    let id = rng.uuid();
    let status = rng.pick(&[
        "available",
        "available",
        "available",
        "available",
        "error",
        "creating",
        "deleting",
        "restoring",
    ]);
    // What Cinder's backup view writes: `fail_reason` only once a backup failed, `container`,
    // `availability_zone`, `object_count`, `updated_at` and `snapshot_id` null while it is
    // being created.
    let creating = status == "creating";
    let or_null = |set: bool, value: Value| if set { value } else { Value::Null };
    let mut backup = json!({
        "status": status,
        "description": if rng.one_in(3) { json!(format!("backup of volume {}", rng.below(100))) } else { Value::Null },
        "links": [
            {"href": format!("{VBS_HOST}/v2/{VBS_TENANT}/backups/{id}"), "rel": "self"},
            {"href": format!("{VBS_HOST}/{VBS_TENANT}/backups/{id}"), "rel": "bookmark"}
        ],
        "availability_zone": or_null(!creating, json!(rng.pick(&["eu-de-01", "eu-de-02", "az1.dc1"]))),
        "volume_id": rng.uuid(),
        "fail_reason": or_null(status == "error", json!("Connection to swift failed: [Errno 111] ECONNREFUSED")),
        "id": id,
        "size": 1 + rng.below(2048),
        "object_count": or_null(!creating, json!(rng.below(5000))),
        "container": or_null(!creating, json!("volumebackups")),
        "name": if rng.one_in(2) { json!(format!("autobk_{:04x}_vol-{}", rng.below(0x10000), rng.below(1000))) } else { Value::Null },
        "created_at": rng.naive_time(),
        "updated_at": or_null(!creating, json!(rng.naive_time())),
        "data_timestamp": rng.naive_time(),
        "snapshot_id": or_null(!creating && rng.one_in(4), json!(rng.uuid())),
        "has_dependent_backups": rng.one_in(4),
        "is_incremental": rng.one_in(2),
    });
    let fields = backup.as_object_mut().expect("an object");
    if rng.one_in(2) {
        fields.insert("os-bak-tenant-attr:tenant_id".into(), json!(VBS_TENANT));
    }
    if rng.one_in(3) {
        let mut meta = format!(
            " {{\"bootable\": {}, \"backupurl\": \"{}\", \"BackupSize\": {}, \"progress\": \"{}\", \"snap_id\": \"{}\", \"Type\": {}",
            rng.one_in(4),
            rng.uuid(),
            rng.below(40_960),
            rng.below(101),
            rng.hex32(),
            rng.below(2)
        );
        if rng.one_in(2) {
            meta.push_str(&format!(
                ", \"DL\": {}, \"ST\": 0, \"CS\": {}, \"AT\": {}.{}, \"ebk_T_I\": \"job-{}\"",
                rng.below(4),
                rng.below(100_000),
                rng.below(500),
                rng.below(10),
                rng.below(1_000_000)
            ));
        }
        meta.push_str("} ");
        fields.insert("service_metadata".into(), json!(meta));
    }
    if rng.one_in(10) {
        fields.insert("os-backup-attr:encrypted".into(), json!(rng.one_in(2)));
    }
    backup
}

const CBR_PROJECT: &str = "4229d7a45436489f8c3dc2b1d35d4987";

/// A CBR v3 `showBackup` response body (compact JSON): a server backup with `children` disk
/// backups.
///
/// Children vary the way the documented example does: `description`, `resource_az`,
/// `expired_at`, `protected_at` and `updated_at` are `null` or a value; `extend_info` mixes
/// `null`s and values, and some list `os_images_data`; `children` is `[]` or missing; some carry
/// `incremental` or `enterprise_project_id`; one child in ten has a field the spec does not
/// name.
pub fn cbr_show_body(children: usize) -> String {
    let mut rng = Rng(0x5eed_0003);
    let parent_id = rng.uuid();
    let vault_id = rng.uuid();
    let provider_id = rng.uuid();
    let checkpoint_id = rng.uuid();
    let items: Vec<Value> = (0..children)
        .map(|_| {
            cbr_child(
                &mut rng,
                &parent_id,
                &vault_id,
                &provider_id,
                &checkpoint_id,
            )
        })
        .collect();
    json!({
        "backup": {
            "provider_id": provider_id,
            "checkpoint_id": checkpoint_id,
            "enterprise_project_id": "0",
            "updated_at": null,
            "vault_id": vault_id,
            "id": parent_id,
            "resource_az": "az1.dc1",
            "image_type": "backup",
            "resource_id": rng.uuid(),
            "resource_size": 40 * children.max(1),
            "children": items,
            "parent_id": null,
            "extend_info": {
                "auto_trigger": true,
                "supported_restore_mode": "backup",
                "os_images_data": null,
                "contain_system_disk": true,
                "snapshot_id": null,
                "bootable": null,
                "progress": null,
                "support_lld": true
            },
            "project_id": CBR_PROJECT,
            "status": "available",
            "resource_name": "ecs-1f0f-0002",
            "description": "backup_description",
            "expired_at": null,
            "name": "backup_name",
            "created_at": rng.naive_time(),
            "protected_at": null,
            "resource_type": "OS::Nova::Server"
        }
    })
    .to_string()
}

fn cbr_child(
    rng: &mut Rng,
    parent_id: &str,
    vault_id: &str,
    provider_id: &str,
    checkpoint_id: &str,
) -> Value {
    let maybe_time = |rng: &mut Rng| {
        if rng.one_in(3) {
            json!(rng.naive_time())
        } else {
            Value::Null
        }
    };
    let mut extend_info = json!({
        "auto_trigger": rng.one_in(2),
        "supported_restore_mode": if rng.one_in(2) { json!(rng.pick(&["na", "backup", "snapshot"])) } else { Value::Null },
        "os_images_data": if rng.one_in(5) { json!([{"image_id": rng.uuid()}]) } else { Value::Null },
        "snapshot_id": rng.uuid(),
        "bootable": rng.one_in(4),
        "progress": if rng.one_in(4) { json!(rng.below(101)) } else { Value::Null },
        "support_lld": if rng.one_in(2) { json!(rng.one_in(2)) } else { Value::Null },
    });
    if rng.one_in(2) {
        extend_info["encrypted"] = json!(rng.one_in(2));
    }
    let mut child = json!({
        "provider_id": provider_id,
        "checkpoint_id": checkpoint_id,
        "updated_at": maybe_time(rng),
        "vault_id": vault_id,
        "id": rng.uuid(),
        "resource_az": if rng.one_in(2) { json!("az1.dc1") } else { Value::Null },
        "image_type": rng.pick(&["backup", "backup", "backup", "replication"]),
        "resource_id": rng.uuid(),
        "resource_size": 10 + rng.below(1000),
        "parent_id": parent_id,
        "extend_info": extend_info,
        "project_id": CBR_PROJECT,
        "status": rng.pick(&["available", "available", "available", "protecting", "error", "waiting_restore"]),
        "resource_name": format!("ecs-{:04x}-{:04}", rng.below(0x10000), rng.below(10_000)),
        "description": if rng.one_in(3) { json!("disk backup") } else { Value::Null },
        "expired_at": maybe_time(rng),
        "name": format!("autobk_{:04x}_ecs-{:04x}", rng.below(0x10000), rng.below(0x10000)),
        "created_at": rng.naive_time(),
        "protected_at": maybe_time(rng),
        "resource_type": "OS::Cinder::Volume",
    });
    let fields = child.as_object_mut().expect("an object");
    if !rng.one_in(4) {
        fields.insert("children".into(), json!([]));
    }
    if rng.one_in(2) {
        fields.insert("incremental".into(), json!(rng.one_in(2)));
    }
    if rng.one_in(10) {
        fields.insert("enterprise_project_id".into(), json!("0"));
    }
    if rng.one_in(10) {
        fields.insert(
            "vault_name".into(),
            json!(format!("vault-{:04x}", rng.below(0x10000))),
        );
    }
    child
}
