//! Huawei AK/SK request signing (`SDK-HMAC-SHA256`), as the official SDKs do by default.
//!
//! SKELETON: filled in by the signing work; signatures are the contract.

use super::Secret;

/// The signing algorithm's name, first word of the `Authorization` header.
pub const SIGNING_ALGORITHM: &str = "SDK-HMAC-SHA256";

/// A Huawei access key and secret key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AkSk {
    /// The access key id (AK): not a secret, it names the key.
    pub access_key: String,
    /// The secret key (SK).
    pub secret_key: Secret,
    /// Sent (and signed) as `X-Project-Id` when set.
    pub project_id: Option<String>,
    /// A temporary credential's security token, sent (and signed) as `X-Security-Token`.
    pub security_token: Option<Secret>,
}

impl AkSk {
    /// Signs a request that is about to be sent exactly so: adds `X-Sdk-Date` (from `now`),
    /// `X-Project-Id` and `X-Security-Token` when set, then `Authorization` over the method,
    /// the URL's path and query as they are in `url`, every header in `headers` (names with
    /// `_` excepted, as the SDKs do) and the SHA-256 of `body`.
    pub fn sign(
        &self,
        method: &str,
        url: &str,
        headers: &mut Vec<(String, String)>,
        body: &[u8],
        now: jiff::Timestamp,
    ) {
        let _ = (method, url, headers, body, now);
        unimplemented!("signing skeleton")
    }
}
