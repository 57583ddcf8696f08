//! The demo world: apps, their containers and addons, events and audit logs.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::{audit, clock};

/// The PostgreSQL addon of `example-app`, whose id the contract's examples use.
pub const POSTGRES_ID: &str = "ad-9be0fc04-bee6-4981-a403-a9dd4981bd1f";
/// The Redis addon of `example-app`, which refuses drains.
pub const REDIS_ID: &str = "ad-3c1d7e52-6a0b-4f8e-9d21-7b5e0c4a9f13";

/// A container type and how many instances run.
#[derive(Debug, Clone)]
pub struct ContainerType {
    /// Type name; instances are `name-1`, `name-2`, ….
    pub name: &'static str,
    /// Number of instances.
    pub amount: u32,
    /// Container size.
    pub size: &'static str,
}

/// An addon of an app.
#[derive(Debug, Clone)]
pub struct Addon {
    /// The addon id, also the `app_id` of its drains.
    pub id: &'static str,
    /// Provider id (`postgresql`, `redis`).
    pub provider_id: &'static str,
    /// Provider display name.
    pub provider_name: &'static str,
    /// Plan name.
    pub plan: &'static str,
    /// Whether the addon accepts log drains (only database addons with logs do).
    pub drains_allowed: bool,
    /// Container name its log lines carry, or none when it produces no logs.
    pub log_container: Option<&'static str>,
}

/// An app of the demo world.
#[derive(Debug, Clone)]
pub struct App {
    /// App id (24 hex digits, like the platform's).
    pub id: &'static str,
    /// App name, used in every URL.
    pub name: &'static str,
    /// Container types.
    pub containers: Vec<ContainerType>,
    /// Addons.
    pub addons: Vec<Addon>,
}

impl App {
    /// The instance names (`web-1`, `web-2`, `worker-1`).
    pub fn instances(&self) -> Vec<String> {
        self.containers
            .iter()
            .flat_map(|c| (1..=c.amount).map(move |i| format!("{}-{i}", c.name)))
            .collect()
    }

    /// The addon with this id.
    pub fn addon(&self, id: &str) -> Option<&Addon> {
        self.addons.iter().find(|a| a.id == id)
    }

    /// The app as `GET /v1/apps/:app` shows it.
    pub fn to_json(&self, started: i64) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "region": "osc-fr1",
            "status": if self.instances().is_empty() { "stopped" } else { "running" },
            "created_at": clock::api_time(started - 86_400 * 400),
            "updated_at": clock::api_time(started - 3600),
            "last_deployed_at": clock::api_time(started - 7200),
            "git_url": format!("git@ssh.osc-fr1.scalingo.com:{}.git", self.name),
            "url": format!("https://{}.osc-fr1.scalingo.io", self.name),
            "base_url": format!("https://{}.osc-fr1.scalingo.io", self.name),
            "owner": user(),
            "force_https": true,
            "stack_id": "st-8f0d1b4a-scalingo-22",
        })
    }
}

impl Addon {
    /// The addon as `GET /v1/apps/:app/addons` shows it.
    pub fn to_json(&self, app: &App, started: i64) -> Value {
        json!({
            "id": self.id,
            "app_id": app.id,
            "resource_id": format!("{}_{}", app.name.replace('-', "_"), self.provider_id),
            "status": "running",
            "provisioned_at": clock::api_time(started - 86_400 * 300),
            "addon_provider": {
                "id": self.provider_id,
                "name": self.provider_name,
                "logo_url": format!("https://cdn.scalingo.com/addons/{}.png", self.provider_id),
            },
            "plan": {
                "id": format!("pl-{}-{}", self.provider_id, self.plan),
                "name": self.plan,
                "display_name": self.plan.replace('-', " "),
            },
        })
    }
}

fn user() -> Value {
    json!({ "id": "us-0e3f5c2a-1d4b-4c7e-8a9f-2b6d0e1c3a5f", "username": "john", "email": "john@example.com" })
}

/// The three apps of the demo world.
pub fn apps() -> Vec<App> {
    vec![
        App {
            id: "5af97be7ff688d0001228ffb",
            name: "example-app",
            containers: vec![
                ContainerType {
                    name: "web",
                    amount: 2,
                    size: "M",
                },
                ContainerType {
                    name: "worker",
                    amount: 1,
                    size: "S",
                },
            ],
            addons: vec![
                Addon {
                    id: POSTGRES_ID,
                    provider_id: "postgresql",
                    provider_name: "PostgreSQL",
                    plan: "postgresql-starter-512",
                    drains_allowed: true,
                    log_container: Some("postgresql-1"),
                },
                Addon {
                    id: REDIS_ID,
                    provider_id: "redis",
                    provider_name: "Redis",
                    plan: "redis-sandbox",
                    drains_allowed: false,
                    log_container: None,
                },
            ],
        },
        App {
            id: "6b0a8cf8aa799e0002339aac",
            name: "billing-api",
            containers: vec![
                ContainerType {
                    name: "web",
                    amount: 1,
                    size: "S",
                },
                ContainerType {
                    name: "clock",
                    amount: 1,
                    size: "S",
                },
            ],
            addons: vec![],
        },
        // An app with nothing running and no logs, so the empty states can be seen.
        App {
            id: "7c1b9d09bb8aaf0003440bbd",
            name: "quiet-app",
            containers: vec![ContainerType {
                name: "web",
                amount: 0,
                size: "S",
            }],
            addons: vec![],
        },
    ]
}

