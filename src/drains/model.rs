//! The provider catalogue and the drain form: which fields each provider takes, how each
//! field is validated, and the validated request that alone may be sent to the API.
//!
//! Pure logic, no browser: tested natively with `cargo test --lib`.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::api::drains::DrainRequest;

/// A log management service a drain can send to, as the API's `type` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Provider {
    /// AppSignal logging.
    AppSignal,
    /// Better Stack Logs (formerly Logtail).
    BetterStack,
    /// Datadog.
    Datadog,
    /// A self-hosted (or Scalingo-hosted) ELK stack.
    Elk,
    /// Logentries, removed upstream in 2022; existing drains still exist.
    Logentries,
    /// OVH hosted Graylog.
    OvhGraylog,
    /// Papertrail.
    Papertrail,
    /// Any syslog server over TCP+TLS.
    Syslog,
}

/// One input of the drain form, named like the API's body keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldKey {
    /// `token`.
    Token,
    /// `host`.
    Host,
    /// `port`.
    Port,
    /// `drain_region`.
    DrainRegion,
    /// `url`.
    Url,
}

/// How one provider uses one field: whether it is required and what to tell the user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// Which input.
    pub key: FieldKey,
    /// Whether the provider refuses a drain without it.
    pub required: bool,
    /// The label shown next to the input.
    pub label: &'static str,
    /// Where to find the value, shown under the input.
    pub help: &'static str,
    /// An example value.
    pub placeholder: &'static str,
}

/// Datadog regions documented by Scalingo; other well-formed values are accepted too
/// (the API documentation itself uses `eu-west-2`).
pub const DATADOG_REGIONS: [&str; 2] = ["eu", "us"];

const fn field(
    key: FieldKey,
    required: bool,
    label: &'static str,
    help: &'static str,
    placeholder: &'static str,
) -> Field {
    Field {
        key,
        required,
        label,
        help,
        placeholder,
    }
}

const APPSIGNAL_FIELDS: &[Field] = &[
    field(
        FieldKey::Token,
        true,
        "API key",
        "Your AppSignal front-end or push API key, shown in AppSignal under App settings > Push & deploy.",
        "123456789abcdef",
    ),
    field(
        FieldKey::Host,
        false,
        "Host",
        "Only if AppSignal gave you a specific log endpoint; leave empty for the default.",
        "appsignal-endpoint.net",
    ),
    field(
        FieldKey::Port,
        false,
        "Port",
        "Only with a custom host; leave empty for the default.",
        "6514",
    ),
];

const BETTERSTACK_FIELDS: &[Field] = &[
    field(
        FieldKey::Token,
        true,
        "Source token",
        "The bearer token of a Better Stack Logs source created with the HTTP platform.",
        "123456789abcdef",
    ),
    field(
        FieldKey::Host,
        true,
        "Ingesting host",
        "The ingesting host shown on the same source page, without https://.",
        "abcdef.eu-nbg-2.betterstackdata.com",
    ),
];

const DATADOG_FIELDS: &[Field] = &[
    field(
        FieldKey::Token,
        true,
        "API key",
        "A Datadog API key, from Organization settings > API keys in Datadog.",
        "123456789abcdef",
    ),
    field(
        FieldKey::DrainRegion,
        true,
        "Region",
        "\"eu\" or \"us\" depending on your Datadog account region (a region code such as \"eu-west-2\" also works).",
        "eu",
    ),
];

const ELK_FIELDS: &[Field] = &[field(
    FieldKey::Url,
    true,
    "Logstash URL",
    "The full http:// or https:// URL of your Logstash, with its user and password, e.g. the URL of a Scalingo-hosted ELK app.",
    "https://user:password@logstash-app.osc-fr1.scalingo.io",
)];

const LOGENTRIES_FIELDS: &[Field] = &[field(
    FieldKey::Token,
    true,
    "Log token",
    "The token of a Logentries log set (Logentries was removed upstream in 2022; prefer another provider).",
    "5af97be7-34e5-47b6-a016-8d0001228ffb",
)];

