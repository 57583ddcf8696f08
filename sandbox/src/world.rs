//! The demo world: apps, their containers and addons, events and audit logs.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{json, Value};

use crate::rng::Rng;
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

/// Someone who acts on the demo apps, as an event's `user` shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person {
    /// User id.
    pub id: &'static str,
    /// Username; empty for the platform's operators, whom events name by email only.
    pub username: &'static str,
    /// Email.
    pub email: &'static str,
}

impl Person {
    /// The `user` object of an event.
    pub fn to_json(self) -> Value {
        json!({ "id": self.id, "username": self.username, "email": self.email })
    }
}

/// The owner of every demo app.
pub const JOHN: Person = Person {
    id: "us-0e3f5c2a-1d4b-4c7e-8a9f-2b6d0e1c3a5f",
    username: "john",
    email: "john@example.com",
};
/// A collaborator.
pub const ALICE: Person = Person {
    id: "us-4a1b2c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
    username: "alice",
    email: "alice@example.com",
};
/// A collaborator.
pub const BOB: Person = Person {
    id: "us-7d8e9f0a-1b2c-4d3e-9f4a-5b6c7d8e9f0a",
    username: "bob",
    email: "bob@example.com",
};
/// A collaborator who joined late.
pub const CAROL: Person = Person {
    id: "us-2f3e4d5c-6b7a-4c8d-9e0f-1a2b3c4d5e6f",
    username: "carol",
    email: "carol@example.com",
};
/// A Scalingo operator: events name them by email only.
pub const OPERATOR: Person = Person {
    id: "us-5c0a1190-0000-4000-8000-5ca1190a0001",
    username: "",
    email: "support@scalingo.com",
};

fn user() -> Value {
    JOHN.to_json()
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
    /// Records a `run` event by the owner and its audit log as the app's newest event;
    /// returns (event id, audit log id).
    pub fn add_run(
        &mut self,
        app: &App,
        at: i64,
        command: &str,
        detached: bool,
        log: Arc<str>,
    ) -> (String, String) {
        self.add_run_by(app, JOHN, at, command, detached, log)
    }

    /// Records a `run` event by `who` and its audit log as the app's newest event;
    /// returns (event id, audit log id).
    pub fn add_run_by(
        &mut self,
        app: &App,
        who: Person,
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
        let event_id = self.push_by(app, who, at, "run", type_data);
        (event_id, audit_log_id)
    }

    /// Records an event by the owner as the app's newest; returns its id.
    pub fn push(&mut self, app: &App, at: i64, kind: &str, type_data: Value) -> String {
        self.push_by(app, JOHN, at, kind, type_data)
    }

    /// Records an event by `who` as the app's newest; returns its id.
    pub fn push_by(
        &mut self,
        app: &App,
        who: Person,
        at: i64,
        kind: &str,
        type_data: Value,
    ) -> String {
        let list = self.events.entry(app.name.to_string()).or_default();
        let id = format!("ev-{:08x}-{:04x}", at.unsigned_abs() as u32, list.len());
        let event = json!({
            "id": id,
            "created_at": clock::api_time(at),
            "user": who.to_json(),
            "app_id": app.id,
            "app_name": app.name,
            "type": kind,
            "type_data": type_data,
        });
        list.insert(0, event);
        id
    }
}

/// When `example-app` was created: the day before the documented session.
const EXAMPLE_APP_CREATED: i64 = 1_556_810_000;
/// The documented session's start, as its audit log's first entry says.
const SEED_SESSION_AT: i64 = 1_556_897_246;
/// Days of busy recent history (a deployment or more a day, restarts, scales, alerts…).
const BUSY_DAYS: i64 = 35;
const DAY: i64 = 86_400;

/// What one planned event of the history is.
enum Planned {
    /// Any event but a one-off session.
    Event(&'static str, Value),
    /// A one-off session: command, detached, audit log.
    Run(String, bool, Arc<str>),
}

/// An app's past, planned out of order and then recorded oldest first.
struct Plan<'a> {
    app: &'a App,
    entries: Vec<(i64, Person, Planned)>,
}

impl<'a> Plan<'a> {
    fn new(app: &'a App) -> Self {
        Plan {
            app,
            entries: Vec::new(),
        }
    }

    fn event(&mut self, at: i64, who: Person, kind: &'static str, data: Value) {
        self.entries.push((at, who, Planned::Event(kind, data)));
    }

    fn run(&mut self, at: i64, who: Person, command: &str, detached: bool, log: Arc<str>) {
        self.entries
            .push((at, who, Planned::Run(command.into(), detached, log)));
    }

    /// `count` routine events spread evenly (with jitter) over `from..to`.
    fn routine(&mut self, rng: &mut Rng, from: i64, to: i64, count: i64, team: &[Person]) {
        let step = (to - from) / count.max(1);
        for i in 0..count {
            let at = from + i * step + rng.below(step.max(1) as u64) as i64;
            let who = *rng.pick(team);
            let (kind, data) = routine_event(rng, self.app, who, i);
            self.event(at, who, kind, data);
        }
    }

