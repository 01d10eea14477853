//! Huawei AK/SK request signing (`SDK-HMAC-SHA256`), as the official SDKs do by default.
//!
//! Sources (facts collected in the project's `shared/reference/auth.md`, section 3 for the
//! algorithm and its published test vectors, section 8.3 for how the gateway verifies):
//!
//! * Huawei Cloud "API Request Signing Guide" ("Constructing a Standard Request", "Creating a
//!   To-Be-Signed String", "Calculating the Signature", "Adding the Signature to the Request
//!   Header");
//! * hw-go: `huaweicloud/huaweicloud-sdk-go-v3`, `core/auth/signer/signer.go` (`Sign`,
//!   `canonicalRequest`, `CanonicalURI`, `CanonicalQueryString`, `extractSignedHeaders`,
//!   `signStringToSign`, `authHeaderValue`, `escape`/`shouldEscape`), its `signer_test.go`,
//!   and `core/auth/basic_credentials.go` (`X-Project-Id`), `base_credentials.go`
//!   (`X-Security-Token`);
//! * hw-py: `huaweicloud/huaweicloud-sdk-python-v3`,
//!   `huaweicloud-sdk-core/huaweicloudsdkcore/signer/signer.py` (`Signer.sign`) and its
//!   `tests/test_signer.py`.
//!
//! The request is signed as it will be sent: the canonical request is made from the method,
//! the URL's path and query exactly as in the URL string, the headers given and the body bytes.
//! `tests/fakes/aksk_gateway.py` is an independent (Python) verifier of the same algorithm.

use std::fmt::Write as _;

