//! [`ConfigError`]: what is wrong with the cloud configuration, and where.

use std::fmt;

/// The cloud configuration could not be read: no file, a syntax error, an unknown cloud or
/// `auth_type`, a missing key or a value of the wrong type.
///
/// The message names the file (or the `OS_*` variables), the cloud and the key path, e.g.
/// `` /home/me/.config/openstack/clouds.yaml: cloud `otc`: `clouds.otc.auth.password` is
/// missing ``, or lists the files searched. It never quotes a value that could be a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file(s) or `OS_* environment variables`, when known.
    origin: Option<String>,
    /// The cloud's name, when one was chosen.
    cloud: Option<String>,
    /// What is wrong.
    message: String,
}

impl ConfigError {
    /// An error about `origin` (files or variables), `cloud` when chosen.
    pub(crate) fn new(
        origin: Option<String>,
        cloud: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            origin,
            cloud: cloud.map(str::to_owned),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(origin) = &self.origin {
            write!(f, "{origin}: ")?;
        }
        if let Some(cloud) = &self.cloud {
            write!(f, "cloud `{cloud}`: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}