    fn record(mut self, h: &mut History) {
        // Stable: events planned at the same second keep their planned order.
        self.entries.sort_by_key(|(at, _, _)| *at);
        for (at, who, planned) in self.entries {
            match planned {
                Planned::Event(kind, data) => {
                    h.push_by(self.app, who, at, kind, data);
                }
                Planned::Run(command, detached, log) => {
                    h.add_run_by(self.app, who, at, &command, detached, log);
                }
            }
        }
    }
}

/// One everyday event of `app` by `who`, of a type drawn by how often apps see it.
fn routine_event(rng: &mut Rng, app: &App, who: Person, n: i64) -> (&'static str, Value) {
    let types: Vec<&str> = app.containers.iter().map(|c| c.name).collect();
    let container = *rng.pick(&types);
    let variables = [
        "FEATURE_FLAGS",
        "RAILS_MAX_THREADS",
        "SENTRY_DSN",
        "WEB_CONCURRENCY",
        "MAILER_FROM",
        "CACHE_TTL",
    ];
    match rng.below(100) {
        0..=21 => {
            let status = match rng.below(20) {
                0 => "build-error",
                1 => "crashed-error",
                _ => "success",
            };
            (
                "deployment",
                json!({
                    "deployment_id": format!("dep-{:08x}", rng.next_u64() as u32),
                    "pusher": who.username,
                    "git_ref": format!("{:07x}", rng.next_u64() & 0xfff_ffff),
                    "status": status,
                }),
            )
        }
        22..=31 => ("restart", json!({ "scope": [container] })),
        32..=41 => {
            let amount = 1 + rng.below(4);
            (
                "scale",
                json!({
                    "containers": [{ "name": container, "amount": amount, "size": "M" }],
                    "previous_containers": [{ "name": container, "amount": amount % 3 + 1, "size": "M" }],
                }),
            )
        }
        42..=49 => (
            "crash",
            json!({ "container_type": container, "crash_logs": format!("{container}-{} exited with code 137 (out of memory)", 1 + rng.below(2)) }),
        ),
        50..=56 => (
            "alert",
            json!({ "container_type": container, "metric": *rng.pick(&["cpu", "memory", "rpm_per_container", "5XX"]), "limit": 80, "value": 80 + rng.below(40) }),
        ),
        57..=66 => ("edit_variable", json!({ "name": *rng.pick(&variables) })),
        67..=70 => (
            "new_variable",
            json!({ "name": format!("{}_{n}", *rng.pick(&variables)) }),
        ),
        71..=72 => (
            "delete_variable",
            json!({ "name": format!("{}_{}", *rng.pick(&variables), n / 2) }),
        ),
        73..=76 => (
            "addon_updated",
            json!({ "addon_provider_name": "PostgreSQL", "status": "running", "note": "database backup succeeded" }),
        ),
        77..=78 => (
            "upgrade_addon",
            json!({ "addon_provider_name": *rng.pick(&["PostgreSQL", "Redis"]), "old_plan_name": "starter-512", "new_plan_name": "starter-1024" }),
        ),
        79..=80 => (
            "new_domain",
            json!({ "hostname": format!("www{n}.{}.example.com", app.name) }),
        ),
        81 => (
            "delete_domain",
            json!({ "hostname": format!("old{n}.{}.example.com", app.name) }),
        ),
        82..=83 => {
            let guest = *rng.pick(&[ALICE, BOB, CAROL]);
            (
                "new_collaborator",
                json!({ "collaborator": { "email": guest.email, "username": guest.username } }),
            )
        }
        84 => (
            "accept_collaborator",
            json!({ "collaborator": { "email": who.email, "username": who.username } }),
        ),
        85 => (
            "delete_collaborator",
            json!({ "collaborator": { "email": "intern@example.com", "username": "intern" } }),
        ),
        86..=87 => (
            "new_log_drain",
            json!({ "drain_host": "logs2.papertrailapp.com" }),
        ),
        88 => (
            "delete_log_drain",
            json!({ "drain_host": "old-elk.example.com" }),
        ),
        89..=90 => (
            "new_notifier",
            json!({ "notifier_name": "team-slack", "platform": "slack" }),
        ),
        91..=92 => (
            "edit_notifier",
            json!({ "notifier_name": "team-slack", "selected_events": ["deployment", "crash"] }),
        ),
        93..=94 => (
            "edit_app",
            json!({ "updated_fields": [*rng.pick(&["force_https", "sticky_session", "router_logs"])] }),
        ),
        95 => (
            "link_scm",
            json!({ "repo_name": format!("example/{}", app.name), "scm_type": "github" }),
        ),
        96..=97 => (
            "new_autoscaler",
            json!({ "container_type": container, "metric": "cpu", "target": 0.8, "min_containers": 1, "max_containers": 4 }),
        ),
        _ => ("stop_app", json!({ "reason": "maintenance window" })),
    }
}

