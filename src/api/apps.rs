//! Apps, addons and container types: what the pickers need.

use serde::Deserialize;
use serde_json::Value;

use super::decode::or_default;
use super::{url::segment, ApiClient, ApiError, Request};

/// A Scalingo app.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct App {
    /// App id.
    pub id: String,
    /// App name, used in every path.
    pub name: String,
}

/// The provider of an addon, e.g. PostgreSQL.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct AddonProvider {
    /// Provider id, e.g. `postgresql`.
    pub id: String,
    /// Human name.
    #[serde(default, deserialize_with = "or_default")]
    pub name: String,
}

/// An addon's plan.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Plan {
    /// Plan name.
    #[serde(default, deserialize_with = "or_default")]
    pub name: String,
    /// Human name, if given.
    pub display_name: Option<String>,
}

/// An addon of an app.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Addon {
    /// Addon id (`ad-…`), used in drain and log paths.
    pub id: String,
    /// Its provider.
    pub addon_provider: AddonProvider,
    /// Its plan, if given.
    pub plan: Option<Plan>,
}

impl Addon {
    /// A short label such as `PostgreSQL (ad-9be0fc04)`.
    pub fn label(&self) -> String {
        let name = if self.addon_provider.name.is_empty() {
            &self.addon_provider.id
        } else {
            &self.addon_provider.name
        };
        let short: String = self.id.chars().take(11).collect();
        format!("{name} ({short})")
    }
}

/// A container type of an app (`web` ×2): instances are `web-1`, `web-2`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ContainerType {
    /// Type name.
    pub name: String,
    /// How many instances run.
    #[serde(default, deserialize_with = "or_default")]
    pub amount: u32,
    /// Container size.
    #[serde(default, deserialize_with = "or_default")]
    pub size: String,
}

/// `{"apps":[…]}`.
#[derive(Deserialize)]
struct Apps {
    apps: Vec<App>,
}

/// `{"addons":[…]}`.
#[derive(Debug, Deserialize)]
struct Addons {
    addons: Vec<Addon>,
}

/// `{"containers":[…]}`.
#[derive(Deserialize)]
struct Containers {
    containers: Vec<ContainerType>,
}

/// The apps the user can see, sorted by name.
pub async fn list_apps(api: &ApiClient) -> Result<Vec<App>, ApiError> {
    let body: Apps = api.json(Request::get("/v1/apps")).await?;
    Ok(by_name(body.apps))
}

/// `apps` in name order, as the picker lists them (names are unique: no stability needed).
///
/// std's sort sorts their positions, with the comparator behind `&mut dyn FnMut`, so that
/// this and the log renderer's sort of run boundaries share one instantiation of the sort
/// in the wasm (see the README's size figures).
fn by_name(apps: Vec<App>) -> Vec<App> {
    let mut order: Vec<usize> = (0..apps.len()).collect();
    let mut by_name = |a: &usize, b: &usize| apps[*a].name.cmp(&apps[*b].name);
    let compare: &mut dyn FnMut(&usize, &usize) -> std::cmp::Ordering = &mut by_name;
    order.sort_unstable_by(compare);
    let mut slots: Vec<Option<App>> = apps.into_iter().map(Some).collect();
    order.iter().filter_map(|&i| slots[i].take()).collect()
}

/// The addons of `app`.
pub async fn list_addons(api: &ApiClient, app: &str) -> Result<Vec<Addon>, ApiError> {
    let path = format!("/v1/apps/{}/addons", segment(app));
    let body: Addons = api.json(Request::get(path).latest("addons")).await?;
    Ok(body.addons)
}

/// An entry of an addon list that could not be read, kept so that a page can say so in its
/// place while it shows the other addons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnreadableAddon {
    /// Its position in the list, from 0.
    pub index: usize,
    /// Its `id`, when at least that could be read.
    pub id: Option<String>,
    /// What is wrong, naming the entry and the member (`addons[1]: missing field `id``).
    pub error: ApiError,
}

/// Reads an addon list answer entry by entry: a malformed entry becomes an
/// [`UnreadableAddon`] (its error names its place, `addons[1]: missing field `id``) instead
/// of failing the whole list. Only a body that is not `{"addons":[…]}` at all is an error.
pub fn parse_addons_each(body: &Value) -> Result<Vec<Result<Addon, UnreadableAddon>>, ApiError> {
    let items = match body.get("addons") {
        Some(Value::Array(items)) => items,
        Some(_) => return Err(ApiError::Decode("addons: expected an array".into())),
        None => return Err(ApiError::Decode("missing field `addons`".into())),
    };
    Ok(items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            Addon::deserialize(item).map_err(|e| UnreadableAddon {
                index,
                id: item.get("id").and_then(Value::as_str).map(str::to_owned),
                error: ApiError::Decode(format!("addons[{index}]: {e}")),
            })
        })
        .collect())
}

