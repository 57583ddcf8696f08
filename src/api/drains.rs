//! API calls of the drains feature: list, add and remove the drains of an app and its addons,
//! and the types they send and receive.

use futures::future::join_all;
use serde::{Deserialize, Serialize, Serializer};

use super::apps::Addon;
use super::decode::{decode, or_default};
use super::{url::segment, ApiClient, ApiError, Request};

/// Where a drain lives: on the app itself or on one of its addons.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    /// The app.
    App,
    /// The addon with this id (`ad-…`).
    Addon(String),
}

impl Target {
    fn path(&self, app: &str) -> String {
        match self {
            Target::App => format!("/v1/apps/{}/log_drains", segment(app)),
            Target::Addon(id) => format!(
                "/v1/apps/{}/addons/{}/log_drains",
                segment(app),
                segment(id)
            ),
        }
    }
}

/// A drain as the API lists it; its URL identifies it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Drain {
    /// The app (or, for addon drains, the addon) it belongs to; absent in some answers.
    #[serde(default, deserialize_with = "or_default")]
    pub app_id: String,
    /// The URL the server built; it holds credentials.
    pub url: String,
}

/// A drain to add, as the drain form built it once every field passed its checks
/// (`crate::drains::model::DrainForm::validate` is the only producer; nothing else should
/// build one). Serialised as the contract's inner object: all six keys, `""` for the unused
/// ones, the port as a string, like go-scalingo.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DrainRequest {
    /// The provider's API `type`, e.g. `ovh-graylog`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The provider's token, or `""`.
    pub token: String,
    /// The host, or `""`.
    pub host: String,
    /// The port, sent as text (`""` when unused).
    #[serde(serialize_with = "port_text")]
    pub port: Option<u16>,
    /// The Datadog region, or `""`.
    pub drain_region: String,
    /// The ELK URL, or `""`.
    pub url: String,
}

fn port_text<S: Serializer>(port: &Option<u16>, s: S) -> Result<S::Ok, S::Error> {
    match port {
        Some(port) => s.collect_str(port),
        None => s.serialize_str(""),
    }
}

/// The add request's body, `{"drain":{"type",…}}`.
#[derive(Serialize)]
struct AddBody<'a> {
    drain: &'a DrainRequest,
}

impl DrainRequest {
    /// The add request's body, `{"drain":{"type",…}}`, as sent.
    pub fn to_body(&self) -> String {
        serde_json::to_string(&AddBody { drain: self }).unwrap_or_default()
    }
}

/// `{"drains":[…]}`.
#[derive(Deserialize)]
struct Drains {
    drains: Vec<Drain>,
}

/// `{"drain":{…}}`.
#[derive(Deserialize)]
struct Added {
    drain: Drain,
}

/// Parses a list answer in either shape: `{"drains":[…]}` as the clients read it, or the
/// bare array of older documentation.
pub fn parse_list(body: &str) -> Result<Vec<Drain>, ApiError> {
    // The first character tells the shapes apart; an untagged enum would, too, but it would
    // replace the error that names the wrong member with "did not match any variant".
    if body.trim_start().starts_with('[') {
        decode(body)
    } else {
        Ok(decode::<Drains>(body)?.drains)
    }
}

/// Parses an add answer in either shape: `{"drain":{…}}`, or the bare drain object.
pub fn parse_added(body: &str) -> Result<Drain, ApiError> {
    // The wrapped shape first, then the bare one, whose error is the one shown.
    decode::<Added>(body)
        .map(|added| added.drain)
        .or_else(|_| decode(body))
}

/// The drains of `app` or of one of its addons.
pub async fn list(api: &ApiClient, app: &str, target: &Target) -> Result<Vec<Drain>, ApiError> {
    let body = api.send(Request::get(target.path(app))).await?;
    parse_list(&body)
}

/// Adds a validated drain to `target` and returns it with the URL the server built.
pub async fn add(
    api: &ApiClient,
    app: &str,
    target: &Target,
    drain: &DrainRequest,
) -> Result<Drain, ApiError> {
    let body = api
        .send(Request::post(target.path(app), &AddBody { drain }))
        .await?;
    parse_added(&body)
}

/// Removes the drain with this URL from `target`.
///
/// The URL travels both in the query string (as go-scalingo sends it) and in a JSON body
/// (as the documentation shows), so either kind of server finds it.
pub async fn remove(
    api: &ApiClient,
    app: &str,
    target: &Target,
    url: &str,
) -> Result<(), ApiError> {
    #[derive(Serialize)]
    struct Body<'a> {
        url: &'a str,
    }
    api.send(
        Request::delete(target.path(app))
            .query("url", url)
            .json(&Body { url }),
    )
    .await
    .map(|_| ())
}

/// What the list shows for one addon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddonDrains {
    /// The addon's drains.
    Drains(Vec<Drain>),
    /// The addon refuses drains (only database addons produce logs); the server's message.
    Unsupported(String),
}

/// One addon and its drains.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddonSection {
    /// The addon.
    pub addon: Addon,
    /// Its drains, or why there are none to show.
    pub drains: AddonDrains,
}

