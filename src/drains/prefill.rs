//! Editing a drain: the provider's form filled from the drain's URL, and the URL the server
//! builds from a form (the contract's table, API-CONTRACT.md "Log drains" > "Providers").
//!
//! Scalingo's API has no update for drains (a drain is its URL), so an edit is an add of the
//! new drain then a removal of the old one; this module only decides what the form opens
//! with. Pure, tested natively.

use super::mask::{host_is, host_of, parts};
use super::model::{split_host_port, DrainForm, FieldKey, Provider};

/// What the edit form opens with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Prefill {
    /// The provider's form with every value the URL holds: saving it unchanged would build
    /// the very same URL.
    Form(DrainForm),
    /// A drain the form cannot rebuild (a retired provider, or a URL shape the form does not
    /// produce): shown read-only, with this explanation.
    ReadOnly(&'static str),
}

/// Why a Logentries drain cannot be edited.
pub const LEGACY: &str = "Logentries was retired in 2022: its drains can no longer be changed, \
     only removed. Add a drain for another service, then remove this one.";

/// Why a drain whose URL the form does not recognise cannot be edited.
pub const UNKNOWN: &str =
    "This drain's URL has a shape the form does not produce (added by another \
     tool, or by an older version of the platform), so changing it here could lose part of it. \
     Add the new drain with \u{201c}Add a drain\u{201d}, then remove this one.";

/// Reads a drain URL back into its provider's form, or says why it cannot be edited.
///
/// The URL shapes are the contract's: `appsignal://:TOKEN@HOST[:PORT]`,
/// `https://:TOKEN@HOST` (Better Stack), `datadog://TOKEN?region=REGION`, any other
/// `http(s)://` URL (ELK, kept whole), `ovh://:TOKEN@HOST:6514`, `tcp+tls://HOST:PORT`
/// (Papertrail on `papertrailapp.com`, syslog without a token elsewhere) and
/// `syslog://:TOKEN@HOST:PORT`. A result is only offered when [`drain_url`] rebuilds the
/// exact URL from it and the form's checks accept it, so nothing of the drain is lost by
/// saving.
pub fn prefill(url: &str) -> Prefill {
    let Some(form) = read(url) else {
        return Prefill::ReadOnly(UNKNOWN);
    };
    if form.provider.is_legacy() {
        return Prefill::ReadOnly(LEGACY);
    }
    // Values the form itself would refuse (e.g. a region holding `&site=x`) are not a shape
    // the form produces either.
    if drain_url(&form).as_deref() != Some(url) || form.validate().is_err() {
        return Prefill::ReadOnly(UNKNOWN);
    }
    Prefill::Form(form)
}

fn form(provider: Provider, values: &[(FieldKey, &str)]) -> DrainForm {
    let mut form = DrainForm::new(provider);
    for (key, value) in values {
        form.set(*key, *value);
    }
    form
}