/// The addons of `app`, each read on its own (see [`parse_addons_each`]).
pub async fn list_addons_each(
    api: &ApiClient,
    app: &str,
) -> Result<Vec<Result<Addon, UnreadableAddon>>, ApiError> {
    let path = format!("/v1/apps/{}/addons", segment(app));
    let body: Value = api.json(Request::get(path).latest("addons")).await?;
    parse_addons_each(&body)
}

/// The container types of `app`.
pub async fn list_containers(api: &ApiClient, app: &str) -> Result<Vec<ContainerType>, ApiError> {
    let path = format!("/v1/apps/{}/containers", segment(app));
    let body: Containers = api.json(Request::get(path).latest("containers")).await?;
    Ok(body.containers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::decode::decode;
    use serde_json::json;

    #[test]
    fn an_addon_is_read_with_or_without_its_plan_and_provider_name() {
        let addon: Addon = decode(
            r#"{"id": "ad-9be0fc04", "addon_provider": {"id": "postgresql", "name": "PostgreSQL"},
                "plan": {"name": "postgresql-starter-512", "display_name": null}, "resource_id": "x"}"#,
        )
        .unwrap();
        assert_eq!(addon.label(), "PostgreSQL (ad-9be0fc04)");
        assert_eq!(addon.plan.unwrap().name, "postgresql-starter-512");
        let bare: Addon =
            decode(r#"{"id": "ad-1", "addon_provider": {"id": "redis"}, "plan": null}"#).unwrap();
        assert_eq!((bare.label(), bare.plan), ("redis (ad-1)".to_owned(), None));
    }

    #[test]
    fn one_malformed_addon_is_reported_in_its_place_and_the_others_are_kept() {
        let body = json!({"addons": [
            {"id": "ad-1", "addon_provider": {"id": "postgresql", "name": "PostgreSQL"}},
            {"id": "ad-2", "addon_provider": {"name": "Redis"}},
            "not an addon",
            {"id": "ad-4", "addon_provider": {"id": "mysql"}}
        ]});
        let entries = parse_addons_each(&body).unwrap();
        assert_eq!(entries.len(), 4);
        assert_eq!(entries[0].as_ref().unwrap().id, "ad-1");
        let bad = entries[1].as_ref().unwrap_err();
        assert_eq!((bad.index, bad.id.as_deref()), (1, Some("ad-2")));
        assert_eq!(
            bad.error.to_string(),
            "Unexpected answer from the server: addons[1]: missing field `id`"
        );
        assert_eq!(entries[2].as_ref().unwrap_err().id, None);
        assert_eq!(entries[3].as_ref().unwrap().id, "ad-4");
        // A body that is not an addon list at all is still one error.
        assert!(parse_addons_each(&json!({"addons": {}})).is_err());
        assert!(parse_addons_each(&json!([])).is_err());
    }

    #[test]
    fn a_decoding_error_names_the_member_that_is_wrong() {
        let body = r#"{"addons": [{"id": "ad-1", "addon_provider": {"name": "Redis"}}]}"#;
        assert_eq!(
            decode::<Addons>(body).unwrap_err().to_string(),
            "Unexpected answer from the server: missing field `id` at line 1 column 62"
        );
        let containers: Containers = decode(
            r#"{"containers": [{"name": "web", "amount": 2, "size": "M"}, {"name": "worker"}]}"#,
        )
        .unwrap();
        let amounts: Vec<u32> = containers.containers.iter().map(|c| c.amount).collect();
        assert_eq!(amounts, [2, 0]);
    }

    #[test]
    fn apps_are_listed_by_name() {
        let body: Apps = decode(
            r#"{"apps":[{"id":"2","name":"quiet-app"},{"id":"3","name":"example-app"},{"id":"1","name":"billing-api"}]}"#,
        )
        .unwrap();
        let names: Vec<String> = by_name(body.apps).into_iter().map(|a| a.name).collect();
        assert_eq!(names, ["billing-api", "example-app", "quiet-app"]);
    }
}