const OVH_FIELDS: &[Field] = &[
    field(
        FieldKey::Token,
        true,
        "Graylog token",
        "The X-OVH-TOKEN of your Logs Data Platform stream.",
        "5af97be7-34e5-47b6-a016-8d0001228ffb",
    ),
    field(
        FieldKey::Host,
        true,
        "Access point",
        "The access point host given by OVH Logs Data Platform, without scheme or port.",
        "tag1.logs.ovh.com",
    ),
];

const PAPERTRAIL_FIELDS: &[Field] = &[
    field(
        FieldKey::Host,
        true,
        "Host",
        "The host shown under Settings > Log destinations in Papertrail.",
        "logs2.papertrailapp.com",
    ),
    field(
        FieldKey::Port,
        true,
        "Port",
        "The port number shown next to that host.",
        "12345",
    ),
];

const SYSLOG_FIELDS: &[Field] = &[
    field(
        FieldKey::Host,
        true,
        "Host",
        "The host name or IP address of your syslog server (TCP+TLS).",
        "custom.logstash.com",
    ),
    field(
        FieldKey::Port,
        true,
        "Port",
        "The port your syslog server listens on.",
        "12345",
    ),
    field(
        FieldKey::Token,
        false,
        "Token",
        "Only if your syslog server expects a token.",
        "132456789abcdef",
    ),
];

impl Provider {
    /// Every provider, in the order the form offers them.
    pub const ALL: [Provider; 8] = [
        Provider::AppSignal,
        Provider::BetterStack,
        Provider::Datadog,
        Provider::Elk,
        Provider::OvhGraylog,
        Provider::Papertrail,
        Provider::Syslog,
        Provider::Logentries,
    ];

    /// The API's `type` value.
    pub fn api_type(self) -> &'static str {
        match self {
            Provider::AppSignal => "appsignal",
            Provider::BetterStack => "betterstack",
            Provider::Datadog => "datadog",
            Provider::Elk => "elk",
            Provider::Logentries => "logentries",
            Provider::OvhGraylog => "ovh-graylog",
            Provider::Papertrail => "papertrail",
            Provider::Syslog => "syslog",
        }
    }

    /// The provider whose API `type` is `value`.
    pub fn from_api_type(value: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.api_type() == value)
    }

    /// The name users know.
    pub fn label(self) -> &'static str {
        match self {
            Provider::AppSignal => "AppSignal",
            Provider::BetterStack => "Better Stack Logs",
            Provider::Datadog => "Datadog",
            Provider::Elk => "ELK stack",
            Provider::Logentries => "Logentries (legacy)",
            Provider::OvhGraylog => "OVH hosted Graylog",
            Provider::Papertrail => "Papertrail",
            Provider::Syslog => "Syslog (TCP+TLS)",
        }
    }

    /// One sentence about the provider, shown above its fields.
    pub fn help(self) -> &'static str {
        match self {
            Provider::AppSignal => "Sends logs to AppSignal. Only the API key is needed.",
            Provider::BetterStack => {
                "Sends logs over HTTPS to a Better Stack Logs source; create the source with the HTTP platform."
            }
            Provider::Datadog => "Sends logs to Datadog's intake for your account's region.",
            Provider::Elk => {
                "Sends each log line as an HTTP POST to your Logstash (self-hosted or a Scalingo-hosted ELK app)."
            }
            Provider::Logentries => {
                "Legacy: Logentries was retired in 2022. Existing drains keep working until removed."
            }
            Provider::OvhGraylog => "Sends logs to an OVH Logs Data Platform stream over TCP+TLS on port 6514.",
            Provider::Papertrail => "Sends logs to Papertrail over syslog TCP+TLS.",
            Provider::Syslog => "Sends logs over syslog TCP+TLS to any server you run.",
        }
    }

    /// Whether the provider is retired upstream and only kept for existing drains.
    pub fn is_legacy(self) -> bool {
        self == Provider::Logentries
    }

    /// The fields this provider takes, required ones first.
    pub fn fields(self) -> &'static [Field] {
        match self {
            Provider::AppSignal => APPSIGNAL_FIELDS,
            Provider::BetterStack => BETTERSTACK_FIELDS,
            Provider::Datadog => DATADOG_FIELDS,
            Provider::Elk => ELK_FIELDS,
            Provider::Logentries => LOGENTRIES_FIELDS,
            Provider::OvhGraylog => OVH_FIELDS,
            Provider::Papertrail => PAPERTRAIL_FIELDS,
            Provider::Syslog => SYSLOG_FIELDS,
        }
    }

    /// How this provider uses `key`, if it uses it at all.
    pub fn field(self, key: FieldKey) -> Option<&'static Field> {
        self.fields().iter().find(|f| f.key == key)
    }
}