/// The drains of an app and of every addon, like `scalingo log-drains --with-addons`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Overview {
    /// The app's own drains.
    pub app: Vec<Drain>,
    /// One section per addon, in the API's order.
    pub addons: Vec<AddonSection>,
}

impl Overview {
    /// The addons that accept drains (whose list could be read).
    pub fn drain_addons(&self) -> impl Iterator<Item = &Addon> {
        self.addons
            .iter()
            .filter(|s| matches!(s.drains, AddonDrains::Drains(_)))
            .map(|s| &s.addon)
    }

    /// Every target whose list currently holds `url`, the app first.
    pub fn targets_with(&self, url: &str) -> Vec<Target> {
        let mut targets = Vec::new();
        if self.app.iter().any(|d| d.url == url) {
            targets.push(Target::App);
        }
        for section in &self.addons {
            if let AddonDrains::Drains(drains) = &section.drains {
                if drains.iter().any(|d| d.url == url) {
                    targets.push(Target::Addon(section.addon.id.clone()));
                }
            }
        }
        targets
    }

    /// The drains of `target`, when it is listed and accepts drains.
    fn drains_mut(&mut self, target: &Target) -> Option<&mut Vec<Drain>> {
        match target {
            Target::App => Some(&mut self.app),
            Target::Addon(id) => self.addons.iter_mut().find_map(|s| match &mut s.drains {
                AddonDrains::Drains(d) if &s.addon.id == id => Some(d),
                _ => None,
            }),
        }
    }

    /// Records that `drain` was added to `target` (no-op if already listed there).
    pub fn insert(&mut self, target: &Target, drain: Drain) {
        if let Some(list) = self.drains_mut(target) {
            if !list.iter().any(|d| d.url == drain.url) {
                list.push(drain);
            }
        }
    }

    /// Records that `url` is gone from `target`, and only from it.
    pub fn forget(&mut self, target: &Target, url: &str) {
        if let Some(list) = self.drains_mut(target) {
            list.retain(|d| d.url != url);
        }
    }

    /// A human name for `target`, e.g. `the app` or `PostgreSQL (ad-9be0fc04)`.
    pub fn target_label(&self, target: &Target) -> String {
        match target {
            Target::App => "the app".to_owned(),
            Target::Addon(id) => self
                .addons
                .iter()
                .find(|s| &s.addon.id == id)
                .map_or_else(|| id.clone(), |s| s.addon.label()),
        }
    }
}

/// Whether an addon's 400 means "this addon does not take drains" rather than a failure:
/// the server's message when it does.
pub fn is_unsupported(err: &ApiError) -> Option<String> {
    match err {
        ApiError::BadRequest { message, .. } => Some(message.clone()),
        _ => None,
    }
}

/// What happened on each target of a multi-target add or remove.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome<T> {
    /// Targets where it worked, with what the server returned.
    pub done: Vec<(Target, T)>,
    /// Targets where it failed, and why.
    pub failed: Vec<(Target, ApiError)>,
}

/// Adds `drain` to each of `targets`, one after the other, stopping at the first target if
/// that one fails (typically the app with a validation error: the rest would fail alike).
pub async fn add_to_targets(
    api: &ApiClient,
    app: &str,
    targets: &[Target],
    drain: &DrainRequest,
) -> Outcome<Drain> {
    let mut outcome = Outcome {
        done: Vec::new(),
        failed: Vec::new(),
    };
    for (i, target) in targets.iter().enumerate() {
        match add(api, app, target, drain).await {
            Ok(added) => outcome.done.push((target.clone(), added)),
            Err(err) => {
                outcome.failed.push((target.clone(), err));
                if i == 0 {
                    break;
                }
            }
        }
    }
    outcome
}

