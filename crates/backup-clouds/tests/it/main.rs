//! `backup-clouds` against clouds.yaml files, secure.yaml files and `OS_*` variables written
//! into temporary directories; the process environment is never read or changed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use backup_clouds::{CloudConfig, Environment, load};
use backup_runtime::auth::{
    AkSk, AppCredential, Credentials, Domain, KeystoneAuth, KeystoneMethod, RackspaceAuth,
    RackspaceCredential, Scope, Secret, User,
};

/// A working directory and a home directory under the system's temporary directory, removed
/// afterwards.
struct Sandbox {
    root: PathBuf,
}

impl Sandbox {
    fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let root =
            std::env::temp_dir().join(format!("backup-clouds-it-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("cwd")).unwrap();
        std::fs::create_dir_all(root.join("home")).unwrap();
        Self { root }
    }

    /// Writes `text` at `relative` (under the sandbox) and gives its path.
    fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.root.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }

    /// The environment of a process started in `cwd`, with home `home` and `vars`.
    fn env(&self, vars: &[(&str, &str)]) -> Environment {
        Environment {
            vars: vars
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            cwd: self.root.join("cwd"),
            home: Some(self.root.join("home")),
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Loads `cloud` from a clouds.yaml in the working directory.
fn load_yaml(yaml: &str, cloud: Option<&str>) -> CloudConfig {
    let sandbox = Sandbox::new();
    let path = sandbox.write("cwd/clouds.yaml", yaml);
    let config = load(cloud, &sandbox.env(&[])).unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(config.source, path.display().to_string());
    config
}

fn keystone(config: &CloudConfig) -> &KeystoneAuth {
    match &config.credentials {
        Credentials::Keystone(keystone) => keystone,
        other => panic!("not Keystone: {other:?}"),
    }
}

/// `Debug` of the whole configuration shows none of `secrets`.
fn assert_hidden(config: &CloudConfig, secrets: &[&str]) {
    let debug = format!("{config:?}");
    for secret in secrets {
        assert!(!debug.contains(secret), "{secret} in {debug}");
    }
}

const OTC: &str = "
clouds:
  otc:
    auth:
      auth_url: https://iam.eu-de.otc.t-systems.com/v3
      username: backup-operator
      password: otc-Pa55word!
      user_domain_name: OTC-EU-DE-00000000001000000001
      project_name: eu-de
    region_name: eu-de
    interface: publicURL
    identity_api_version: 3
    volume_api_version: 3
    block_storage_endpoint_override: https://evs.eu-de.otc.t-systems.com/v3/%(project_id)s
  other:
    auth_type: aksk
    auth: {ak: AK, sk: other-SK}
";

#[test]
fn otc_password_cloud_user_domain_is_the_account_and_project_the_region() {
    let config = load_yaml(OTC, Some("otc"));
    assert_eq!(
        keystone(&config),
        &KeystoneAuth {
            auth_url: "https://iam.eu-de.otc.t-systems.com/v3".into(),
            method: KeystoneMethod::Password {
                user: User::Name {
                    name: "backup-operator".into(),
                    domain: Domain::Name("OTC-EU-DE-00000000001000000001".into()),
                },
                password: Secret::new("otc-Pa55word!"),
            },
            scope: Some(Scope::ProjectName {
                name: "eu-de".into(),
                domain: None
            }),
        }
    );
    assert_eq!(config.name, "otc");
    assert_eq!(config.region_name.as_deref(), Some("eu-de"));
    assert_eq!(config.interface, "public");
    assert!(config.verify);
    assert_eq!(config.cacert, None);
    let evs = "https://evs.eu-de.otc.t-systems.com/v3/%(project_id)s";
    assert_eq!(
        config.endpoint_overrides,
        BTreeMap::from([("block_storage".into(), evs.into())])
    );
    assert_eq!(config.endpoint_override("block-storage"), Some(evs));
    assert_eq!(config.endpoint_override("volumev3"), Some(evs));
    assert_eq!(config.endpoint_override("compute"), None);
    assert_hidden(&config, &["otc-Pa55word!"]);
}

#[test]
fn huawei_application_credential_by_id_ignores_the_project() {
    let config = load_yaml(
        "
clouds:
  huawei:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://iam.ap-southeast-1.myhuaweicloud.com/v3
      application_credential_id: 9da0a8da3d394d09bf49dfc27014d254
      application_credential_secret: app-Secret-123
      project_name: ap-southeast-1
    region_name: ap-southeast-1
",
        None,
    );
    assert_eq!(
        keystone(&config),
        &KeystoneAuth {
            auth_url: "https://iam.ap-southeast-1.myhuaweicloud.com/v3".into(),
            method: KeystoneMethod::ApplicationCredential {
                credential: AppCredential::Id("9da0a8da3d394d09bf49dfc27014d254".into()),
                secret: Secret::new("app-Secret-123"),
            },
            scope: None,
        }
    );
    assert_hidden(&config, &["app-Secret-123"]);
}

#[test]
fn application_credential_by_name_takes_the_user_and_the_plain_domain() {
    let config = load_yaml(
        "
clouds:
  named:
    auth_type: applicationcredential
    auth:
      auth_url: https://keystone.example.com
      application_credential_name: monitoring
      application_credential_secret: app-Secret-456
      username: ops
      domain_id: default
",
        None,
    );
    let KeystoneMethod::ApplicationCredential { credential, .. } = &keystone(&config).method else {
        panic!("not an application credential")
    };
    let user = User::Name {
        name: "ops".into(),
        domain: Domain::Id("default".into()),
    };
    assert_eq!(
        credential,
        &AppCredential::Name {
            name: "monitoring".into(),
            user
        }
    );
    assert_eq!(keystone(&config).scope, None);
}

#[test]
fn keystone_password_by_user_id_and_tenant_id_with_verify_false() {
    let config = load_yaml(
        "
clouds:
  lab:
    auth_type: v3password
    auth:
      auth_url: https://keystone.lab:5000/v3
      user_id: ee4dfb6e5540447cb3741905149d9b6e
      password: lab-Secret
      tenant_id: a6944d763bf64ee6a275f1263fae0352
    regions: [RegionOne, RegionTwo]
    endpoint_type: internalURL
    cacert: /etc/ssl/lab-ca.pem
    verify: false
",
        Some("lab"),
    );
    assert_eq!(
        keystone(&config),
        &KeystoneAuth {
            auth_url: "https://keystone.lab:5000/v3".into(),
            method: KeystoneMethod::Password {
                user: User::Id("ee4dfb6e5540447cb3741905149d9b6e".into()),
                password: Secret::new("lab-Secret"),
            },
            scope: Some(Scope::ProjectId("a6944d763bf64ee6a275f1263fae0352".into())),
        }
    );
    assert_eq!(config.region_name.as_deref(), Some("RegionOne"));
    assert_eq!(config.interface, "internal");
    assert!(!config.verify);
    assert_eq!(config.cacert, Some(PathBuf::from("/etc/ssl/lab-ca.pem")));
}

#[test]
fn scopes_and_domains_follow_openstacksdk() {
    // (auth keys besides auth_url/username/password, expected user domain, expected scope)
    let cases: &[(&str, Domain, Option<Scope>)] = &[
        (
            "user_domain_id: u-dom, domain_name: Plain, project_name: p",
            Domain::Id("u-dom".into()),
            Some(Scope::ProjectName {
                name: "p".into(),
                domain: Some(Domain::Name("Plain".into())),
            }),
        ),
        (
            "domain_name: Plain, tenant-name: p, project_domain_id: p-dom",
            Domain::Name("Plain".into()),
            Some(Scope::ProjectName {
                name: "p".into(),
                domain: Some(Domain::Id("p-dom".into())),
            }),
        ),
        (
            "domain_id: d1",
            Domain::Id("d1".into()),
            Some(Scope::Domain(Domain::Id("d1".into()))),
        ),
        ("user-domain-name: U", Domain::Name("U".into()), None),
        (
            "user_domain_name: U, project_id: '', project_name: p",
            Domain::Name("U".into()),
            Some(Scope::ProjectName {
                name: "p".into(),
                domain: None,
            }),
        ),
    ];
    for (keys, user_domain, scope) in cases {
        let yaml = format!(
            "clouds:\n  c:\n    auth: {{auth_url: https://k, username: u, password: pw, {keys}}}\n"
        );
        let config = load_yaml(&yaml, None);
        let auth = keystone(&config);
        let KeystoneMethod::Password {
            user: User::Name { domain, .. },
            ..
        } = &auth.method
        else {
            panic!("{keys}: not a password by name")
        };
        assert_eq!((domain, &auth.scope), (user_domain, scope), "{keys}");
    }
}

#[test]
fn token_cloud_with_auth_token_alias_and_a_scope() {
    let config = load_yaml(
        "
clouds:
  tok:
    auth_type: v3token
    auth:
      auth_url: https://keystone.example.com/v3
      auth_token: gAAAA-token-SECRET
      project_id: p1
",
        None,
    );
    assert_eq!(
        keystone(&config).method,
        KeystoneMethod::Token(Secret::new("gAAAA-token-SECRET"))
    );
    assert_eq!(keystone(&config).scope, Some(Scope::ProjectId("p1".into())));
    assert_hidden(&config, &["gAAAA-token-SECRET"]);

    let config = load_yaml(
        "clouds:\n  raw:\n    auth_type: admin_token\n    auth: {token: raw-TOKEN}\n",
        None,
    );
    let Credentials::Token(token) = &config.credentials else {
        panic!("not a raw token")
    };
    assert_eq!(token.expose(), "raw-TOKEN");
}

#[test]
fn rackspace_api_key_cloud() {
    let config = load_yaml(
        "
clouds:
  rax:
    auth_type: rackspace_apikey
    profile: rackspace
    auth:
      auth_url: https://identity.api.rackspacecloud.com/v2.0/
      username: jsmith
      api_key: rax-API-key-0123
      tenant_id: 123456
    region_name: IAD
",
        Some("rax"),
    );
    let Credentials::Rackspace(rackspace) = &config.credentials else {
        panic!("not Rackspace")
    };
    assert_eq!(
        rackspace,
        &RackspaceAuth {
            auth_url: "https://identity.api.rackspacecloud.com/v2.0/".into(),
            username: "jsmith".into(),
            credential: RackspaceCredential::ApiKey(Secret::new("rax-API-key-0123")),
            tenant_id: Some("123456".into()),
            tenant_name: None,
        }
    );
    assert_eq!(config.region_name.as_deref(), Some("IAD"));
    assert_hidden(&config, &["rax-API-key-0123"]);
}

#[test]
fn rackspace_password_flows() {
    // rackspace_password defaults auth_url as rackspace-keystoneauth-plugin does.
    let config = load_yaml(
        "clouds:\n  rax:\n    auth_type: rackspace_password\n    auth: {username: jsmith, password: rax-PW, project_name: acme}\n",
        None,
    );
    let Credentials::Rackspace(rackspace) = &config.credentials else {
        panic!("not Rackspace")
    };
    assert_eq!(
        rackspace.auth_url,
        "https://identity.api.rackspacecloud.com/v2.0/"
    );
    assert_eq!(
        rackspace.credential,
        RackspaceCredential::Password(Secret::new("rax-PW"))
    );
    assert_eq!(rackspace.tenant_name.as_deref(), Some("acme"));

    let config = load_yaml(
        "clouds:\n  v2:\n    auth_type: v2password\n    auth: {auth_url: https://id.example/v2.0, username: u, password: v2-PW, tenant-id: t1}\n",
        None,
    );
    let Credentials::Rackspace(rackspace) = &config.credentials else {
        panic!("not Rackspace")
    };
    assert_eq!(
        (rackspace.auth_url.as_str(), rackspace.tenant_id.as_deref()),
        ("https://id.example/v2.0", Some("t1"))
    );
}

#[test]
fn aksk_cloud_needs_no_auth_url() {
    let config = load_yaml(
        "
clouds:
  hw:
    auth_type: aksk
    auth:
      ak: HPUAEXAMPLEAK
      sk: hw-SK-secret
      project_id: 0123456789abcdef0123456789abcdef
      security_token: hw-security-TOKEN
    region_name: cn-north-4
",
        None,
    );
    let Credentials::AkSk(aksk) = &config.credentials else {
        panic!("not AK/SK")
    };
    assert_eq!(
        aksk,
        &AkSk {
            access_key: "HPUAEXAMPLEAK".into(),
            secret_key: Secret::new("hw-SK-secret"),
            project_id: Some("0123456789abcdef0123456789abcdef".into()),
            security_token: Some(Secret::new("hw-security-TOKEN")),
        }
    );
    assert_eq!(config.region_name.as_deref(), Some("cn-north-4"));
    assert_hidden(&config, &["hw-SK-secret", "hw-security-TOKEN"]);
}

#[test]
fn secure_yaml_is_merged_over_clouds_yaml() {
    let sandbox = Sandbox::new();
    let clouds = sandbox.write(
        "cwd/clouds.yaml",
        "clouds:\n  otc:\n    auth: {auth_url: https://iam, username: old, user_domain_name: D, project_name: eu-de}\n    region_name: eu-de\n  plain:\n    auth_type: aksk\n    auth: {ak: AK, sk: SK}\n",
    );
    let secure = sandbox.write(
        "home/.config/openstack/secure.yaml",
        "clouds:\n  otc:\n    auth: {password: secure-PW, username: new}\n",
    );
    let env = sandbox.env(&[]);
    let config = load(Some("otc"), &env).unwrap();
    let KeystoneMethod::Password { user, password } = &keystone(&config).method else {
        panic!()
    };
    assert_eq!(password.expose(), "secure-PW");
    assert_eq!(
        user,
        &User::Name {
            name: "new".into(),
            domain: Domain::Name("D".into())
        }
    );
    assert_eq!(
        config.source,
        format!("{} with {}", clouds.display(), secure.display())
    );
    // A cloud the secure file does not mention comes from clouds.yaml alone.
    assert_eq!(
        load(Some("plain"), &env).unwrap().source,
        clouds.display().to_string()
    );
}

#[test]
fn files_are_found_in_openstacksdk_order() {
    let sandbox = Sandbox::new();
    let aksk = |name: &str| {
        format!("clouds:\n  {name}:\n    auth_type: aksk\n    auth: {{ak: AK, sk: SK}}\n")
    };
    let home = sandbox.write(
        "home/.config/openstack/clouds.json",
        r#"{"clouds": {"home": {"auth_type": "aksk", "auth": {"ak": "AK", "sk": "SK"}}}}"#,
    );
    assert_eq!(
        load(None, &sandbox.env(&[])).unwrap().source,
        home.display().to_string()
    );
    // The working directory beats ~/.config/openstack, clouds.yaml beats clouds.yml.
    sandbox.write("cwd/clouds.yml", &aksk("cwd-yml"));
    assert_eq!(load(None, &sandbox.env(&[])).unwrap().name, "cwd-yml");
    sandbox.write("cwd/clouds.yaml", &aksk("cwd"));
    assert_eq!(load(None, &sandbox.env(&[])).unwrap().name, "cwd");
    // OS_CLIENT_CONFIG_FILE beats them all, relative to the working directory...
    sandbox.write("elsewhere/mine.yaml", &aksk("mine"));
    let env = sandbox.env(&[("OS_CLIENT_CONFIG_FILE", "../elsewhere/mine.yaml")]);
    assert_eq!(load(None, &env).unwrap().name, "mine");
    // ...unless it does not exist (openstacksdk skips it).
    let env = sandbox.env(&[("OS_CLIENT_CONFIG_FILE", "/nonexistent/clouds.yaml")]);
    assert_eq!(load(None, &env).unwrap().name, "cwd");
    // OS_CLIENT_SECURE_FILE names the secure file.
    let secure = sandbox.write(
        "elsewhere/s.yaml",
        "clouds:\n  cwd:\n    region_name: from-secure\n",
    );
    let env = sandbox.env(&[("OS_CLIENT_SECURE_FILE", secure.to_str().unwrap())]);
    assert_eq!(
        load(None, &env).unwrap().region_name.as_deref(),
        Some("from-secure")
    );
}

const OPENRC: &[(&str, &str)] = &[
    ("OS_AUTH_URL", "https://iam.eu-de.otc.t-systems.com/v3"),
    ("OS_USERNAME", "ops"),
    ("OS_PASSWORD", "env-Secret-PW"),
    ("OS_USER_DOMAIN_NAME", "OTC-EU-DE-0001"),
    ("OS_PROJECT_NAME", "eu-de"),
    ("OS_PROJECT_DOMAIN_NAME", ""),
    ("OS_REGION_NAME", "eu-de"),
    ("OS_INTERFACE", "internal"),
    ("OS_IDENTITY_API_VERSION", "3"),
    ("OS_INSECURE", "true"),
    ("OS_CACERT", "/etc/ssl/otc.pem"),
    (
        "OS_BLOCK_STORAGE_ENDPOINT_OVERRIDE",
        "https://evs.example/v3",
    ),
    ("HOME", "/ignored"),
];

#[test]
fn os_variables_make_a_cloud_when_no_cloud_is_named() {
    let sandbox = Sandbox::new();
    sandbox.write("cwd/clouds.yaml", OTC);
    let config = load(None, &sandbox.env(OPENRC)).unwrap();
    assert_eq!(
        (config.name.as_str(), config.source.as_str()),
        ("envvars", "OS_* environment variables")
    );
    assert_eq!(
        keystone(&config),
        &KeystoneAuth {
            auth_url: "https://iam.eu-de.otc.t-systems.com/v3".into(),
            method: KeystoneMethod::Password {
                user: User::Name {
                    name: "ops".into(),
                    domain: Domain::Name("OTC-EU-DE-0001".into())
                },
                password: Secret::new("env-Secret-PW"),
            },
            scope: Some(Scope::ProjectName {
                name: "eu-de".into(),
                domain: None
            }),
        }
    );
    assert_eq!(
        (config.region_name.as_deref(), config.interface.as_str()),
        (Some("eu-de"), "internal")
    );
    assert_eq!(
        (config.verify, config.cacert.clone()),
        (false, Some(PathBuf::from("/etc/ssl/otc.pem")))
    );
    assert_eq!(
        config.endpoint_override("block-storage"),
        Some("https://evs.example/v3")
    );
    assert_hidden(&config, &["env-Secret-PW"]);

    // OS_CLOUD_NAME names it; OS_CLOUD picks a file cloud instead, and OS_REGION_NAME
    // overrides that cloud's region.
    let mut vars = OPENRC.to_vec();
    vars.push(("OS_CLOUD_NAME", "mine"));
    assert_eq!(load(None, &sandbox.env(&vars)).unwrap().name, "mine");
    assert_eq!(
        load(Some("mine"), &sandbox.env(&vars)).unwrap().source,
        "OS_* environment variables"
    );
    vars.extend([("OS_CLOUD", "otc"), ("OS_REGION_NAME", "eu-nl")]);
    let config = load(None, &sandbox.env(&vars)).unwrap();
    assert_eq!(
        (config.name.as_str(), config.region_name.as_deref()),
        ("otc", Some("eu-nl"))
    );
    assert_eq!(
        keystone(&config).auth_url,
        "https://iam.eu-de.otc.t-systems.com/v3"
    );
}

#[test]
fn os_variables_application_credential() {
    let sandbox = Sandbox::new();
    let env = sandbox.env(&[
        ("OS_AUTH_TYPE", "v3applicationcredential"),
        ("OS_AUTH_URL", "https://keystone.example/v3"),
        ("OS_APPLICATION_CREDENTIAL_ID", "ac-id"),
        ("OS_APPLICATION_CREDENTIAL_SECRET", "ac-SECRET"),
        ("OS_PROJECT_ID", "ignored"),
    ]);
    let config = load(None, &env).unwrap();
    assert_eq!(
        keystone(&config).method,
        KeystoneMethod::ApplicationCredential {
            credential: AppCredential::Id("ac-id".into()),
            secret: Secret::new("ac-SECRET"),
        }
    );
}

#[test]
fn the_only_cloud_is_the_default() {
    let config = load_yaml(
        "clouds:\n  solo:\n    auth_type: aksk\n    auth: {ak: AK, sk: SK}\n",
        None,
    );
    assert_eq!(config.name, "solo");
}

/// An error case: files, variables and the cloud asked for; what the message must say
/// (`{clouds}`, `{secure}` stand for the files' paths) and the secrets it must not.
struct ErrorCase {
    name: &'static str,
    clouds: Option<&'static str>,
    secure: Option<&'static str>,
    vars: &'static [(&'static str, &'static str)],
    cloud: Option<&'static str>,
    expect: &'static [&'static str],
    secrets: &'static [&'static str],
}

const ERRORS: &[ErrorCase] = &[
    ErrorCase {
        name: "unknown cloud",
        clouds: Some(OTC),
        secure: None,
        vars: &[],
        cloud: Some("prod"),
        expect: &["{clouds}: cloud `prod` is not defined; clouds defined: otc, other"],
        secrets: &["otc-Pa55word!", "other-SK"],
    },
    ErrorCase {
        name: "several clouds, none chosen",
        clouds: Some(OTC),
        secure: None,
        vars: &[],
        cloud: None,
        expect: &["{clouds}: no cloud chosen (OS_CLOUD is not set) and clouds defined: otc, other"],
        secrets: &["otc-Pa55word!", "other-SK"],
    },
    ErrorCase {
        name: "unknown auth_type",
        clouds: Some(
            "clouds:\n  oidc:\n    auth_type: v3oidcpassword\n    auth: {auth_url: https://k, password: oidc-PW}\n",
        ),
        secure: None,
        vars: &[],
        cloud: Some("oidc"),
        expect: &[
            "{clouds}: cloud `oidc`: `clouds.oidc.auth_type` `v3oidcpassword` is not supported; supported: password, v3password,",
            "rackspace_apikey",
            "aksk",
        ],
        secrets: &["oidc-PW"],
    },
    ErrorCase {
        name: "missing password",
        clouds: Some(
            "clouds:\n  otc:\n    auth: {auth_url: https://k, username: u, user_domain_name: D}\n    region_name: eu-de\n",
        ),
        secure: Some(
            "clouds:\n  otc:\n    auth: {username: from-secure}\n  other: {auth: {password: other-PW}}\n",
        ),
        vars: &[],
        cloud: Some("otc"),
        expect: &[
            "{clouds} with {secure}: cloud `otc`: `clouds.otc.auth.password` is missing: auth_type `password` needs it",
        ],
        secrets: &["other-PW"],
    },
    ErrorCase {
        name: "missing user domain",
        clouds: Some(
            "clouds:\n  otc:\n    auth: {auth_url: https://k, username: u, password: dom-PW, project_name: eu-de}\n",
        ),
        secure: None,
        vars: &[],
        cloud: Some("otc"),
        expect: &[
            "{clouds}: cloud `otc`: `clouds.otc.auth.user_domain_name` is missing (or `clouds.otc.auth.user_domain_id`, `clouds.otc.auth.domain_name`, `clouds.otc.auth.domain_id`): a user name needs its domain",
        ],
        secrets: &["dom-PW"],
    },
    ErrorCase {
        name: "wrong type for verify",
        clouds: Some(
            "clouds:\n  otc:\n    auth: {auth_url: https://k, user_id: u, password: verify-PW}\n    verify: maybe\n",
        ),
        secure: None,
        vars: &[],
        cloud: Some("otc"),
        expect: &[
            "{clouds}: cloud `otc`: `clouds.otc.verify` must be true or false, found a string",
        ],
        secrets: &["verify-PW", "maybe"],
    },
    ErrorCase {
        name: "wrong type in secure.yaml names secure.yaml",
        clouds: Some("clouds:\n  otc:\n    auth: {auth_url: https://k, user_id: u}\n"),
        secure: Some("clouds:\n  otc:\n    auth:\n      password: [list-PW-1, list-PW-2]\n"),
        vars: &[],
        cloud: Some("otc"),
        expect: &[
            "{secure}: cloud `otc`: `clouds.otc.auth.password` must be a string, found a sequence",
        ],
        secrets: &["list-PW-1", "list-PW-2"],
    },
    ErrorCase {
        name: "auth is not a mapping",
        clouds: Some("clouds:\n  otc:\n    auth: auth-PW\n"),
        secure: None,
        vars: &[],
        cloud: None,
        expect: &["{clouds}: cloud `otc`: `clouds.otc.auth` must be a mapping, found a string"],
        secrets: &["auth-PW"],
    },
    ErrorCase {
        name: "YAML syntax error",
        clouds: Some("clouds:\n  otc:\n    auth: {password: \"syntax-PW\"\n  bad: ]\n"),
        secure: None,
        vars: &[],
        cloud: Some("otc"),
        expect: &["{clouds}: not valid YAML: "],
        secrets: &["syntax-PW"],
    },
    ErrorCase {
        name: "OS_* cloud without a password",
        clouds: None,
        secure: None,
        vars: &[
            ("OS_AUTH_URL", "https://k"),
            ("OS_USERNAME", "u"),
            ("OS_USER_DOMAIN_ID", "d"),
            ("OS_TOKEN", "tok-SECRET"),
        ],
        cloud: None,
        expect: &[
            "OS_* environment variables: cloud `envvars`: `OS_PASSWORD` is missing: auth_type `password` needs it",
        ],
        secrets: &["tok-SECRET"],
    },
    ErrorCase {
        name: "OS_* cloud with a bad OS_INSECURE",
        clouds: None,
        secure: None,
        vars: &[
            ("OS_AUTH_URL", "https://k"),
            ("OS_USER_ID", "u"),
            ("OS_PASSWORD", "env-PW"),
            ("OS_INSECURE", "sometimes"),
        ],
        cloud: None,
        expect: &[
            "OS_* environment variables: cloud `envvars`: `OS_INSECURE` must be true or false, found a string",
        ],
        secrets: &["env-PW", "sometimes"],
    },
];

#[test]
fn errors_name_file_cloud_and_key_and_no_secret() {
    for case in ERRORS {
        let sandbox = Sandbox::new();
        let clouds = case
            .clouds
            .map(|text| sandbox.write("cwd/clouds.yaml", text));
        let secure = case
            .secure
            .map(|text| sandbox.write("home/.config/openstack/secure.yaml", text));
        let error = match load(case.cloud, &sandbox.env(case.vars)) {
            Ok(config) => panic!("{}: loaded {config:?}", case.name),
            Err(error) => error.to_string(),
        };
        let path = |file: &Option<PathBuf>| {
            file.as_deref()
                .map(Path::display)
                .map(|p| p.to_string())
                .unwrap_or_default()
        };
        for expected in case.expect {
            let expected = expected
                .replace("{clouds}", &path(&clouds))
                .replace("{secure}", &path(&secure));
            assert!(
                error.contains(&expected),
                "{}: {error:?} lacks {expected:?}",
                case.name
            );
        }
        for secret in case.secrets {
            assert!(
                !error.contains(secret),
                "{}: {error:?} shows {secret:?}",
                case.name
            );
        }
    }
}

#[test]
fn no_file_and_no_variables_lists_the_files_searched() {
    if Path::new("/etc/openstack").exists() {
        return; // The machine's own configuration would be found.
    }
    let sandbox = Sandbox::new();
    let error = load(None, &sandbox.env(&[])).unwrap_err().to_string();
    let cwd = sandbox.root.join("cwd/clouds.yaml");
    let home = sandbox.root.join("home/.config/openstack/clouds.json");
    assert!(error.starts_with("no cloud is configured: OS_AUTH_URL is not set and no clouds file was found (searched: "), "{error}");
    for path in [
        cwd.display().to_string(),
        home.display().to_string(),
        "/etc/openstack/clouds.yml".into(),
    ] {
        assert!(error.contains(&path), "{error} lacks {path}");
    }
    let error = load(Some("otc"), &sandbox.env(&[]))
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with("cloud `otc` was asked for, but no clouds file was found"),
        "{error}"
    );
}

/// The README's library example is this crate's `blocking_client` doctest, word for word, so
/// what the README shows compiles.
#[test]
fn the_readme_example_is_the_compiled_doctest() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../../README.md")).expect("README.md");
    let lib = std::fs::read_to_string(root.join("src/lib.rs")).expect("src/lib.rs");
    let shown = readme
        .split("compiled as a doctest):\n\n```rust\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("the README's login example");
    let doctest: Vec<&str> = lib
        .split("    /// ```no_run\n")
        .nth(1)
        .and_then(|rest| rest.split("    /// ```\n").next())
        .expect("the blocking_client doctest")
        .lines()
        .map(|line| {
            line.trim_start()
                .trim_start_matches("///")
                .strip_prefix(' ')
                .unwrap_or("")
        })
        .filter(|line| !line.starts_with("# "))
        .collect();
    assert_eq!(shown, doctest.join("\n"));
}