impl FieldKey {
    /// Every field, in the API body's order.
    pub const ALL: [FieldKey; 5] = [
        FieldKey::Token,
        FieldKey::Host,
        FieldKey::Port,
        FieldKey::DrainRegion,
        FieldKey::Url,
    ];

    /// The API body's key, also used in 422 answers.
    pub fn api_name(self) -> &'static str {
        match self {
            FieldKey::Token => "token",
            FieldKey::Host => "host",
            FieldKey::Port => "port",
            FieldKey::DrainRegion => "drain_region",
            FieldKey::Url => "url",
        }
    }

    /// The field a 422 answer names, accepting the documented `drain-region` spelling too.
    pub fn from_api_name(name: &str) -> Option<FieldKey> {
        match name {
            "drain-region" | "region" => Some(FieldKey::DrainRegion),
            _ => FieldKey::ALL.into_iter().find(|k| k.api_name() == name),
        }
    }
}

/// One optional value per [`FieldKey`]: the form's typed text and its errors.
///
/// An array indexed by the key rather than a `BTreeMap`: there are five keys, and the
/// form's two maps and one set instantiated about 14 KB of B-tree and sorting code in the
/// wasm bundle. The method names are the map's, so call sites read the same.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PerField<T>([Option<T>; FieldKey::ALL.len()]);

impl<T> PerField<T> {
    /// No value for any field.
    pub fn new() -> Self {
        PerField(Default::default())
    }

    /// The value of `key`, if any.
    pub fn get(&self, key: &FieldKey) -> Option<&T> {
        self.0[*key as usize].as_ref()
    }

    /// Whether `key` has a value.
    pub fn contains_key(&self, key: &FieldKey) -> bool {
        self.0[*key as usize].is_some()
    }

    /// Sets the value of `key`, returning the previous one.
    pub fn insert(&mut self, key: FieldKey, value: T) -> Option<T> {
        self.0[key as usize].replace(value)
    }

    /// Clears `key`, returning its value.
    pub fn remove(&mut self, key: &FieldKey) -> Option<T> {
        self.0[*key as usize].take()
    }

    /// Whether no field has a value.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Option::is_none)
    }
}

impl<T> FromIterator<(FieldKey, T)> for PerField<T> {
    fn from_iter<I: IntoIterator<Item = (FieldKey, T)>>(iter: I) -> Self {
        let mut map = PerField::new();
        for (key, value) in iter {
            map.insert(key, value);
        }
        map
    }
}

/// Why the form cannot be sent, per field, in words for the user.
pub type FormErrors = PerField<String>;

/// What the user typed, exactly; nothing here is trusted until [`DrainForm::validate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DrainForm {
    /// The chosen provider.
    pub provider: Provider,
    /// Raw text per field; kept when the provider changes so nothing typed is lost.
    pub values: PerField<String>,
}

impl DrainForm {
    /// An empty form for `provider`.
    pub fn new(provider: Provider) -> Self {
        DrainForm {
            provider,
            values: PerField::new(),
        }
    }

    /// The raw text of `key` (empty when untouched).
    pub fn value(&self, key: FieldKey) -> &str {
        self.values.get(&key).map(String::as_str).unwrap_or("")
    }

