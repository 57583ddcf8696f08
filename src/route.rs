//! The dashboard's routes and their URL-fragment form (`#/apps/example-app/logs?filter=web`).
//!
//! Hash routing is a deliberate choice: deep links must reload on a plain static host with
//! no rewrite rules, under any sub-path, and inside portals that own the page path.
//! `leptos_router` 0.8 only routes on the path (hash routing was declined upstream), so
//! this small pure module does the parsing and the view switch lives in `crate::app`.

use crate::api::url::{decode_component, encode_component};

/// Query parameters of a route, in order, e.g. the log viewer's filter and search.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Query(Vec<(String, String)>);

impl Query {
    /// Parses `a=1&b=two` (without the leading `?`); malformed pairs are skipped.
    pub fn parse(text: &str) -> Self {
        Query(
            text.split('&')
                .filter(|pair| !pair.is_empty())
                .filter_map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    Some((decode_component(k)?, decode_component(v)?))
                })
                .collect(),
        )
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Sets `key` (replacing every previous value); an empty value removes it.
    pub fn set(&mut self, key: &str, value: &str) {
        self.0.retain(|(k, _)| k != key);
        if !value.is_empty() {
            self.0.push((key.to_owned(), value.to_owned()));
        }
    }

    /// Returns a copy with `key` set to `value`.
    pub fn with(mut self, key: &str, value: &str) -> Self {
        self.set(key, value);
        self
    }

    /// True when there is no parameter.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn encode(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// A view of the dashboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// The list of apps.
    Apps,
    /// The log drains of an app and its addons.
    Drains {
        /// App name.
        app: String,
    },
    /// The live log viewer of an app.
    Logs {
        /// App name.
        app: String,
        /// Viewer state kept in the URL (filter, search…).
        query: Query,
    },
    /// The live log viewer of a database addon.
    AddonLogs {
        /// App name.
        app: String,
        /// Addon id.
        addon: String,
        /// Viewer state kept in the URL.
        query: Query,
    },
    /// The one-off sessions of an app.
    Audit {
        /// App name.
        app: String,
        /// Page of the session list.
        query: Query,
    },
    /// The player of one audit log.
    AuditPlayer {
        /// App name.
        app: String,
        /// Audit log id.
        id: String,
    },
    /// Anything else; shown as "page not found" with a way back.
    NotFound(String),
}

impl Route {
    /// Parses a URL fragment, with or without the leading `#`.
    pub fn parse(fragment: &str) -> Route {
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        let (path, query) = fragment.split_once('?').unwrap_or((fragment, ""));
        let query = Query::parse(query);
        let segments: Option<Vec<String>> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(decode_component)
            .collect();
        let Some(segments) = segments else {
            return Route::NotFound(fragment.to_owned());
        };
        let segs: Vec<&str> = segments.iter().map(String::as_str).collect();
        match segs.as_slice() {
            [] | ["apps"] => Route::Apps,
            ["apps", app] | ["apps", app, "logs"] => Route::Logs {
                app: app.to_string(),
                query,
            },
            ["apps", app, "drains"] => Route::Drains {
                app: app.to_string(),
            },
            ["apps", app, "addons", addon, "logs"] => Route::AddonLogs {
                app: app.to_string(),
                addon: addon.to_string(),
                query,
            },
            ["apps", app, "audit"] => Route::Audit {
                app: app.to_string(),
                query,
            },
            ["apps", app, "audit", id] => Route::AuditPlayer {
                app: app.to_string(),
                id: id.to_string(),
            },
            _ => Route::NotFound(fragment.to_owned()),
        }
    }

    /// The fragment for this route, starting with `#/`.
    pub fn to_hash(&self) -> String {
        let seg = |s: &str| encode_component(s);
        let with_query = |path: String, q: &Query| {
            if q.is_empty() {
                path
            } else {
                format!("{path}?{}", q.encode())
            }
        };
        match self {
            Route::Apps => "#/".to_owned(),
            Route::Drains { app } => format!("#/apps/{}/drains", seg(app)),
            Route::Logs { app, query } => with_query(format!("#/apps/{}/logs", seg(app)), query),
            Route::AddonLogs { app, addon, query } => with_query(
                format!("#/apps/{}/addons/{}/logs", seg(app), seg(addon)),
                query,
            ),
            Route::Audit { app, query } => with_query(format!("#/apps/{}/audit", seg(app)), query),
            Route::AuditPlayer { app, id } => format!("#/apps/{}/audit/{}", seg(app), seg(id)),
            Route::NotFound(raw) => format!("#{raw}"),
        }
    }

    /// The app this route is about, if any.
    pub fn app(&self) -> Option<&str> {
        match self {
            Route::Drains { app }
            | Route::Logs { app, .. }
            | Route::AddonLogs { app, .. }
            | Route::Audit { app, .. }
            | Route::AuditPlayer { app, .. } => Some(app),
            Route::Apps | Route::NotFound(_) => None,
        }
    }