/// Removes `url` from each of `targets`. A 404 counts as removed: the drain is not there any
/// more, which is what the user asked for.
pub async fn remove_from_targets(
    api: &ApiClient,
    app: &str,
    targets: &[Target],
    url: &str,
) -> Outcome<()> {
    let results = join_all(targets.iter().map(|t| remove(api, app, t, url))).await;
    let mut outcome = Outcome {
        done: Vec::new(),
        failed: Vec::new(),
    };
    for (target, result) in targets.iter().cloned().zip(results) {
        match result {
            Ok(()) | Err(ApiError::NotFound { .. }) => outcome.done.push((target, ())),
            Err(err) => outcome.failed.push((target, err)),
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::apps::AddonProvider;

    fn addon(id: &str, name: &str) -> Addon {
        Addon {
            id: id.into(),
            addon_provider: AddonProvider {
                id: name.to_lowercase(),
                name: name.into(),
            },
            plan: None,
        }
    }

    fn drain(url: &str) -> Drain {
        Drain {
            app_id: "a".into(),
            url: url.into(),
        }
    }

    fn overview() -> Overview {
        Overview {
            app: vec![drain("tcp+tls://h:1"), drain("ovh://:t@h:6514")],
            addons: vec![
                AddonSection {
                    addon: addon("ad-pg", "PostgreSQL"),
                    drains: AddonDrains::Drains(vec![drain("ovh://:t@h:6514")]),
                },
                AddonSection {
                    addon: addon("ad-redis", "Redis"),
                    drains: AddonDrains::Unsupported("no".into()),
                },
            ],
        }
    }

    #[test]
    fn lists_are_read_in_the_current_and_the_pre_2020_shapes() {
        let wrapped = r#"{"drains":[{"app_id":"5af9","url":"ovh://:t@tag1.logs.ovh.com:6514"}]}"#;
        let bare = r#"[{"app_id":"5af9","url":"ovh://:t@tag1.logs.ovh.com:6514"}]"#;
        assert_eq!(parse_list(wrapped).unwrap(), parse_list(bare).unwrap());
        assert_eq!(parse_list(r#"{"drains":[]}"#).unwrap(), vec![]);
        assert!(matches!(parse_list("{}"), Err(ApiError::Decode(_))));
    }

    #[test]
    fn a_list_error_names_the_member_and_where_the_bad_drain_is() {
        let err = parse_list(r#"{"drains":[{"url":"a"},{"app_id":"b"}]}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Unexpected answer from the server: missing field `url` at line 1 column 37"
        );
        let err = parse_list(r#"[{"url":5}]"#).unwrap_err();
        assert!(
            err.to_string()
                .contains("invalid type: integer `5`, expected a string at line 1 column 9"),
            "{err}"
        );
    }

    #[test]
    fn an_add_request_is_the_contracts_body_with_all_six_keys() {
        let request = DrainRequest {
            kind: "papertrail",
            token: String::new(),
            host: "logs2.papertrailapp.com".into(),
            port: Some(12345),
            drain_region: String::new(),
            url: "\"quoted\"".into(),
        };
        assert_eq!(
            request.to_body(),
            r#"{"drain":{"type":"papertrail","token":"","host":"logs2.papertrailapp.com","port":"12345","drain_region":"","url":"\"quoted\""}}"#
        );
        let unused = DrainRequest {
            port: None,
            ..request
        };
        assert!(unused.to_body().contains(r#""port":"""#));
    }

    #[test]
    fn an_added_drain_is_read_with_or_without_its_app_id() {
        let d = parse_added(r#"{"drain":{"url":"datadog://t?region=eu"}}"#).unwrap();
        assert_eq!(d.url, "datadog://t?region=eu");
        assert_eq!(d.app_id, "");
        assert!(parse_added(r#"{"url":"x","app_id":"y"}"#).is_ok());
    }

    #[test]
    fn paths_encode_the_app_and_addon() {
        assert_eq!(Target::App.path("my app"), "/v1/apps/my%20app/log_drains");
        assert_eq!(
            Target::Addon("ad-1".into()).path("a"),
            "/v1/apps/a/addons/ad-1/log_drains"
        );
    }

    #[test]
    fn removal_targets_are_every_list_that_holds_the_url() {
        let o = overview();
        assert_eq!(
            o.targets_with("ovh://:t@h:6514"),
            vec![Target::App, Target::Addon("ad-pg".into())]
        );
        assert_eq!(o.targets_with("tcp+tls://h:1"), vec![Target::App]);
        assert!(o.targets_with("nope").is_empty());
    }

    #[test]
    fn forgetting_a_drain_on_one_target_keeps_it_on_the_others() {
        let mut o = overview();
        o.forget(&Target::App, "ovh://:t@h:6514");
        assert_eq!(o.app, vec![drain("tcp+tls://h:1")]);
        assert_eq!(
            o.targets_with("ovh://:t@h:6514"),
            vec![Target::Addon("ad-pg".into())]
        );
    }

    #[test]
    fn inserting_a_drain_lists_it_once_and_never_on_an_addon_without_drains() {
        let mut o = overview();
        o.insert(&Target::Addon("ad-pg".into()), drain("datadog://x"));
        o.insert(&Target::Addon("ad-pg".into()), drain("datadog://x"));
        o.insert(&Target::Addon("ad-redis".into()), drain("datadog://x"));
        assert_eq!(
            o.targets_with("datadog://x"),
            vec![Target::Addon("ad-pg".into())]
        );
    }

    #[test]
    fn only_addons_that_accept_drains_are_offered() {
        let ids: Vec<_> = overview().drain_addons().map(|a| a.id.clone()).collect();
        assert_eq!(ids, ["ad-pg"]);
        assert_eq!(overview().target_label(&Target::App), "the app");
        assert_eq!(
            overview().target_label(&Target::Addon("ad-pg".into())),
            "PostgreSQL (ad-pg)"
        );
    }

    #[test]
    fn a_400_on_an_addon_means_it_does_not_take_drains() {
        let err =
            ApiError::from_response(400, r#"{"error":"This addon doesn't support log drains"}"#);
        assert_eq!(
            is_unsupported(&err).as_deref(),
            Some("This addon doesn't support log drains")
        );
        assert_eq!(is_unsupported(&ApiError::RateLimited), None);
    }
}