    /// Replaces the raw text of `key`.
    pub fn set(&mut self, key: FieldKey, value: impl Into<String>) {
        self.values.insert(key, value.into());
    }

    /// Checks every field of the chosen provider and builds the request, or says what is wrong.
    pub fn validate(&self) -> Result<DrainRequest, FormErrors> {
        let provider = self.provider;
        let mut errors = FormErrors::new();
        let mut request = DrainRequest {
            kind: provider.api_type(),
            token: String::new(),
            host: String::new(),
            port: None,
            drain_region: String::new(),
            url: String::new(),
        };
        for f in provider.fields() {
            match validate_field(provider, f.key, self.value(f.key)) {
                Err(message) => {
                    errors.insert(f.key, message);
                }
                Ok(None) => {}
                Ok(Some(clean)) => match f.key {
                    FieldKey::Token => request.token = clean,
                    FieldKey::Host => request.host = clean,
                    FieldKey::Port => request.port = clean.parse().ok(),
                    FieldKey::DrainRegion => request.drain_region = clean,
                    FieldKey::Url => request.url = clean,
                },
            }
        }
        if errors.is_empty() {
            Ok(request)
        } else {
            Err(errors)
        }
    }
}

/// Checks one field as `provider` uses it: `Ok(None)` when it is optional and empty,
/// `Ok(Some(clean))` with surrounding whitespace removed, or the message to show.
///
/// Used on blur and input for one field, and by [`DrainForm::validate`] for all.
pub fn validate_field(
    provider: Provider,
    key: FieldKey,
    raw: &str,
) -> Result<Option<String>, String> {
    let Some(field) = provider.field(key) else {
        return Ok(None);
    };
    // Pasted values often carry a trailing newline or space; they are never meaningful here.
    let value = raw.trim();
    if value.is_empty() {
        return if field.required {
            Err(format!("{} is required.", field.label))
        } else {
            Ok(None)
        };
    }
    let checked = match key {
        FieldKey::Token => check_token(value),
        FieldKey::Host => check_host(value),
        FieldKey::Port => check_port(value).map(|_| ()),
        FieldKey::DrainRegion => check_region(value),
        FieldKey::Url => check_http_url(value),
    };
    checked.map(|()| Some(value.to_owned()))
}

fn check_token(value: &str) -> Result<(), String> {
    if value.chars().any(char::is_whitespace) {
        return Err("A token has no spaces or line breaks; copy it again.".into());
    }
    if value.chars().any(char::is_control) {
        return Err("This token contains invisible characters; copy it again.".into());
    }
    // The server puts tokens inside URLs (`ovh://:TOKEN@host`); these characters would
    // change where the URL's parts end, and usually mean a whole URL was pasted.
    if value.contains(['@', '/', ':', '?', '#']) {
        return Err("A token has no @, /, :, ? or #: paste the token alone, not a URL.".into());
    }
    Ok(())
}

/// Checks a port: an integer from 1 to 65535.
pub fn check_port(value: &str) -> Result<u16, String> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Enter the port as a whole number, e.g. 12345.".into());
    }
    match value.parse::<u32>() {
        Ok(port @ 1..=65535) => Ok(port as u16),
        _ => Err("The port must be between 1 and 65535.".into()),
    }
}

/// Checks a host: a host name or an IP address, nothing else.
pub fn check_host(value: &str) -> Result<(), String> {
    if value.chars().any(char::is_whitespace) {
        return Err("A host has no spaces.".into());
    }
    if value.contains("://") {
        return Err("Enter the host name only, without http:// or any other scheme.".into());
    }
    if value.contains('/') || value.contains('?') || value.contains('#') {
        return Err("Enter the host name only, without a path.".into());
    }
    if value.contains('@') {
        return Err("Enter the host name only; the token has its own field.".into());
    }
    let bracketed = value.strip_prefix('[').and_then(|v| v.strip_suffix(']'));
    if bracketed.unwrap_or(value).parse::<Ipv6Addr>().is_ok() {
        return Ok(());
    }
    if value.contains(':') {
        return Err("Enter the port in its own field, not after the host.".into());
    }
    if is_host_name_or_ipv4(value) {
        Ok(())
    } else {
        Err("This is not a valid host name or IP address.".into())
    }
}

