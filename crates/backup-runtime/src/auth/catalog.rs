//! The service catalog of a token, and choosing an endpoint from it as keystoneauth does.
//!
//! Sources (collected in the project's `shared/reference/auth.md`, sections 1.2, 1.4 and 4):
//!
//! * Keystone v3 catalog entries `{"type","name","endpoints":[{"interface","region",
//!   "region_id","url","id"}]}`: keystone `api-ref/source/v3/samples/auth/responses/
//!   project-scoped-password.json`; Huawei and OTC IAM: hw-go
//!   `services/iam/v3/model/model_token_catalog_endpoint.go`.
//! * Rackspace v2.0 `serviceCatalog` entries `{"name","type","endpoints":[{"region",
//!   "tenantId","publicURL","internalURL"}]}`: rackerlabs/docs-cloud-backup
//!   `common-gs/samples/service-catalog-endpoint.rst`; normalized as keystoneauth
//!   `ServiceCatalogV2._normalize_endpoints` does (each `*URL` key is one endpoint).
//! * Choosing: keystoneauth `keystoneauth1/access/service_catalog.py` (`get_endpoints_data`,
//!   `_endpoints_by_type`, `_get_endpoint_region`, `ServiceCatalogV3.normalize_interface`,
//!   `endpoint_data_for`); the aliases come from os-service-types
//!   `os_service_types/data/service-types.json` and are the caller's to give.

use std::fmt;

use serde_json::{Map, Value};

/// A token's service catalog (Keystone v3 `token.catalog`, Rackspace `access.serviceCatalog`
/// normalized to the v3 shape).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    /// The services, in catalog order.
    pub services: Vec<CatalogService>,
}

/// One service of a [`Catalog`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogService {
    /// e.g. `block-storage`, `volumev3`, `cbr`, `rax:backup`.
    pub service_type: String,
    /// e.g. `cinderv3`, `cloudBackup`.
    pub name: Option<String>,
    /// Its endpoints, in catalog order.
    pub endpoints: Vec<CatalogEndpoint>,
}

/// One endpoint of a [`CatalogService`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEndpoint {
    /// `public`, `internal` or `admin` (Rackspace's `publicURL` is `public`).
    pub interface: String,
    /// `region` (Rackspace: `region`; none for a global endpoint).
    pub region: Option<String>,
    /// `region_id`, when given.
    pub region_id: Option<String>,
    /// The URL, path prefix included, e.g. `https://host/volume/v3/<project_id>`.
    pub url: String,
}

/// Which endpoint to pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointFilter<'a> {
    /// The service type asked for, then its aliases (os-service-types order): an exact match of
    /// the first wins over the aliases, and earlier aliases over later ones.
    pub service_types: &'a [&'a str],
    /// The region (matched against `region_id`, then `region`); `None` matches every region.
    pub region: Option<&'a str>,
    /// The interface, e.g. `public` (a trailing `URL` is ignored: `publicURL`).
    pub interface: &'a str,
}

/// No endpoint fits: says what was asked and what the catalog has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    /// The explanation.
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CatalogError {}

impl Catalog {
    /// Reads Keystone v3's `token.catalog` array.
    ///
    /// Entries that are not objects or have no `type`, and endpoints without an `interface` or
    /// with an empty `url`, are skipped (keystoneauth skips services without a type and
    /// endpoints with an empty URL). Anything but an array is an empty catalog.
    pub fn from_keystone(catalog: &Value) -> Self {
        Self::read(catalog, keystone_endpoints)
    }

    /// Reads Rackspace v2.0's `access.serviceCatalog` array (`publicURL`, `internalURL` and
    /// `adminURL` become interfaces).
    ///
    /// Each `*URL` key of an endpoint becomes one [`CatalogEndpoint`] with the interface
    /// `public`, `internal`, `admin` (the key without `URL`), in that order, then any other
    /// `*URL` key by name (keystoneauth `ServiceCatalogV2._normalize_endpoints`). An endpoint
    /// without `region` is global (`region: None`); v2.0 has no `region_id`.
    pub fn from_rackspace(catalog: &Value) -> Self {
        Self::read(catalog, rackspace_endpoints)
    }