use hmac::{Hmac, KeyInit, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

use super::Secret;

/// The signing algorithm's name, first word of the `Authorization` header.
pub const SIGNING_ALGORITHM: &str = "SDK-HMAC-SHA256";

/// Everything but the unreserved characters `A-Z a-z 0-9 - _ . ~` is percent-encoded, with
/// upper-case hex (hw-go `shouldEscape`/`escape`; hw-py `quote(..., safe='~')`).
const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A Huawei access key and secret key.
///
/// `Debug` never shows the secret key or the security token (both are [`Secret`]s).
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
    /// The header carrying the signing time, always signed (reference 3.1 step 1).
    pub const DATE_HEADER: &'static str = "X-Sdk-Date";
    /// The `strftime` format of [`Self::DATE_HEADER`], in UTC: `20060102T150405Z` (hw-go
    /// layout `20060102T150405Z`, hw-py `%Y%m%dT%H%M%SZ`).
    pub const DATE_FORMAT: &'static str = "%Y%m%dT%H%M%SZ";
    /// The header carrying [`Self::project_id`] (hw-go `basic_credentials.go`
    /// `projectIdInHeader`; hw-py `credentials.py` `BasicCredentials.sign_request`).
    pub const PROJECT_ID_HEADER: &'static str = "X-Project-Id";
    /// The header carrying [`Self::security_token`] (hw-go `base_credentials.go`
    /// `securityTokenInHeader`).
    pub const SECURITY_TOKEN_HEADER: &'static str = "X-Security-Token";

    /// Signs a request that is about to be sent exactly so: adds `X-Sdk-Date` (from `now`),
    /// `X-Project-Id` and `X-Security-Token` when set, then `Authorization` over the method,
    /// the URL's path and query as they are in `url`, every header in `headers` (names with
    /// `_` excepted, as the SDKs do) and the SHA-256 of `body`.
    ///
    /// A header the caller already set is kept rather than added twice: an `X-Sdk-Date` of the
    /// caller's is the signing time (as in both SDKs), an `X-Project-Id` or `X-Security-Token`
    /// of the caller's is signed as it is. The new headers are appended in this order:
    /// `X-Sdk-Date`, `X-Project-Id`, `X-Security-Token`, `Authorization` (each only when
    /// added).
    pub fn sign(
        &self,
        method: &str,
        url: &str,
        headers: &mut Vec<(String, String)>,
        body: &[u8],
        now: jiff::Timestamp,
    ) {
        if find_header(headers, Self::DATE_HEADER).is_none() {
            let date = now.strftime(Self::DATE_FORMAT).to_string();
            headers.push((Self::DATE_HEADER.to_owned(), date));
        }
        if let Some(project_id) = &self.project_id
            && find_header(headers, Self::PROJECT_ID_HEADER).is_none()
        {
            headers.push((Self::PROJECT_ID_HEADER.to_owned(), project_id.clone()));
        }
        if let Some(token) = &self.security_token
            && find_header(headers, Self::SECURITY_TOKEN_HEADER).is_none()
        {
            headers.push((
                Self::SECURITY_TOKEN_HEADER.to_owned(),
                token.expose().to_owned(),
            ));
        }
        let date = find_header(headers, Self::DATE_HEADER)
            .unwrap_or_default()
            .trim()
            .to_owned();
        let authorization = self.authorization(method, url, headers, body, &date);
        headers.push(("Authorization".to_owned(), authorization));
    }

    /// The `Authorization` value for a request whose headers are final, signed at `sdk_date`
    /// (the `X-Sdk-Date` value, `YYYYMMDDTHHMMSSZ`): `SDK-HMAC-SHA256 Access=<AK>,
    /// SignedHeaders=<list>, Signature=<hex>` (Signing Guide "Adding the Signature to the
    /// Request Header"; hw-go `authHeaderValue`).
    ///
    /// Nothing is added to `headers`: `X-Sdk-Date` is signed only if it is among them, as the
    /// gateway requires (reference 8.3 step 2); [`Self::sign`] sees to that.
    ///
    /// ```
    /// use backup_runtime::auth::{AkSk, Secret};
    ///
    /// // hw-go `signer_test.go` `TestSigner_Sign` test1.
    /// let aksk = AkSk {
    ///     access_key: "AccessKey".to_owned(),
    ///     secret_key: Secret::new("SecretKey"),
    ///     project_id: None,
    ///     security_token: None,
    /// };
    /// let headers = [("X-Sdk-Date".to_owned(), "20060102T150405Z".to_owned())];
    /// assert_eq!(
    ///     aksk.authorization("GET", "https://example.huaweicloud.com/path?limit=1", &headers, b"", "20060102T150405Z"),
    ///     "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, \
    ///      Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624",
    /// );
    /// ```
    pub fn authorization(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: &[u8],
        sdk_date: &str,
    ) -> String {
        let canonical = Self::canonical_request(method, url, headers, body);
        let string_to_sign = Self::string_to_sign(&canonical, sdk_date);
        let signature = self.signature(&string_to_sign);
        format!(
            "{SIGNING_ALGORITHM} Access={}, SignedHeaders={}, Signature={signature}",
            self.access_key,
            Self::signed_headers(headers),
        )
    }

    /// The canonical request (reference 3.1 step 2; Signing Guide "Constructing a Standard
    /// Request"; hw-go `canonicalRequest`), six fields joined with `\n`:
    ///
    /// 1. the method, upper case;
    /// 2. the canonical URI: the URL's path split on `/`, each segment percent-decoded then
    ///    encoded (unreserved `A-Za-z0-9-_.~` kept, upper-case hex), re-joined, with `/`
    ///    appended if it does not end with one (hw-py `quote(unquote(seg), safe='~')`);
    /// 3. the canonical query: the URL's query pairs (as they will be sent) decoded as
    ///    `application/x-www-form-urlencoded` (so a `+` is a space, as the verifier's
    ///    `parse_qsl` reads it), sorted by name then value, each `name=value` encoded like a
    ///    segment (space = `%20`, never `+`; an empty value keeps the `=`), joined with `&`;
    /// 4. the canonical headers: `lowercase(name):trim(value)\n` for each signed header in
    ///    sorted order (a name given twice is signed once, its trimmed values joined with
    ///    `,`), so the request has an empty line before the next field;
    /// 5. the signed headers, [`Self::signed_headers`];
    /// 6. the lower-case hex SHA-256 of the exact body bytes (never `UNSIGNED-PAYLOAD`).
    ///
    /// `url` is absolute (`https://host:port/path?query`) or a bare path with its query; a
    /// `#fragment` is not sent and not signed.
    pub fn canonical_request(
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> String {
        let (path, query) = split_url(url);
        let signed = signed_header_names(headers);
        let mut canonical_headers = String::new();
        for name in &signed {
            let values: Vec<&str> = headers
                .iter()
                .filter(|(other, _)| other.eq_ignore_ascii_case(name))
                .map(|(_, value)| value.trim())
                .collect();
            let _ = writeln!(canonical_headers, "{name}:{}", values.join(","));
        }
        [
            method.to_ascii_uppercase(),
            Self::canonical_uri(path),
            Self::canonical_query(query),
            canonical_headers,
            signed.join(";"),
            hex(&Sha256::digest(body)),
        ]
        .join("\n")
    }

    /// The canonical URI of a raw request path (see [`Self::canonical_request`], field 2):
    /// `/v1/a b/` and `/v1/a%20b` are both `/v1/a%20b/`.
    pub fn canonical_uri(path: &str) -> String {
        let mut uri = path
            .split('/')
            .map(|segment| percent_encode_bytes(&percent_decode_str(segment).collect::<Vec<_>>()))
            .collect::<Vec<_>>()
            .join("/");
        if !uri.ends_with('/') {
            uri.push('/');
        }
        uri
    }

    /// The canonical query string of a raw query (without `?`; see
    /// [`Self::canonical_request`], field 3); empty when there is none.
    pub fn canonical_query(query: &str) -> String {
        let mut pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        pairs.sort();
        pairs
            .iter()
            .map(|(name, value)| {
                format!(
                    "{}={}",
                    utf8_percent_encode(name, ESCAPED),
                    utf8_percent_encode(value, ESCAPED)
                )
            })
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The `SignedHeaders` list: the lower-case names of every header but those whose name has
    /// a `_` (hw-go `extractSignedHeaders`, hw-py `_process_signed_headers`) and
    /// `Authorization` (which the signature goes in), sorted, each once, joined with `;`.
    pub fn signed_headers(headers: &[(String, String)]) -> String {
        signed_header_names(headers).join(";")
    }

    /// The string to sign: `SDK-HMAC-SHA256\n<X-Sdk-Date>\n<hex SHA-256 of the canonical
    /// request>` (Signing Guide "Creating a To-Be-Signed String").
    pub fn string_to_sign(canonical_request: &str, sdk_date: &str) -> String {
        format!(
            "{SIGNING_ALGORITHM}\n{sdk_date}\n{}",
            hex(&Sha256::digest(canonical_request.as_bytes()))
        )
    }

    /// The lower-case hex HMAC-SHA256 of `string_to_sign` keyed with the secret key's bytes
    /// as they are, no key derivation (Signing Guide "Calculating the Signature"; hw-go
    /// `signStringToSign`).
    fn signature(&self, string_to_sign: &str) -> String {
        let mut mac =
            <Hmac<Sha256> as KeyInit>::new_from_slice(self.secret_key.expose().as_bytes())
                .expect("HMAC takes a key of any length");
        mac.update(string_to_sign.as_bytes());
        hex(&mac.finalize().into_bytes())
    }
}

/// The value of the first header named `name` (any case).
fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(other, _)| other.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// Lower-case names of the headers to sign, sorted and deduplicated.
fn signed_header_names(headers: &[(String, String)]) -> Vec<String> {
    let mut names: Vec<String> = headers
        .iter()
        .map(|(name, _)| name.to_ascii_lowercase())
        .filter(|name| !name.contains('_') && name != "authorization")
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The path and the query (without `?`) of an absolute URL or of a path with a query, as they
/// are in the string; a fragment is dropped.
fn split_url(url: &str) -> (&str, &str) {
    let url = url.split_once('#').map_or(url, |(before, _)| before);
    let rest = match url.split_once("://") {
        // Past the authority: the path starts at its first `/` (or is empty before `?`).
        Some((_, after_scheme)) => {
            let end = after_scheme.find(['/', '?']).unwrap_or(after_scheme.len());
            &after_scheme[end..]
        }
        None => url,
    };
    rest.split_once('?').unwrap_or((rest, ""))
}

/// `bytes` percent-encoded as in [`ESCAPED`].
fn percent_encode_bytes(bytes: &[u8]) -> String {
    percent_encoding::percent_encode(bytes, ESCAPED).to_string()
}

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    fn aksk(access_key: &str, secret_key: &str) -> AkSk {
        AkSk {
            access_key: access_key.to_owned(),
            secret_key: Secret::new(secret_key),
            project_id: None,
            security_token: None,
        }
    }

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect()
    }

    /// Signs with `sign` (the date is the caller's, so `now` does not matter) and returns the
    /// `Authorization` value, checking it is the last header.
    fn signed(
        signer: &AkSk,
        method: &str,
        url: &str,
        pairs: &[(&str, &str)],
        body: &[u8],
    ) -> (String, Vec<(String, String)>) {
        let mut headers = headers(pairs);
        signer.sign(method, url, &mut headers, body, jiff::Timestamp::UNIX_EPOCH);
        let (name, value) = headers.last().expect("Authorization").clone();
        assert_eq!(name, "Authorization");
        (value, headers)
    }

    fn sha256_hex(text: &str) -> String {
        hex(&Sha256::digest(text.as_bytes()))
    }

    /// Reference 3.2 A: hw-go `core/auth/signer/signer_test.go` `TestSigner_Sign` test1.
    #[test]
    fn vector_a_go_test1() {
        let pairs = [
            ("X-Sdk-Date", "20060102T150405Z"),
            ("TEST_UNDERSCORE", "TEST_VALUE"),
        ];
        let url = "https://example.huaweicloud.com/path?limit=1";
        let canonical = AkSk::canonical_request("GET", url, &headers(&pairs), b"");
        assert_eq!(
            canonical,
            format!(
                "GET\n/path/\nlimit=1\nx-sdk-date:20060102T150405Z\n\nx-sdk-date\n{EMPTY_SHA256}"
            )
        );
        assert_eq!(
            sha256_hex(&canonical),
            "85c3b7730f308aee452b16138a42a914397e43a8f0d732dfa521c0ef2afa98a4"
        );
        let (authorization, _) = signed(&aksk("AccessKey", "SecretKey"), "GET", url, &pairs, b"");
        assert_eq!(
            authorization,
            "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, \
             Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624"
        );
    }

    /// Reference 3.2 A test2: Go does not sign `Content-Type` (so it is not passed here) and
    /// its `json.Encoder` ends the body with `\n`.
    #[test]
    fn vector_a_go_test2() {
        let pairs = [
            ("X-Sdk-Date", "20060102T150405Z"),
            ("TEST_UNDERSCORE", "TEST_VALUE"),
        ];
        let url = "https://example.huaweicloud.com/path?key=value";
        let body = b"{\"Name\":\"test\",\"Id\":1}\n";
        assert_eq!(
            hex(&Sha256::digest(body)),
            "a29d7b4c5efd1a22011d69fd7b7aee76fe51e4083c609244228de258afd61289"
        );
        let canonical = AkSk::canonical_request("POST", url, &headers(&pairs), body);
        assert_eq!(
            sha256_hex(&canonical),
            "13f75ff5f5216199f986c7e7f2f77834d5e160ad9e46f37319816dc72ba7eeab"
        );
        let (authorization, _) = signed(&aksk("AccessKey", "SecretKey"), "POST", url, &pairs, body);
        assert_eq!(
            authorization,
            "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, \
             Signature=cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59"
        );
        // Without the newline the signature differs (the trap the reference warns of).
        let (without, _) = signed(
            &aksk("AccessKey", "SecretKey"),
            "POST",
            url,
            &pairs,
            &body[..body.len() - 1],
        );
        assert!(
            without.contains("Signature=83599e52") && without.ends_with("7a35"),
            "{without}"
        );
    }

    /// Reference 3.2 B: hw-py `huaweicloud-sdk-core/tests/test_signer.py` (host signed).
    #[test]
    fn vector_b_python_signer1_and_signer2() {
        let pairs = [
            ("Host", "service.endpoint.myhuaweicloud.com"),
            ("X-Sdk-Date", "20200608T023900Z"),
            ("TEST_UNDERSCORE", "TEST_VALUE"),
        ];
        let url = "https://service.endpoint.myhuaweicloud.com/resources?size=1";
        let signer = aksk("AccessKey", "SecretKey");
        assert_eq!(
            sha256_hex(&AkSk::canonical_request("GET", url, &headers(&pairs), b"")),
            "de94dd1e1ccdb730b403ce35d7e14f7c7b04337f6def1c3a3a2ba936852b133f"
        );
        let (get, _) = signed(&signer, "GET", url, &pairs, b"");
        assert_eq!(
            get,
            "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, \
             Signature=cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842"
        );
        let body = br#"{"name":"test","id":1}"#;
        assert_eq!(
            sha256_hex(&AkSk::canonical_request(
                "POST",
                url,
                &headers(&pairs),
                body
            )),
            "2b1b2515e48cb55e043ff2ec5b93d3f13ec287e1da1d7a2e4e14b0611a341969"
        );
        let (post, _) = signed(&signer, "POST", url, &pairs, body);
        assert_eq!(
            post,
            "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, \
             Signature=436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f"
        );
    }

    /// Reference 3.2 C: the API Request Signing Guide's worked example.
    #[test]
    fn vector_c_signing_guide() {
        let pairs = [
            ("Content-Type", "application/json"),
            ("Host", "service.region.example.com"),
            ("X-Sdk-Date", "20191115T033655Z"),
        ];
        let url = "https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs\
                   ?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0";
        let canonical = AkSk::canonical_request("GET", url, &headers(&pairs), b"");
        assert_eq!(
            canonical,
            format!(
                "GET\n/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/\n\
                 limit=2&marker=13551d6b-755d-4757-b956-536f674975c0\n\
                 content-type:application/json\nhost:service.region.example.com\n\
                 x-sdk-date:20191115T033655Z\n\ncontent-type;host;x-sdk-date\n{EMPTY_SHA256}"
            )
        );
        assert_eq!(
            AkSk::string_to_sign(&canonical, "20191115T033655Z"),
            "SDK-HMAC-SHA256\n20191115T033655Z\n\
             b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"
        );
        let signer = aksk(
            "QTWAOYTTINDUT2QVKYUC",
            "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
        );
        let (authorization, _) = signed(&signer, "GET", url, &pairs, b"");
        assert_eq!(
            authorization,
            "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, \
             SignedHeaders=content-type;host;x-sdk-date, \
             Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
        );
    }

    /// Reference 3.1 (hw-go `TestSigner_canonicalQueryString`, hw-py
    /// `test_process_canonical_query_string`): the query as a client sends it, in any order.
    #[test]
    fn published_canonical_query() {
        let expected = "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123\
                        &test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29";
        for query in [
            "limit=1&enable=true&test=%E4%B8%80%20(%26%3D%3F!%23%25.*)&path=/tmp/123\
             &multi=3&multi=1&multi=2",
            "multi=2&test=%E4%B8%80+%28%26%3D%3F%21%23%25.%2A%29&multi=1&path=%2Ftmp%2F123\
             &enable=true&multi=3&limit=1",
        ] {
            assert_eq!(AkSk::canonical_query(query), expected, "{query}");
            let canonical = AkSk::canonical_request(
                "GET",
                &format!("https://h.example.com/p?{query}"),
                &[],
                b"",
            );
            assert_eq!(canonical.lines().nth(2), Some(expected));
        }
        assert_eq!(AkSk::canonical_query(""), "");
        assert_eq!(AkSk::canonical_query("a=&b"), "a=&b=");
    }

    const PID: &str = "0123456789abcdef0123456789abcdef";

    fn d_signer() -> AkSk {
        AkSk {
            project_id: Some(PID.to_owned()),
            ..aksk("AKEXAMPLE", "SKEXAMPLE")
        }
    }

    /// Reference 3.2 D (derived, cross-checked with hw-py's own `Signer`).
    #[test]
    fn vectors_d() {
        let url = format!(
            "https://cbr.eu-de.otc.t-systems.com/v3/{PID}/backups\
             ?limit=10&resource_type=OS::Cinder::Volume"
        );
        let date = ("X-Sdk-Date", "20250101T000000Z");
        assert_eq!(
            AkSk::canonical_request("GET", &url, &[], b"")
                .lines()
                .nth(2),
            Some("limit=10&resource_type=OS%3A%3ACinder%3A%3AVolume")
        );
        let (python, headers) = signed(
            &d_signer(),
            "GET",
            &url,
            &[("Host", "cbr.eu-de.otc.t-systems.com"), date],
            b"",
        );
        assert_eq!(
            python,
            "SDK-HMAC-SHA256 Access=AKEXAMPLE, SignedHeaders=host;x-project-id;x-sdk-date, \
             Signature=cc4fda36af9394f6813db7bcc0675d7951460132b44e1c38e12e7b66623aedb8"
        );
        assert_eq!(find_header(&headers, "x-project-id"), Some(PID));
        // The query encoded as a client sends it signs the same.
        let (encoded, _) = signed(
            &d_signer(),
            "GET",
            &url.replace("::", "%3A%3A")
                .replace("%3A%3AVolume", "%3a%3aVolume"),
            &[("Host", "cbr.eu-de.otc.t-systems.com"), date],
            b"",
        );
        assert_eq!(encoded, python);
        let (go, _) = signed(&d_signer(), "GET", &url, &[date], b"");
        assert_eq!(
            go,
            "SDK-HMAC-SHA256 Access=AKEXAMPLE, SignedHeaders=x-project-id;x-sdk-date, \
             Signature=e8592772c101b5343256d5280a8dcdaa4af52305dd139b29abf281b2a36d94e3"
        );
        let (post, _) = signed(
            &d_signer(),
            "POST",
            &format!("https://127.0.0.1:8443/v3/{PID}/vaults/v-1/backup"),
            &[
                ("Content-Type", "application/json"),
                ("Host", "127.0.0.1:8443"),
                date,
            ],
            br#"{"backup":{"parameters":{"auto_trigger":false}}}"#,
        );
        assert_eq!(
            post,
            "SDK-HMAC-SHA256 Access=AKEXAMPLE, \
             SignedHeaders=content-type;host;x-project-id;x-sdk-date, \
             Signature=0934bad055cc31442c173fb32dc87f259c83abc87c579611bfc1f35c3e6b353d"
        );
    }

    #[test]
    fn headers_with_underscores_are_not_signed() {
        let list = headers(&[
            ("X_Custom", "1"),
            ("x-sdk-date", "20250101T000000Z"),
            ("Accept", " application/json "),
            ("ACCEPT", "text/plain"),
        ]);
        assert_eq!(AkSk::signed_headers(&list), "accept;x-sdk-date");
        let canonical = AkSk::canonical_request("GET", "https://h/", &list, b"");
        assert!(
            canonical.contains("\naccept:application/json,text/plain\nx-sdk-date:"),
            "{canonical}"
        );
        assert!(!canonical.contains("x_custom"), "{canonical}");
    }

    #[test]
    fn project_id_and_security_token_are_added_and_signed() {
        let signer = AkSk {
            security_token: Some(Secret::new("temporary-token")),
            ..d_signer()
        };
        let now: jiff::Timestamp = "2025-01-02T03:04:05Z".parse().expect("time");
        let mut headers = headers(&[("Content-Type", "application/json")]);
        signer.sign("PUT", "http://127.0.0.1:9/v3/x", &mut headers, b"{}", now);
        let names: Vec<&str> = headers.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Content-Type",
                "X-Sdk-Date",
                "X-Project-Id",
                "X-Security-Token",
                "Authorization"
            ]
        );
        assert_eq!(headers[1].1, "20250102T030405Z");
        assert_eq!(headers[2].1, PID);
        assert_eq!(headers[3].1, "temporary-token");
        assert!(
            headers[4]
                .1
                .contains("SignedHeaders=content-type;x-project-id;x-sdk-date;x-security-token, "),
            "{}",
            headers[4].1
        );
        let expected = signer.authorization(
            "PUT",
            "http://127.0.0.1:9/v3/x",
            &headers[..4],
            b"{}",
            "20250102T030405Z",
        );
        assert_eq!(headers[4].1, expected);
        // The lower-level call signs what it is given.
        let canonical =
            AkSk::canonical_request("PUT", "http://127.0.0.1:9/v3/x", &headers[..4], b"{}");
        assert!(canonical.contains("x-security-token:temporary-token\n"));
    }

    #[test]
    fn a_caller_set_date_is_kept() {
        let now: jiff::Timestamp = "2030-06-07T08:09:10Z".parse().expect("time");
        let mut list = headers(&[("x-sdk-date", "20250101T000000Z")]);
        d_signer().sign("GET", "https://h/v3", &mut list, b"", now);
        assert_eq!(list.len(), 3, "{list:?}");
        assert_eq!(
            list[0],
            ("x-sdk-date".to_owned(), "20250101T000000Z".to_owned())
        );
        assert_eq!(
            list[2].1,
            d_signer().authorization("GET", "https://h/v3", &list[..2], b"", "20250101T000000Z")
        );
        // Without one, `now` in UTC.
        let mut list = Vec::new();
        d_signer().sign("GET", "https://h/v3", &mut list, b"", now);
        assert_eq!(
            list[0],
            ("X-Sdk-Date".to_owned(), "20300607T080910Z".to_owned())
        );
    }

    #[test]
    fn no_plus_is_ever_produced() {
        assert_eq!(AkSk::canonical_query("q=a%20b%2Bc+d"), "q=a%20b%2Bc%20d");
        assert_eq!(
            AkSk::canonical_uri("/v1/a b+c/%2B%20x"),
            "/v1/a%20b%2Bc/%2B%20x/"
        );
        let canonical = AkSk::canonical_request(
            "GET",
            "https://h:8443/a+b/c d?name=a+b&x=%2B&y=%C3%BC%20%2F",
            &headers(&[("X-Sdk-Date", "20250101T000000Z")]),
            b"",
        );
        let lines: Vec<&str> = canonical.lines().collect();
        assert_eq!(lines[1], "/a%2Bb/c%20d/");
        assert_eq!(lines[2], "name=a%20b&x=%2B&y=%C3%BC%20%2F");
        assert!(!lines[1].contains('+') && !lines[2].contains('+'));
    }

    #[test]
    fn urls_are_split_as_sent() {
        assert_eq!(split_url("https://h:1/a/b?x=1#frag"), ("/a/b", "x=1"));
        assert_eq!(split_url("https://h:1?x=1"), ("", "x=1"));
        assert_eq!(split_url("https://h:1"), ("", ""));
        assert_eq!(split_url("/v3/p?"), ("/v3/p", ""));
        assert_eq!(AkSk::canonical_uri(""), "/");
        assert_eq!(AkSk::canonical_uri("/"), "/");
        assert_eq!(AkSk::canonical_uri("/v3/p/"), "/v3/p/");
        assert_eq!(AkSk::canonical_uri("/a~b/%7e_.-"), "/a~b/~_.-/");
    }

    #[test]
    fn debug_never_shows_the_secret_key_or_token() {
        let signer = AkSk {
            security_token: Some(Secret::new("tok-temporary-xyz")),
            ..aksk("AKEXAMPLE", "SK-very-secret")
        };
        let debug = format!("{signer:?} {signer:#?}");
        assert!(debug.contains("AKEXAMPLE"), "{debug}");
        assert!(!debug.contains("SK-very-secret"), "{debug}");
        assert!(!debug.contains("tok-temporary-xyz"), "{debug}");
    }

    #[test]
    fn hex_is_lower_case() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
    }

    /// The fake gateway's own verifier (`tests/fakes/aksk_gateway.py --self-test`) reproduces
    /// vectors A-D: an independent implementation to check the client against.
    #[test]
    fn python_gateway_self_test_passes() {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests")
            .join("fakes")
            .join("aksk_gateway.py");
        let output = std::process::Command::new("python3")
            .arg(&script)
            .arg("--self-test")
            .output()
            .unwrap_or_else(|err| {
                panic!(
                    "python3 must be on PATH to run {} --self-test: {err}",
                    script.display()
                )
            });
        assert!(
            output.status.success(),
            "{} --self-test failed ({}):\n{}\n{}",
            script.display(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