/// A DNS name (letters, digits, hyphens; labels of 1-63 characters) or a dotted IPv4 address.
fn is_host_name_or_ipv4(value: &str) -> bool {
    let name = value.strip_suffix('.').unwrap_or(value);
    if name.is_empty() || name.len() > 253 {
        return false;
    }
    let labels: Vec<&str> = name.split('.').collect();
    // A name whose last label is all digits can only be an IPv4 address: `999.1.1.1` or
    // `10.0.1` are typos, not host names.
    if labels
        .last()
        .is_some_and(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()))
    {
        return name.parse::<Ipv4Addr>().is_ok();
    }
    labels.iter().all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    })
}

fn check_region(value: &str) -> Result<(), String> {
    if DATADOG_REGIONS.contains(&value) {
        return Ok(());
    }
    // Region codes look like `eu`, `us3`, `eu-west-2`, `us1-fed`.
    let mut parts = value.split('-');
    let first = parts.next().unwrap_or("");
    let first_ok = first.len() >= 2
        && first.bytes().next().is_some_and(|b| b.is_ascii_lowercase())
        && first
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let rest_ok = parts.all(|p| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if first_ok && rest_ok && value.len() <= 32 {
        Ok(())
    } else {
        Err("Choose \"eu\" or \"us\", or enter a region code such as \"eu-west-2\".".into())
    }
}

/// Checks an absolute `http`/`https` URL with a valid host and optional port.
pub fn check_http_url(value: &str) -> Result<(), String> {
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("A URL has no spaces.".into());
    }
    let lower = value.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &value[8..]
    } else if lower.starts_with("http://") {
        &value[7..]
    } else {
        return Err("Enter a full URL starting with https:// or http://.".into());
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let (host, port) = split_host_port(host_port);
    if host.is_empty() {
        return Err("This URL has no host.".into());
    }
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<Ipv6Addr>().is_ok(),
        None => is_host_name_or_ipv4(host),
    };
    if !host_ok {
        return Err("The host of this URL is not a valid host name or IP address.".into());
    }
    if let Some(port) = port {
        check_port(port).map_err(|_| "The port of this URL must be between 1 and 65535.")?;
    }
    Ok(())
}