    /// The services of a catalog array, each endpoint read by `endpoints`.
    fn read(
        catalog: &Value,
        endpoints: fn(&Map<String, Value>, &mut Vec<CatalogEndpoint>),
    ) -> Self {
        let Some(entries) = catalog.as_array() else {
            return Self::default();
        };
        let services = entries
            .iter()
            .filter_map(|entry| {
                let entry = entry.as_object()?;
                let service_type = text(entry.get("type"))?;
                let mut found = Vec::new();
                for endpoint in entry
                    .get("endpoints")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(endpoint) = endpoint.as_object() {
                        endpoints(endpoint, &mut found);
                    }
                }
                Some(CatalogService {
                    service_type,
                    name: text(entry.get("name")),
                    endpoints: found,
                })
            })
            .collect();
        Self { services }
    }

    /// The endpoint keystoneauth would choose.
    ///
    /// As keystoneauth's `get_endpoints_data` and `_endpoints_by_type` do:
    ///
    /// * an endpoint matches when its interface equals `filter.interface`, both without a
    ///   trailing `URL` (`publicURL` is `public`; an empty `filter.interface` matches every
    ///   interface), its URL is not empty, and, when `filter.region` is set, its region equals
    ///   it, the region being `region_id`, or `region` when there is no `region_id`
    ///   ([`CatalogEndpoint::region_name`], keystoneauth `_get_endpoint_region`). So an
    ///   endpoint without any region (a global one) matches only when no region is asked, as
    ///   in keystoneauth;
    /// * among services whose type is one of `filter.service_types`, the first type that has a
    ///   matching endpoint wins: the exact (first) type over the aliases, an earlier alias over
    ///   a later one; filters apply first, so a type registered without an endpoint in that
    ///   region does not hide an alias that has one;
    /// * within that type, the first matching endpoint in catalog order
    ///   (`endpoint_data_for`).
    ///
    /// # Errors
    ///
    /// No service of the types has an endpoint of that interface in that region. The message
    /// names the types, region and interface asked, and what the catalog has for those types
    /// (type, interface, region), or that it has no such type (listing the types it has).
    pub fn endpoint(&self, filter: &EndpointFilter<'_>) -> Result<&CatalogEndpoint, CatalogError> {
        let interface = normalize_interface(filter.interface);
        for wanted in filter.service_types {
            let found = self
                .services
                .iter()
                .filter(|service| service.service_type == *wanted)
                .flat_map(|service| &service.endpoints)
                .find(|endpoint| {
                    !endpoint.url.is_empty()
                        && (interface.is_empty()
                            || normalize_interface(&endpoint.interface) == interface)
                        && filter
                            .region
                            .is_none_or(|region| endpoint.region_name() == Some(region))
                });
            if let Some(endpoint) = found {
                return Ok(endpoint);
            }
        }
        Err(self.not_found(filter))
    }

    /// Why [`Catalog::endpoint`] found nothing.
    fn not_found(&self, filter: &EndpointFilter<'_>) -> CatalogError {
        let interface = match normalize_interface(filter.interface) {
            "" => "any",
            interface => interface,
        };
        let types = match filter.service_types {
            [] => "(none given)".to_owned(),
            [only] => (*only).to_owned(),
            [first, aliases @ ..] => format!("{first} (or its aliases {})", aliases.join(", ")),
        };
        let region = match filter.region {
            Some(region) => format!("in region {region}"),
            None => "in any region".to_owned(),
        };
        let asked = format!("no {interface} endpoint of service type {types} {region}");
        if self.services.is_empty() {
            return CatalogError {
                message: format!(
                    "{asked}: the service catalog is empty (an unscoped token has none: scope \
                     the login to a project)"
                ),
            };
        }
        let services: Vec<&CatalogService> = self
            .services
            .iter()
            .filter(|service| {
                filter
                    .service_types
                    .contains(&service.service_type.as_str())
            })
            .collect();
        let message = if services.is_empty() {
            let mut present: Vec<&str> = Vec::new();
            for service in &self.services {
                if !present.contains(&service.service_type.as_str()) {
                    present.push(&service.service_type);
                }
            }
            format!(
                "{asked}: the service catalog has no such service type (it has: {})",
                present.join(", ")
            )
        } else {
            let mut offered: Vec<String> = Vec::new();
            for service in services {
                for endpoint in &service.endpoints {
                    let entry = format!(
                        "{} {} {}",
                        service.service_type,
                        endpoint.interface,
                        endpoint.region_name().unwrap_or("(no region)")
                    );
                    if !offered.contains(&entry) {
                        offered.push(entry);
                    }
                }
            }
            if offered.is_empty() {
                format!("{asked}: the catalog lists these types without any endpoint")
            } else {
                format!(
                    "{asked}: the catalog has for these types (type interface region): {}",
                    offered.join(", ")
                )
            }
        };
        CatalogError { message }
    }
}