/// The demo world's past: for `example-app` about 1,260 events of every everyday type over
/// seven years (sparse since its 2019 creation, busy over the last five weeks) among which
/// nine one-off sessions by five people; a smaller past for `billing-api` (one session) and
/// for `quiet-app` (none). Seeded, so every server tells the same story relative to its start.
pub fn history(apps: &[App], started: i64) -> History {
    let mut h = History::default();
    let busy_from = started - DAY * BUSY_DAYS;
    if let Some(app) = apps.iter().find(|a| a.name == "example-app") {
        let mut rng = Rng::new(0xe8a3_91e0);
        let mut plan = Plan::new(app);
        plan.event(
            EXAMPLE_APP_CREATED,
            JOHN,
            "new_app",
            json!({ "git_url": format!("git@ssh.osc-fr1.scalingo.com:{}.git", app.name) }),
        );
        // The documented session is the oldest: its entries carry their 2019 times.
        plan.run(
            SEED_SESSION_AT,
            JOHN,
            "bash",
            false,
            Arc::from(audit::SEED_SESSION),
        );
        plan.routine(
            &mut rng,
            SEED_SESSION_AT + 3_600,
            busy_from,
            300,
            &[JOHN, JOHN, ALICE, BOB],
        );
        plan.routine(
            &mut rng,
            busy_from,
            started - 600,
            950,
            &[JOHN, ALICE, BOB, CAROL],
        );
        let at = started - DAY * 200;
        let count = "bin/rails runner 'puts User.count'";
        plan.run(
            at,
            ALICE,
            count,
            false,
            Arc::from(audit::short(app.name, at, count, &["48213\n"])),
        );
        let at = started - DAY * 31;
        let clear = "bundle exec rake cache:clear";
        plan.run(
            at,
            BOB,
            clear,
            false,
            Arc::from(audit::short(
                app.name,
                at,
                clear,
                &["\u{1b}[32mCache cleared\u{1b}[0m (1,204 keys)\n"],
            )),
        );
        plan.run(
            started - DAY * 25,
            JOHN,
            "bin/rails runner scripts/reindex.rb",
            false,
            audit::long_session(),
        );
        let at = started - DAY * 17 + 3 * 3_600;
        plan.run(
            at,
            BOB,
            "bin/rails runner scripts/export.rb",
            true,
            Arc::from(audit::detached(at)),
        );
        let at = started - DAY * 11;
        plan.run(
            at,
            OPERATOR,
            "",
            false,
            Arc::from(audit::operator(app.name, at)),
        );
        let at = started - DAY * 6;
        plan.run(
            at,
            JOHN,
            "htop",
            false,
            Arc::from(audit::full_screen(app.name, at)),
        );
        let at = started - DAY * 2;
        plan.run(
            at,
            ALICE,
            "bundle exec rake db:migrate",
            false,
            Arc::from(audit::migration(app.name, at)),
        );
        let at = started - DAY * 8 + 5 * 3_600;
        plan.run(
            at,
            JOHN,
            "sh -l",
            false,
            Arc::from(audit::terminal_replies(app.name, at)),
        );
        let at = started - 4 * 3_600;
        let console = "bin/rails console";
        plan.run(
            at,
            CAROL,
            console,
            false,
            Arc::from(audit::short(
                app.name,
                at,
                console,
                &[
                    "Loading production environment (Rails 7.1.3)\n",
                    "irb(main):001> ",
                ],
            )),
        );
        plan.record(&mut h);
    }
    if let Some(app) = apps.iter().find(|a| a.name == "billing-api") {
        let mut rng = Rng::new(0xb111_1a91);
        let mut plan = Plan::new(app);
        plan.event(started - DAY * 90, JOHN, "new_app", json!({}));
        plan.routine(
            &mut rng,
            started - DAY * 89,
            started - 3_600,
            160,
            &[JOHN, CAROL],
        );
        let at = started - DAY * 9;
        let reconcile = "bundle exec rake billing:reconcile";
        plan.run(
            at,
            CAROL,
            reconcile,
            false,
            Arc::from(audit::short(
                app.name,
                at,
                reconcile,
                &["reconciled 312 invoices\n"],
            )),
        );
        plan.record(&mut h);
    }
    if let Some(app) = apps.iter().find(|a| a.name == "quiet-app") {
        // Events but no session, so the list's empty state after reading them all shows.
        let mut rng = Rng::new(0x9e1e_7a99);
        let mut plan = Plan::new(app);
        plan.event(started - DAY * 60, JOHN, "new_app", json!({}));
        plan.routine(&mut rng, started - DAY * 59, started - DAY * 2, 40, &[JOHN]);
        plan.record(&mut h);
    }
    h
}