/// Splits `host:port`, leaving bracketed IPv6 addresses whole.
pub(super) fn split_host_port(host_port: &str) -> (&str, Option<&str>) {
    if host_port.starts_with('[') {
        return match host_port.find(']') {
            Some(end) => {
                let (host, rest) = host_port.split_at(end + 1);
                (host, rest.strip_prefix(':'))
            }
            None => (host_port, None),
        };
    }
    match host_port.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (host_port, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_field_has_its_own_slot_in_a_per_field_map() {
        let mut map = PerField::new();
        assert!(map.is_empty());
        for (i, key) in FieldKey::ALL.into_iter().enumerate() {
            assert_eq!(map.insert(key, i), None);
        }
        for (i, key) in FieldKey::ALL.into_iter().enumerate() {
            assert_eq!(map.get(&key), Some(&i), "{key:?}");
        }
        assert_eq!(map.remove(&FieldKey::Host), Some(1));
        assert!(!map.contains_key(&FieldKey::Host));
        assert!(map.contains_key(&FieldKey::Port));
        let again: PerField<usize> = FieldKey::ALL.into_iter().map(|k| (k, 0)).collect();
        assert!(FieldKey::ALL.iter().all(|k| again.get(k) == Some(&0)));
    }

    fn form(provider: Provider, values: &[(FieldKey, &str)]) -> DrainForm {
        let mut form = DrainForm::new(provider);
        for (k, v) in values {
            form.set(*k, *v);
        }
        form
    }

    /// The body as sent, read back by serde_json: an independent check of the writer.
    fn body(form: &DrainForm) -> serde_json::Value {
        let sent = form.validate().expect("valid form").to_body();
        serde_json::from_str(&sent).unwrap()
    }

    #[test]
    fn every_provider_has_its_api_type_label_and_at_least_one_required_field() {
        let types: Vec<_> = Provider::ALL.iter().map(|p| p.api_type()).collect();
        assert_eq!(
            types,
            [
                "appsignal",
                "betterstack",
                "datadog",
                "elk",
                "ovh-graylog",
                "papertrail",
                "syslog",
                "logentries"
            ]
        );
        for p in Provider::ALL {
            assert_eq!(Provider::from_api_type(p.api_type()), Some(p));
            assert!(!p.label().is_empty() && !p.help().is_empty());
            assert!(p.fields().iter().any(|f| f.required), "{p:?}");
        }
        assert_eq!(Provider::from_api_type("loggly"), None);
    }

    #[test]
    fn the_catalogue_matches_the_contract_table() {
        let required = |p: Provider| -> Vec<&str> {
            p.fields()
                .iter()
                .filter(|f| f.required)
                .map(|f| f.key.api_name())
                .collect()
        };
        let optional = |p: Provider| -> Vec<&str> {
            p.fields()
                .iter()
                .filter(|f| !f.required)
                .map(|f| f.key.api_name())
                .collect()
        };
        assert_eq!(required(Provider::AppSignal), ["token"]);
        assert_eq!(optional(Provider::AppSignal), ["host", "port"]);
        assert_eq!(required(Provider::BetterStack), ["token", "host"]);
        assert_eq!(required(Provider::Datadog), ["token", "drain_region"]);
        assert_eq!(required(Provider::Elk), ["url"]);
        assert_eq!(required(Provider::Logentries), ["token"]);
        assert_eq!(required(Provider::OvhGraylog), ["token", "host"]);
        assert_eq!(required(Provider::Papertrail), ["host", "port"]);
        assert_eq!(required(Provider::Syslog), ["host", "port"]);
        assert_eq!(optional(Provider::Syslog), ["token"]);
        assert!(Provider::Logentries.is_legacy());
    }

    #[test]
    fn the_documented_examples_are_accepted_and_sent_with_all_six_keys() {
        let ovh = form(
            Provider::OvhGraylog,
            &[
                (FieldKey::Token, "5af97be7-34e5-47b6-a016-8d0001228ffb"),
                (FieldKey::Host, "tag1.logs.ovh.com"),
            ],
        );
        assert_eq!(
            body(&ovh),
            serde_json::json!({"drain":{"type":"ovh-graylog","token":"5af97be7-34e5-47b6-a016-8d0001228ffb","host":"tag1.logs.ovh.com","port":"","drain_region":"","url":""}})
        );
        let datadog = form(
            Provider::Datadog,
            &[
                (FieldKey::Token, "5af97be7-34e5-47b6-a016-8d0001228ffb"),
                (FieldKey::DrainRegion, "eu-west-2"),
            ],
        );
        assert_eq!(body(&datadog)["drain"]["drain_region"], "eu-west-2");
        let papertrail = form(
            Provider::Papertrail,
            &[
                (FieldKey::Host, "logs2.papertrailapp.com"),
                (FieldKey::Port, "12345"),
            ],
        );
        assert_eq!(body(&papertrail)["drain"]["port"], "12345");
        let elk = form(
            Provider::Elk,
            &[(
                FieldKey::Url,
                "https://my-user:123456789abcdef@logstash-app-name.osc-fr1.scalingo.io",
            )],
        );
        assert_eq!(
            body(&elk)["drain"]["url"],
            "https://my-user:123456789abcdef@logstash-app-name.osc-fr1.scalingo.io"
        );
        for (p, values) in [
            (
                Provider::AppSignal,
                vec![(FieldKey::Token, "123456789abcdef")],
            ),
            (
                Provider::BetterStack,
                vec![
                    (FieldKey::Token, "123456789abcdef"),
                    (FieldKey::Host, "abcdef.eu-nbg-2.betterstackdata.com"),
                ],
            ),
            (
                Provider::Datadog,
                vec![
                    (FieldKey::Token, "123456789abcdef"),
                    (FieldKey::DrainRegion, "eu"),
                ],
            ),
            (
                Provider::OvhGraylog,
                vec![
                    (FieldKey::Token, "123456789abcdef"),
                    (FieldKey::Host, "tag3.logs.ovh.com"),
                ],
            ),
            (
                Provider::Syslog,
                vec![
                    (FieldKey::Host, "custom.logstash.com"),
                    (FieldKey::Port, "12345"),
                    (FieldKey::Token, "132456789abcdef"),
                ],
            ),
            (
                Provider::Logentries,
                vec![(FieldKey::Token, "5af97be7-34e5-47b6-a016-8d0001228ffb")],
            ),
        ] {
            let f = form(p, &values);
            let v = body(&f);
            assert_eq!(v["drain"]["type"], p.api_type());
            assert_eq!(v["drain"].as_object().unwrap().len(), 6, "{p:?}");
        }
    }

    #[test]
    fn fields_a_provider_does_not_use_are_sent_empty_even_if_typed() {
        let f = form(
            Provider::Papertrail,
            &[
                (FieldKey::Host, "logs.papertrailapp.com"),
                (FieldKey::Port, "10333"),
                (FieldKey::Token, "left over from another provider"),
                (FieldKey::Url, "not a url"),
            ],
        );
        let v = body(&f);
        assert_eq!(v["drain"]["token"], "");
        assert_eq!(v["drain"]["url"], "");
    }

    #[test]
    fn a_missing_required_field_is_refused_for_every_provider() {
        for p in Provider::ALL {
            let errors = form(p, &[]).validate().unwrap_err();
            for f in p.fields() {
                assert_eq!(errors.contains_key(&f.key), f.required, "{p:?} {:?}", f.key);
            }
        }
    }

    #[test]
    fn surrounding_whitespace_is_trimmed_but_inner_whitespace_is_refused() {
        let f = form(Provider::AppSignal, &[(FieldKey::Token, "  abc123\n")]);
        assert_eq!(body(&f)["drain"]["token"], "abc123");
        let f = form(Provider::AppSignal, &[(FieldKey::Token, "abc 123")]);
        assert!(f.validate().unwrap_err().contains_key(&FieldKey::Token));
    }

    #[test]
    fn hosts_with_a_scheme_path_port_or_space_are_refused_with_a_helpful_message() {
        assert!(check_host("https://logs.example.com")
            .unwrap_err()
            .contains("scheme"));
        assert!(check_host("logs.example.com/path")
            .unwrap_err()
            .contains("path"));
        assert!(check_host("logs.example.com:514")
            .unwrap_err()
            .contains("port"));
        assert!(check_host("logs example.com")
            .unwrap_err()
            .contains("spaces"));
        for bad in [
            "-logs.example.com",
            "logs..example.com",
            "logs_example.com",
            "999.1.1.1",
            "10.0.1",
            "tok@host.com",
            "ex\u{e9}mple.com",
            ".",
            &"a".repeat(64),
        ] {
            assert!(check_host(bad).is_err(), "{bad}");
        }
        for good in [
            "logs2.papertrailapp.com",
            "localhost",
            "192.168.1.10",
            "::1",
            "[2001:db8::1]",
            "abcdef.eu-nbg-2.betterstackdata.com",
            "example.com.",
            "1password.com",
        ] {
            assert!(check_host(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn tokens_that_would_break_the_drain_url_are_refused() {
        for bad in ["https://x", "user@host", "a/b", "a:b", "a?b", "a#b"] {
            assert!(check_token(bad).is_err(), "{bad}");
        }
        for good in ["5af97be7-34e5-47b6-a016-8d0001228ffb", "abc_DEF.123~+="] {
            assert!(check_token(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn ports_must_be_whole_numbers_between_1_and_65535() {
        assert_eq!(check_port("1"), Ok(1));
        assert_eq!(check_port("65535"), Ok(65535));
        for bad in ["0", "65536", "-1", "12a", "1.5", "", "99999999999999999999"] {
            assert!(check_port(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn datadog_regions_are_the_known_ones_or_well_formed_codes() {
        for good in ["eu", "us", "eu-west-2", "us3", "us1-fed"] {
            assert!(check_region(good).is_ok(), "{good}");
        }
        for bad in [
            "EU", "e", "eu west", "eu-", "-eu", "eu_west", "3eu", "eu..1",
        ] {
            assert!(check_region(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn elk_urls_must_be_absolute_http_urls_with_a_valid_host() {
        for good in [
            "https://my-user:123456789abcdef@logstash-app-name.osc-fr1.scalingo.io",
            "http://10.0.0.1:8080/logs",
            "HTTPS://example.com",
            "https://[::1]:9200/",
            "https://example.com?x=1",
        ] {
            assert!(check_http_url(good).is_ok(), "{good}");
        }
        for bad in [
            "logstash.example.com",
            "ftp://example.com",
            "https://",
            "https://exa mple.com",
            "https://example.com:0",
            "https://example.com:http",
            "https://user@/path",
            "javascript:alert(1)",
        ] {
            assert!(check_http_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_optional_field_left_empty_is_fine_but_if_filled_it_must_be_valid() {
        assert_eq!(
            validate_field(Provider::AppSignal, FieldKey::Port, ""),
            Ok(None)
        );
        assert!(validate_field(Provider::AppSignal, FieldKey::Port, "99999").is_err());
        assert_eq!(
            validate_field(Provider::Syslog, FieldKey::Token, " tok "),
            Ok(Some("tok".into()))
        );
    }

    #[test]
    fn server_field_names_map_back_to_form_fields() {
        for k in FieldKey::ALL {
            assert_eq!(FieldKey::from_api_name(k.api_name()), Some(k));
        }
        assert_eq!(
            FieldKey::from_api_name("drain-region"),
            Some(FieldKey::DrainRegion)
        );
        assert_eq!(FieldKey::from_api_name("type"), None);
    }

    proptest! {
        #[test]
        fn every_valid_port_is_accepted_and_sent_as_the_same_string(port in 1u32..=65535) {
            let f = form(Provider::Papertrail, &[(FieldKey::Host, "h.example"), (FieldKey::Port, &port.to_string())]);
            let sent = body(&f);
            prop_assert_eq!(sent["drain"]["port"].as_str().unwrap(), port.to_string());
        }

        #[test]
        fn out_of_range_ports_are_refused(port in prop_oneof![Just(0u64), 65536u64..u64::MAX]) {
            prop_assert!(check_port(&port.to_string()).is_err());
        }

        #[test]
        fn generated_host_names_are_accepted(labels in proptest::collection::vec("[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", 1..5), tld in "[a-z]{2,6}") {
            let host = format!("{}.{tld}", labels.join("."));
            prop_assert!(check_host(&host).is_ok(), "{}", host);
        }

        #[test]
        fn a_host_with_a_scheme_path_or_port_is_refused(host in "[a-z]{1,10}\\.[a-z]{2,5}", port in 1u16.., scheme in "(http|https|tcp|syslog)") {
            let with_scheme = format!("{scheme}://{host}");
            let with_port = format!("{host}:{port}");
            let with_path = format!("{host}/logs");
            prop_assert!(check_host(&with_scheme).is_err());
            prop_assert!(check_host(&with_port).is_err());
            prop_assert!(check_host(&with_path).is_err());
        }

        #[test]
        fn tokens_with_whitespace_inside_are_refused(a in "[a-z0-9]{1,10}", ws in "[ \t\n]", b in "[a-z0-9]{1,10}") {
            let token = format!("{a}{ws}{b}");
            prop_assert!(validate_field(Provider::Datadog, FieldKey::Token, &token).is_err());
        }

        #[test]
        fn validation_never_panics_on_arbitrary_input(p in 0usize..8, k in 0usize..5, raw in ".*") {
            let _ = validate_field(Provider::ALL[p], FieldKey::ALL[k], &raw);
        }
    }
}