impl CatalogEndpoint {
    /// The endpoint's region as keystoneauth compares it: `region_id`, or `region` when there
    /// is no `region_id` (keystoneauth `_get_endpoint_region`); `None` for a global endpoint.
    pub fn region_name(&self) -> Option<&str> {
        self.region_id.as_deref().or(self.region.as_deref())
    }
}

/// An interface without a trailing `URL` (keystoneauth `ServiceCatalogV3.normalize_interface`):
/// `publicURL` is `public`.
fn normalize_interface(interface: &str) -> &str {
    let interface = interface.trim();
    interface.strip_suffix("URL").unwrap_or(interface)
}

/// A non-empty string field.
fn text(value: Option<&Value>) -> Option<String> {
    let text = value?.as_str()?.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// A Keystone v3 endpoint, unless it has no interface or no URL.
fn keystone_endpoints(endpoint: &Map<String, Value>, found: &mut Vec<CatalogEndpoint>) {
    if let (Some(interface), Some(url)) =
        (text(endpoint.get("interface")), text(endpoint.get("url")))
    {
        found.push(CatalogEndpoint {
            interface,
            region: text(endpoint.get("region")),
            region_id: text(endpoint.get("region_id")),
            url,
        });
    }
}

/// One endpoint per non-empty `*URL` key of a Rackspace v2.0 endpoint: `publicURL`,
/// `internalURL`, `adminURL`, then the others by name.
fn rackspace_endpoints(endpoint: &Map<String, Value>, found: &mut Vec<CatalogEndpoint>) {
    const KNOWN: [&str; 3] = ["publicURL", "internalURL", "adminURL"];
    let region = text(endpoint.get("region"));
    let mut others: Vec<&str> = endpoint
        .keys()
        .map(String::as_str)
        .filter(|key| key.ends_with("URL") && key.len() > 3 && !KNOWN.contains(key))
        .collect();
    others.sort_unstable();
    for key in KNOWN.into_iter().chain(others) {
        if let Some(url) = text(endpoint.get(key)) {
            found.push(CatalogEndpoint {
                interface: normalize_interface(key).to_owned(),
                region: region.clone(),
                region_id: None,
                url,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const BLOCK_STORAGE: &[&str] = &[
        "block-storage",
        "volumev3",
        "volumev2",
        "volume",
        "block-store",
    ];

    fn filter<'a>(
        service_types: &'a [&'a str],
        region: Option<&'a str>,
        interface: &'a str,
    ) -> EndpointFilter<'a> {
        EndpointFilter {
            service_types,
            region,
            interface,
        }
    }

    fn url<'c>(catalog: &'c Catalog, filter: &EndpointFilter<'_>) -> &'c str {
        match catalog.endpoint(filter) {
            Ok(endpoint) => &endpoint.url,
            Err(error) => panic!("{error}"),
        }
    }

    fn endpoints(service_type: &str, host: &str) -> Value {
        json!({
            "type": service_type,
            "name": format!("{service_type}-name"),
            "id": "s",
            "endpoints": [
                {"id": "1", "interface": "public", "region": "RegionOne", "region_id": "RegionOne",
                 "url": format!("http://{host}/one/public")},
                {"id": "2", "interface": "internal", "region": "RegionOne", "region_id": "RegionOne",
                 "url": format!("http://{host}/one/internal")},
                {"id": "3", "interface": "admin", "region": "RegionOne", "region_id": "RegionOne",
                 "url": format!("http://{host}/one/admin")},
                {"id": "4", "interface": "public", "region": "RegionTwo", "region_id": "RegionTwo",
                 "url": format!("http://{host}/two/public")}
            ]
        })
    }

    #[test]
    fn reads_keystone_and_skips_what_is_malformed() {
        let catalog = Catalog::from_keystone(&json!([
            "not an object",
            {"name": "no type", "endpoints": []},
            {"type": "", "endpoints": []},
            {"type": "identity", "name": "keystone", "id": "i", "endpoints": [
                {"interface": "public", "region": "RegionOne", "region_id": "RegionOne",
                 "url": "http://example.com/identity", "id": "e1"},
                {"interface": "internal", "region": "RegionOne", "url": "", "id": "e2"},
                {"interface": "admin", "region": "RegionOne", "id": "e3"},
                {"region": "RegionOne", "url": "http://example.com/no-interface"},
                42
            ]},
            {"type": "cbr", "endpoints": "nope"},
            {"type": "vbs", "endpoints": [{"interface": "public", "region": null, "region_id": "",
                                           "url": "https://vbs.eu-de.otc.t-systems.com/v2/"}]}
        ]));
        assert_eq!(
            catalog,
            Catalog {
                services: vec![
                    CatalogService {
                        service_type: "identity".to_owned(),
                        name: Some("keystone".to_owned()),
                        endpoints: vec![CatalogEndpoint {
                            interface: "public".to_owned(),
                            region: Some("RegionOne".to_owned()),
                            region_id: Some("RegionOne".to_owned()),
                            url: "http://example.com/identity".to_owned(),
                        }],
                    },
                    CatalogService {
                        service_type: "cbr".to_owned(),
                        name: None,
                        endpoints: vec![],
                    },
                    CatalogService {
                        service_type: "vbs".to_owned(),
                        name: None,
                        endpoints: vec![CatalogEndpoint {
                            interface: "public".to_owned(),
                            region: None,
                            region_id: None,
                            url: "https://vbs.eu-de.otc.t-systems.com/v2/".to_owned(),
                        }],
                    },
                ],
            }
        );
        assert_eq!(
            Catalog::from_keystone(&json!({"catalog": []})),
            Catalog::default()
        );
        assert_eq!(Catalog::from_keystone(&Value::Null), Catalog::default());
    }

    #[test]
    fn alias_aware_match() {
        let catalog = Catalog::from_keystone(&json!([
            endpoints("identity", "keystone"),
            endpoints("volumev3", "cinder")
        ]));
        assert_eq!(
            url(
                &catalog,
                &filter(&["block-storage", "volumev3", "volume"], None, "public")
            ),
            "http://cinder/one/public"
        );
        assert_eq!(
            url(
                &catalog,
                &filter(BLOCK_STORAGE, Some("RegionTwo"), "public")
            ),
            "http://cinder/two/public"
        );
    }

    #[test]
    fn exact_type_wins_then_earlier_alias() {
        let catalog = Catalog::from_keystone(&json!([
            endpoints("volume", "v1"),
            endpoints("volumev2", "v2"),
            endpoints("volumev3", "v3")
        ]));
        assert_eq!(
            url(&catalog, &filter(&["volumev3", "volume"], None, "public")),
            "http://v3/one/public"
        );
        assert_eq!(
            url(&catalog, &filter(&["volume", "volumev3"], None, "public")),
            "http://v1/one/public"
        );
        // No exact match: the first alias in the order given.
        assert_eq!(
            url(&catalog, &filter(BLOCK_STORAGE, None, "public")),
            "http://v3/one/public"
        );
        let with_official = Catalog::from_keystone(&json!([
            endpoints("volumev3", "v3"),
            endpoints("block-storage", "bs")
        ]));
        assert_eq!(
            url(&with_official, &filter(BLOCK_STORAGE, None, "public")),
            "http://bs/one/public"
        );
    }

    #[test]
    fn filters_apply_before_the_type_preference() {
        // volumev3 is only in RegionOne, volumev2 in RegionThree: asking for RegionThree gives
        // volumev2 (keystoneauth `_endpoints_by_type` keeps only types with data).
        let catalog = Catalog::from_keystone(&json!([
            endpoints("volumev3", "v3"),
            {"type": "volumev2", "endpoints": [
                {"interface": "public", "region_id": "RegionThree", "url": "http://v2/three"}
            ]}
        ]));
        assert_eq!(
            url(
                &catalog,
                &filter(BLOCK_STORAGE, Some("RegionThree"), "public")
            ),
            "http://v2/three"
        );
    }

    #[test]
    fn region_by_region_id_then_region() {
        let catalog = Catalog::from_keystone(&json!([
            {"type": "volumev3", "endpoints": [
                {"interface": "public", "region_id": "by-id", "url": "http://by-id"},
                {"interface": "public", "region": "by-region", "url": "http://by-region"},
                {"interface": "public", "region_id": "r-1", "region": "RegionLegacy",
                 "url": "http://both"},
                {"interface": "public", "url": "http://global"}
            ]}
        ]));
        let types = &["volumev3"];
        assert_eq!(
            url(&catalog, &filter(types, Some("by-id"), "public")),
            "http://by-id"
        );
        assert_eq!(
            url(&catalog, &filter(types, Some("by-region"), "public")),
            "http://by-region"
        );
        // region_id wins over region, as keystoneauth `_get_endpoint_region` does.
        assert_eq!(
            url(&catalog, &filter(types, Some("r-1"), "public")),
            "http://both"
        );
        assert!(
            catalog
                .endpoint(&filter(types, Some("RegionLegacy"), "public"))
                .is_err()
        );
        // No region asked: the first endpoint in catalog order, global ones included.
        assert_eq!(
            url(&catalog, &filter(types, None, "public")),
            "http://by-id"
        );
        // A global endpoint does not match when a region is asked (keystoneauth).
        assert!(
            catalog
                .endpoint(&filter(types, Some("Elsewhere"), "public"))
                .is_err()
        );
        let global_only = Catalog::from_keystone(&json!([
            {"type": "volumev3", "endpoints": [{"interface": "public", "url": "http://global"}]}
        ]));
        assert_eq!(
            url(&global_only, &filter(types, None, "public")),
            "http://global"
        );
        assert!(
            global_only
                .endpoint(&filter(types, Some("RegionOne"), "public"))
                .is_err()
        );
    }

    #[test]
    fn interface_without_trailing_url() {
        let catalog = Catalog::from_keystone(&json!([endpoints("volumev3", "cinder")]));
        let types = &["volumev3"];
        assert_eq!(
            url(&catalog, &filter(types, Some("RegionOne"), "publicURL")),
            "http://cinder/one/public"
        );
        assert_eq!(
            url(&catalog, &filter(types, Some("RegionOne"), "internalURL")),
            "http://cinder/one/internal"
        );
        assert_eq!(
            url(&catalog, &filter(types, Some("RegionOne"), "admin")),
            "http://cinder/one/admin"
        );
        assert!(
            catalog
                .endpoint(&filter(types, Some("RegionTwo"), "internal"))
                .is_err()
        );
    }

    #[test]
    fn empty_urls_never_match() {
        let catalog = Catalog {
            services: vec![CatalogService {
                service_type: "volumev3".to_owned(),
                name: None,
                endpoints: vec![
                    CatalogEndpoint {
                        interface: "public".to_owned(),
                        region: Some("RegionOne".to_owned()),
                        region_id: None,
                        url: String::new(),
                    },
                    CatalogEndpoint {
                        interface: "public".to_owned(),
                        region: Some("RegionOne".to_owned()),
                        region_id: None,
                        url: "http://second".to_owned(),
                    },
                ],
            }],
        };
        assert_eq!(
            url(
                &catalog,
                &filter(&["volumev3"], Some("RegionOne"), "public")
            ),
            "http://second"
        );
        let parsed = Catalog::from_keystone(&json!([
            {"type": "volumev3", "endpoints": [
                {"interface": "public", "region": "RegionOne", "url": ""},
                {"interface": "public", "region": "RegionOne", "url": "http://second"}
            ]}
        ]));
        assert_eq!(parsed.services[0].endpoints.len(), 1);
    }

    fn rackspace_catalog() -> Catalog {
        // rackerlabs/docs-cloud-backup common-gs/samples/service-catalog-endpoint.rst, plus a
        // decoy and the v1.0 guide's global endpoint.
        Catalog::from_rackspace(&json!([
            {"name": "cloudServersOpenStack", "type": "compute", "endpoints": [
                {"region": "ORD", "tenantId": "123456",
                 "publicURL": "https://ord.servers.api.rackspacecloud.com/v2/123456"}
            ]},
            {"name": "cloudBackup", "type": "rax:backup", "endpoints": [
                {"publicURL": "https://iad.backup.api.rackspacecloud.com/v2/123456",
                 "region": "IAD", "tenantId": "123456"},
                {"publicURL": "https://dfw.backup.api.rackspacecloud.com/v2/123456",
                 "internalURL": "https://snet-dfw.backup.api.rackspacecloud.com/v2/123456",
                 "region": "DFW", "tenantId": "123456"},
                {"publicURL": "https://ord.backup.api.rackspacecloud.com/v2/123456",
                 "region": "ORD", "tenantId": "123456", "adminURL": ""},
                {"publicURL": "https://backup.api.rackspacecloud.com/v1.0/123456",
                 "tenantId": "123456"}
            ]},
            {"type": "no-endpoints"},
            {"name": "typeless", "endpoints": []}
        ]))
    }

    #[test]
    fn reads_rackspace() {
        let catalog = rackspace_catalog();
        let types: Vec<&str> = catalog
            .services
            .iter()
            .map(|service| service.service_type.as_str())
            .collect();
        assert_eq!(types, ["compute", "rax:backup", "no-endpoints"]);
        let backup = &catalog.services[1];
        assert_eq!(backup.name.as_deref(), Some("cloudBackup"));
        assert_eq!(
            backup.endpoints[1..3],
            [
                CatalogEndpoint {
                    interface: "public".to_owned(),
                    region: Some("DFW".to_owned()),
                    region_id: None,
                    url: "https://dfw.backup.api.rackspacecloud.com/v2/123456".to_owned(),
                },
                CatalogEndpoint {
                    interface: "internal".to_owned(),
                    region: Some("DFW".to_owned()),
                    region_id: None,
                    url: "https://snet-dfw.backup.api.rackspacecloud.com/v2/123456".to_owned(),
                },
            ]
        );
        // Empty adminURL skipped; the global endpoint has no region.
        assert_eq!(backup.endpoints.len(), 5);
        assert_eq!(backup.endpoints[4].region, None);
    }

    #[test]
    fn rackspace_region_choice() {
        let catalog = rackspace_catalog();
        let types = &["rax:backup"];
        assert_eq!(
            url(&catalog, &filter(types, Some("ORD"), "public")),
            "https://ord.backup.api.rackspacecloud.com/v2/123456"
        );
        assert_eq!(
            url(&catalog, &filter(types, Some("DFW"), "publicURL")),
            "https://dfw.backup.api.rackspacecloud.com/v2/123456"
        );
        assert_eq!(
            url(&catalog, &filter(types, Some("DFW"), "internal")),
            "https://snet-dfw.backup.api.rackspacecloud.com/v2/123456"
        );
        assert_eq!(
            url(&catalog, &filter(types, None, "public")),
            "https://iad.backup.api.rackspacecloud.com/v2/123456"
        );
        let error = catalog
            .endpoint(&filter(types, Some("LON"), "public"))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "no public endpoint of service type rax:backup in region LON: the catalog has for \
             these types (type interface region): rax:backup public IAD, rax:backup public DFW, \
             rax:backup internal DFW, rax:backup public ORD, rax:backup public (no region)"
        );
    }

    #[test]
    fn error_texts() {
        let catalog = Catalog::from_keystone(&json!([
            endpoints("identity", "keystone"),
            endpoints("compute", "nova"),
            endpoints("identity", "keystone2"),
            endpoints("volumev3", "cinder")
        ]));
        let error = catalog
            .endpoint(&filter(&["cbr"], Some("eu-de"), "public"))
            .unwrap_err();
        assert_eq!(
            error.message,
            "no public endpoint of service type cbr in region eu-de: the service catalog has \
             no such service type (it has: identity, compute, volumev3)"
        );
        let error = catalog
            .endpoint(&filter(
                &["block-storage", "volumev3", "volume"],
                Some("RegionTwo"),
                "internalURL",
            ))
            .unwrap_err();
        assert_eq!(
            error.message,
            "no internal endpoint of service type block-storage (or its aliases volumev3, \
             volume) in region RegionTwo: the catalog has for these types (type interface \
             region): volumev3 public RegionOne, volumev3 internal RegionOne, volumev3 admin \
             RegionOne, volumev3 public RegionTwo"
        );
        let error = Catalog::default()
            .endpoint(&filter(&["volumev3"], None, "public"))
            .unwrap_err();
        assert!(
            error
                .message
                .starts_with("no public endpoint of service type volumev3 in any region: the service catalog is empty"),
            "{error}"
        );
        let bare = Catalog::from_rackspace(&json!([{"type": "rax:backup", "endpoints": []}]));
        let error = bare
            .endpoint(&filter(&["rax:backup"], None, "public"))
            .unwrap_err();
        assert!(
            error
                .message
                .ends_with("the catalog lists these types without any endpoint")
        );
    }
}