/// The provider and values a URL holds, if it has one of the contract's shapes.
fn read(url: &str) -> Option<DrainForm> {
    let p = parts(url)?;
    // `:TOKEN`, the userinfo of the schemes that carry a token as a password.
    let token = || p.userinfo.and_then(|u| u.strip_prefix(':'));
    let (host, port) = split_host_port(p.host_port);
    let host_port = || Some((host, port?));
    match p.scheme.as_str() {
        "datadog" if p.userinfo.is_none() => {
            let region = p.rest.strip_prefix("?region=")?;
            Some(form(
                Provider::Datadog,
                &[
                    (FieldKey::Token, p.host_port),
                    (FieldKey::DrainRegion, region),
                ],
            ))
        }
        "ovh" if p.rest.is_empty() && port == Some("6514") => Some(form(
            Provider::OvhGraylog,
            &[(FieldKey::Token, token()?), (FieldKey::Host, host)],
        )),
        "appsignal" if p.rest.is_empty() => {
            let mut values = vec![(FieldKey::Token, token()?), (FieldKey::Host, host)];
            values.extend(port.map(|port| (FieldKey::Port, port)));
            Some(form(Provider::AppSignal, &values))
        }
        "syslog" if p.rest.is_empty() => {
            let (host, port) = host_port()?;
            Some(form(
                Provider::Syslog,
                &[
                    (FieldKey::Host, host),
                    (FieldKey::Port, port),
                    (FieldKey::Token, token()?),
                ],
            ))
        }
        "tcp+tls" if p.rest.is_empty() && p.userinfo.is_none() => {
            let (host, port) = host_port()?;
            let provider = if host_is(&host_of(p.host_port), "papertrailapp.com") {
                Provider::Papertrail
            } else {
                Provider::Syslog
            };
            Some(form(
                provider,
                &[(FieldKey::Host, host), (FieldKey::Port, port)],
            ))
        }
        "http" | "https" if host_is(&host_of(p.host_port), "logentries.com") => {
            let token = p.rest.strip_prefix("/noformat/logs/")?;
            Some(form(Provider::Logentries, &[(FieldKey::Token, token)]))
        }
        // Better Stack drains are `https://:TOKEN@HOST`: a password and no user, no path.
        "https" if p.rest.is_empty() && token().is_some_and(|t| !t.is_empty()) => Some(form(
            Provider::BetterStack,
            &[(FieldKey::Token, token()?), (FieldKey::Host, host)],
        )),
        "http" | "https" if !host_is(&host_of(p.host_port), "betterstackdata.com") => {
            Some(form(Provider::Elk, &[(FieldKey::Url, url)]))
        }
        _ => None,
    }
}

/// The URL the server builds from `form` (the contract's table), with each value trimmed as
/// it is sent; `None` when a value the URL needs is missing. AppSignal's default host when
/// none is given is the server's choice: without a host there is no URL to predict.
pub fn drain_url(form: &DrainForm) -> Option<String> {
    let value = |key| {
        let v = form.value(key).trim();
        (!v.is_empty()).then_some(v)
    };
    let token = value(FieldKey::Token);
    let host = value(FieldKey::Host);
    let port = value(FieldKey::Port);
    Some(match form.provider {
        Provider::AppSignal => match port {
            Some(port) => format!("appsignal://:{}@{}:{port}", token?, host?),
            None => format!("appsignal://:{}@{}", token?, host?),
        },
        Provider::BetterStack => format!("https://:{}@{}", token?, host?),
        Provider::Datadog => format!(
            "datadog://{}?region={}",
            token?,
            value(FieldKey::DrainRegion)?
        ),
        Provider::Elk => value(FieldKey::Url)?.to_owned(),
        Provider::Logentries => format!("https://webhook.logentries.com/noformat/logs/{}", token?),
        Provider::OvhGraylog => format!("ovh://:{}@{}:6514", token?, host?),
        Provider::Papertrail => format!("tcp+tls://{}:{}", host?, port?),
        Provider::Syslog => match token {
            Some(token) => format!("syslog://:{token}@{}:{}", host?, port?),
            None => format!("tcp+tls://{}:{}", host?, port?),
        },
    })
}