/// The drains every fresh state starts with, keyed by target (`app:NAME` or `addon:ID`).
pub fn initial_drains() -> Vec<(String, Vec<String>)> {
    vec![
        (
            "app:example-app".into(),
            vec![
                "tcp+tls://logs2.papertrailapp.com:12345".into(),
                "https://webhook.logentries.com/noformat/logs/0b2a3f1c-9d8e-4f7a-b6c5-1e2d3c4b5a69"
                    .into(),
            ],
        ),
        (
            format!("addon:{POSTGRES_ID}"),
            vec!["ovh://:5af97be7-34e5-47b6-a016-8d0001228ffb@tag1.logs.ovh.com:6514".into()],
        ),
    ]
}

/// Events newest first, per app name, and the audit logs they point at.
#[derive(Debug, Default)]
pub struct History {
    /// Events per app, newest first.
    pub events: HashMap<String, Vec<Value>>,
    /// Audit logs by id, already serialized.
    pub audit_logs: HashMap<String, Arc<str>>,
}

impl History {
    /// Records a `run` event and its audit log as the app's newest event; returns (event id, audit log id).
    pub fn add_run(
        &mut self,
        app: &App,
        at: i64,
        command: &str,
        detached: bool,
        log: Arc<str>,
    ) -> (String, String) {
        let n = self.audit_logs.len() + 1;
        let audit_log_id = format!("al-{n:08x}-5f2e-4c1a-9b3d-{:012x}", at.unsigned_abs());
        let type_data = json!({
            "command": command,
            "audit_log_id": audit_log_id,
            "audit_log_size": log.len(),
            "detached": detached,
        });
        self.audit_logs.insert(audit_log_id.clone(), log);
        let event_id = self.push(app, at, "run", type_data);
        (event_id, audit_log_id)
    }

    /// Records an event as the app's newest; returns its id.
    pub fn push(&mut self, app: &App, at: i64, kind: &str, type_data: Value) -> String {
        let list = self.events.entry(app.name.to_string()).or_default();
        let id = format!("ev-{:08x}-{:04x}", at.unsigned_abs() as u32, list.len());
        let event = json!({
            "id": id,
            "created_at": clock::api_time(at),
            "user": user(),
            "app_id": app.id,
            "app_name": app.name,
            "type": kind,
            "type_data": type_data,
        });
        list.insert(0, event);
        id
    }
}

/// The demo world's past: deployments, restarts, scales and one-off sessions.
pub fn history(apps: &[App], started: i64) -> History {
    let mut h = History::default();
    let Some(app) = apps.iter().find(|a| a.name == "example-app") else {
        return h;
    };
    // The documented session is the oldest: its entries carry their 2019 times.
    h.add_run(
        app,
        1_556_897_246,
        "bash",
        false,
        Arc::from(audit::SEED_SESSION),
    );
    let mut at = started - 86_400 * 3;
    for day in 0..6 {
        at += 3_600 * 7;
        h.push(
            app,
            at,
            "deployment",
            json!({ "deployment_id": format!("dep-{day:04}"), "pusher": "john", "git_ref": format!("{:07x}", 0x3a1f9c0 + day * 977), "status": "success" }),
        );
        at += 600;
        h.push(app, at, "restart", json!({ "scope": ["web", "worker"] }));
        at += 900;
        h.push(
            app,
            at,
            "scale",
            json!({
                "containers": [{ "name": "web", "amount": 2, "size": "M" }],
                "previous_containers": [{ "name": "web", "amount": 1 + day % 2, "size": "M" }],
            }),
        );
        at += 300;
        h.push(app, at, "edit_variable", json!({ "name": "FEATURE_FLAGS" }));
    }
    let base = started - 7_200;
    h.add_run(
        app,
        base,
        "bundle exec rake db:migrate",
        false,
        Arc::from(audit::migration(app.name, base)),
    );
    h.add_run(
        app,
        base + 600,
        "htop",
        false,
        Arc::from(audit::full_screen(app.name, base + 600)),
    );
    h.add_run(
        app,
        base + 1_200,
        "",
        false,
        Arc::from(audit::operator(app.name, base + 1_200)),
    );
    h.add_run(
        app,
        base + 1_800,
        "bin/rails runner scripts/export.rb",
        true,
        Arc::from(audit::detached(base + 1_800)),
    );
    h.add_run(
        app,
        base + 3_000,
        "sh -l",
        false,
        Arc::from(audit::terminal_replies(app.name, base + 3_000)),
    );
    h.add_run(
        app,
        base + 2_400,
        "bin/rails runner scripts/reindex.rb",
        false,
        audit::long_session(),
    );
    if let Some(billing) = apps.iter().find(|a| a.name == "billing-api") {
        h.push(billing, started - 86_400, "deployment", json!({ "deployment_id": "dep-b001", "pusher": "john", "git_ref": "9c2e41d", "status": "success" }));
        h.push(
            billing,
            started - 80_000,
            "restart",
            json!({ "scope": ["clock"] }),
        );
    }
    h
}