    /// The browser tab's title for this view, e.g. `Logs · example-app — Scalingo logs`.
    pub fn title(&self) -> String {
        let what = match self {
            Route::Apps => "Your apps".to_owned(),
            Route::NotFound(_) => "Page not found".to_owned(),
            Route::Drains { app } => format!("Drains · {app}"),
            Route::Logs { app, .. } => format!("Logs · {app}"),
            Route::AddonLogs { app, addon, .. } => format!("Addon logs · {app} · {addon}"),
            Route::Audit { app, .. } => format!("Audit · {app}"),
            Route::AuditPlayer { app, .. } => format!("Session replay · {app}"),
        };
        format!("{what} — {TITLE}")
    }

    /// Which tab of an app this route belongs to.
    pub fn section(&self) -> Option<Section> {
        match self {
            Route::Drains { .. } => Some(Section::Drains),
            Route::Logs { .. } | Route::AddonLogs { .. } => Some(Section::Logs),
            Route::Audit { .. } | Route::AuditPlayer { .. } => Some(Section::Audit),
            Route::Apps | Route::NotFound(_) => None,
        }
    }
}

/// The product's name, last in every browser tab title.
pub const TITLE: &str = "Scalingo logs";

/// The tabs of an app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// Log drains.
    Drains,
    /// Live logs.
    Logs,
    /// Audit log player.
    Audit,
}

impl Section {
    /// Every tab, in display order.
    pub const ALL: [Section; 3] = [Section::Logs, Section::Drains, Section::Audit];

    /// The tab's label.
    pub fn label(self) -> &'static str {
        match self {
            Section::Drains => "Drains",
            Section::Logs => "Logs",
            Section::Audit => "Audit",
        }
    }

    /// The landing route of this tab for `app`.
    pub fn route(self, app: &str) -> Route {
        let app = app.to_owned();
        match self {
            Section::Drains => Route::Drains { app },
            Section::Logs => Route::Logs {
                app,
                query: Query::default(),
            },
            Section::Audit => Route::Audit {
                app,
                query: Query::default(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_view_has_a_tab_title_that_names_it_and_its_app() {
        let title = |hash: &str| Route::parse(hash).title();
        assert_eq!(title("/"), "Your apps — Scalingo logs");
        assert_eq!(
            title("/apps/example-app/drains"),
            "Drains · example-app — Scalingo logs"
        );
        assert_eq!(
            title("/apps/example-app/logs?q=error"),
            "Logs · example-app — Scalingo logs"
        );
        assert_eq!(
            title("/apps/example-app/addons/ad-1/logs"),
            "Addon logs · example-app · ad-1 — Scalingo logs"
        );
        assert_eq!(
            title("/apps/example-app/audit"),
            "Audit · example-app — Scalingo logs"
        );
        assert_eq!(
            title("/apps/example-app/audit/ev-1"),
            "Session replay · example-app — Scalingo logs"
        );
        assert_eq!(title("/nowhere"), "Page not found — Scalingo logs");
    }

    #[test]
    fn every_route_survives_a_round_trip_through_its_fragment() {
        let routes = [
            Route::Apps,
            Route::Drains {
                app: "example-app".into(),
            },
            Route::Logs {
                app: "example-app".into(),
                query: Query::default()
                    .with("filter", "web|worker")
                    .with("q", "a b&c=d"),
            },
            Route::AddonLogs {
                app: "a".into(),
                addon: "ad-9be0".into(),
                query: Query::default(),
            },
            Route::Audit {
                app: "a".into(),
                query: Query::default().with("page", "2"),
            },
            Route::AuditPlayer {
                app: "my app/x".into(),
                id: "log#1".into(),
            },
        ];
        for route in routes {
            assert_eq!(Route::parse(&route.to_hash()), route, "{}", route.to_hash());
        }
    }

    #[test]
    fn empty_and_bare_fragments_land_on_the_app_list() {
        assert_eq!(Route::parse(""), Route::Apps);
        assert_eq!(Route::parse("#"), Route::Apps);
        assert_eq!(Route::parse("#/"), Route::Apps);
        assert_eq!(Route::parse("#/apps/"), Route::Apps);
    }

    #[test]
    fn an_app_link_without_a_tab_opens_its_logs() {
        assert_eq!(
            Route::parse("#/apps/example-app").section(),
            Some(Section::Logs)
        );
    }

    #[test]
    fn unknown_paths_are_not_found_and_keep_their_text() {
        assert_eq!(Route::parse("#/nope/x"), Route::NotFound("/nope/x".into()));
        assert_eq!(
            Route::parse("#/apps/a/%ZZ"),
            Route::NotFound("/apps/a/%ZZ".into())
        );
    }

    #[test]
    fn setting_an_empty_query_value_removes_the_parameter() {
        let q = Query::parse("filter=web&q=err").with("filter", "");
        assert_eq!(q.get("filter"), None);
        assert_eq!(q.get("q"), Some("err"));
    }
}