/// The fields of `edited` whose value differs from `original`'s, in the form's order (all
/// of them when the provider changed): where a refusal of the new URL as a whole, such as
/// "has already been taken", belongs.
pub fn changed_fields(original: &DrainForm, edited: &DrainForm) -> Vec<FieldKey> {
    edited
        .provider
        .fields()
        .iter()
        .map(|f| f.key)
        .filter(|key| {
            original.provider != edited.provider
                || original.value(*key).trim() != edited.value(*key).trim()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn filled(url: &str) -> DrainForm {
        match prefill(url) {
            Prefill::Form(form) => form,
            Prefill::ReadOnly(why) => panic!("{url} opened read-only: {why}"),
        }
    }

    #[test]
    fn each_provider_s_url_in_the_contract_table_opens_its_form_filled() {
        /// A drain URL, the provider it opens as, and the values its fields hold.
        type Case<'a> = (&'a str, Provider, &'a [(FieldKey, &'a str)]);
        let cases: &[Case] = &[
            (
                "appsignal://:appsig-0123456789abcdef@appsignal-endpoint.net",
                Provider::AppSignal,
                &[
                    (FieldKey::Token, "appsig-0123456789abcdef"),
                    (FieldKey::Host, "appsignal-endpoint.net"),
                ],
            ),
            (
                "appsignal://:tok@logs.example.com:6514",
                Provider::AppSignal,
                &[
                    (FieldKey::Token, "tok"),
                    (FieldKey::Host, "logs.example.com"),
                    (FieldKey::Port, "6514"),
                ],
            ),
            (
                "https://:bstk-0123456789abcdef@abcdef.eu-nbg-2.betterstackdata.com",
                Provider::BetterStack,
                &[
                    (FieldKey::Token, "bstk-0123456789abcdef"),
                    (FieldKey::Host, "abcdef.eu-nbg-2.betterstackdata.com"),
                ],
            ),
            (
                "datadog://5af97be7-34e5-47b6-a016-8d0001228ffb?region=eu-west-2",
                Provider::Datadog,
                &[
                    (FieldKey::Token, "5af97be7-34e5-47b6-a016-8d0001228ffb"),
                    (FieldKey::DrainRegion, "eu-west-2"),
                ],
            ),
            (
                "https://my-user:123456789abcdef@logstash-app-name.osc-fr1.scalingo.io",
                Provider::Elk,
                &[(
                    FieldKey::Url,
                    "https://my-user:123456789abcdef@logstash-app-name.osc-fr1.scalingo.io",
                )],
            ),
            (
                "http://10.0.0.1:8080/logs?x=1",
                Provider::Elk,
                &[(FieldKey::Url, "http://10.0.0.1:8080/logs?x=1")],
            ),
            (
                "ovh://:5af97be7-34e5-47b6-a016-8d0001228ffb@tag1.logs.ovh.com:6514",
                Provider::OvhGraylog,
                &[
                    (FieldKey::Token, "5af97be7-34e5-47b6-a016-8d0001228ffb"),
                    (FieldKey::Host, "tag1.logs.ovh.com"),
                ],
            ),
            (
                "tcp+tls://logs.papertrailapp.com:10333",
                Provider::Papertrail,
                &[
                    (FieldKey::Host, "logs.papertrailapp.com"),
                    (FieldKey::Port, "10333"),
                ],
            ),
            (
                "tcp+tls://custom.logstash.com:12345",
                Provider::Syslog,
                &[
                    (FieldKey::Host, "custom.logstash.com"),
                    (FieldKey::Port, "12345"),
                ],
            ),
            (
                "syslog://:5af97b34e547b6a016@custom.logs.com:1234",
                Provider::Syslog,
                &[
                    (FieldKey::Host, "custom.logs.com"),
                    (FieldKey::Port, "1234"),
                    (FieldKey::Token, "5af97b34e547b6a016"),
                ],
            ),
        ];
        for (url, provider, values) in cases {
            let form = filled(url);
            assert_eq!(form.provider, *provider, "{url}");
            for key in FieldKey::ALL {
                let expected = values
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map_or("", |(_, v)| v);
                assert_eq!(form.value(key), expected, "{url} {key:?}");
            }
            // The form as opened passes the form's own checks, so it can be saved as is.
            assert!(form.validate().is_ok(), "{url}");
        }
    }

    #[test]
    fn logentries_drains_open_read_only_as_a_retired_provider() {
        assert_eq!(
            prefill(
                "https://webhook.logentries.com/noformat/logs/0b2a3f1c-9d8e-4f7a-b6c5-1e2d3c4b5a69"
            ),
            Prefill::ReadOnly(LEGACY)
        );
    }

    #[test]
    fn unknown_and_non_rebuildable_shapes_open_read_only() {
        for url in [
            "loggly://token@logs-01.loggly.com",
            "udp://logs.example.com:514",
            "not a url",
            "",
            // An OVH port other than the one the form builds.
            "ovh://:tok@tag1.logs.ovh.com:12201",
            // Datadog with a parameter the form cannot carry.
            "datadog://tok?region=eu&site=x",
            "datadog://tok",
            // A user name where the form only has a token.
            "syslog://user:tok@custom.logs.com:1234",
            "ovh://user:tok@tag1.logs.ovh.com:6514",
            // A path where the form has none.
            "tcp+tls://logs.papertrailapp.com:10333/x",
            "tcp+tls://logs.papertrailapp.com",
            // Better Stack's host without its token.
            "https://abcdef.eu-nbg-2.betterstackdata.com/path",
        ] {
            assert_eq!(prefill(url), Prefill::ReadOnly(UNKNOWN), "{url}");
        }
    }

    #[test]
    fn a_changed_value_or_provider_names_the_fields_that_changed() {
        let original = filled("tcp+tls://logs.papertrailapp.com:10333");
        let mut edited = original.clone();
        edited.set(FieldKey::Port, "10334");
        assert_eq!(changed_fields(&original, &edited), [FieldKey::Port]);
        edited.set(FieldKey::Port, " 10333 ");
        assert!(changed_fields(&original, &edited).is_empty());
        edited.provider = Provider::Syslog;
        assert_eq!(
            changed_fields(&original, &edited),
            [FieldKey::Host, FieldKey::Port, FieldKey::Token]
        );
    }

    #[test]
    fn the_url_needs_every_value_its_shape_holds() {
        let mut form = DrainForm::new(Provider::Datadog);
        form.set(FieldKey::Token, "tok");
        assert_eq!(drain_url(&form), None);
        form.set(FieldKey::DrainRegion, " us ");
        assert_eq!(drain_url(&form).as_deref(), Some("datadog://tok?region=us"));
    }

    proptest! {
        #[test]
        fn a_drain_built_from_a_valid_form_opens_with_the_same_values(
            p in 0usize..8,
            token in "[A-Za-z0-9_~+=.-]{1,40}",
            host in "[a-z][a-z0-9-]{0,10}[a-z0-9]\\.[a-z]{2,6}",
            port in 1u16..,
            region in "(eu|us|eu-west-2|us3)",
            with_port in any::<bool>(),
            with_token in any::<bool>(),
        ) {
            let provider = Provider::ALL[p];
            prop_assume!(!provider.is_legacy());
            let port = port.to_string();
            let mut form = DrainForm::new(provider);
            for f in provider.fields() {
                let value = match f.key {
                    FieldKey::Token if f.required || with_token => token.clone(),
                    FieldKey::Host => host.clone(),
                    FieldKey::Port if f.required || with_port => port.clone(),
                    FieldKey::DrainRegion => region.clone(),
                    FieldKey::Url => format!("https://user:{token}@{host}:{port}/in"),
                    _ => continue,
                };
                form.set(f.key, value);
            }
            prop_assume!(form.validate().is_ok());
            let url = drain_url(&form).expect("a valid form builds a URL");
            let opened = match prefill(&url) {
                Prefill::Form(opened) => opened,
                Prefill::ReadOnly(why) => panic!("{url}: {why}"),
            };
            // Papertrail and token-less syslog build the same URL: either reading is right
            // as long as it rebuilds the same drain.
            prop_assert_eq!(drain_url(&opened), Some(url.clone()));
            if provider != Provider::Syslog && provider != Provider::Papertrail {
                prop_assert_eq!(&opened, &form);
            }
        }

        #[test]
        fn prefilling_never_panics(url in ".*") {
            let _ = prefill(&url);
        }
    }
}
