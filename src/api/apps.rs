//! Apps, addons and container types: what the pickers need.

use super::{url::segment, ApiClient, ApiError, Request};
use crate::json::{Error, Object, Value};

/// A Scalingo app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct App {
    /// App id.
    pub id: String,
    /// App name, used in every path.
    pub name: String,
}

/// The provider of an addon, e.g. PostgreSQL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddonProvider {
    /// Provider id, e.g. `postgresql`.
    pub id: String,
    /// Human name.
    pub name: String,
}

/// An addon's plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Plan name.
    pub name: String,
    /// Human name, if given.
    pub display_name: Option<String>,
}

/// An addon of an app.
#[derive(Clone, Debug, PartialEq, Eq)]
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerType {
    /// Type name.
    pub name: String,
    /// How many instances run.
    pub amount: u32,
    /// Container size.
    pub size: String,
}

impl App {
    fn from_json(v: &Value) -> Result<Self, Error> {
        let o = v.object()?;
        Ok(App {
            id: o.req("id")?,
            name: o.req("name")?,
        })
    }
}

impl Addon {
    fn from_json(v: &Value) -> Result<Self, Error> {
        let o = v.object()?;
        Ok(Addon {
            id: o.req("id")?,
            addon_provider: o.nested("addon_provider", |p| {
                Ok(AddonProvider {
                    id: p.req("id")?,
                    name: p.or_default("name")?,
                })
            })?,
            plan: o.opt_nested("plan", |p: &Object| {
                Ok(Plan {
                    name: p.or_default("name")?,
                    display_name: p.opt("display_name")?,
                })
            })?,
        })
    }
}

impl ContainerType {
    fn from_json(v: &Value) -> Result<Self, Error> {
        let o = v.object()?;
        Ok(ContainerType {
            name: o.req("name")?,
            amount: o.or_default("amount")?,
            size: o.or_default("size")?,
        })
    }
}

/// The apps the user can see, sorted by name.
pub async fn list_apps(api: &ApiClient) -> Result<Vec<App>, ApiError> {
    let body = api.json(Request::get("/v1/apps")).await?;
    let mut apps = body.object()?.list("apps", App::from_json)?;
    crate::sort::sort_by(&mut apps, |a, b| a.name < b.name);
    Ok(apps)
}

/// The addons of `app`.
pub async fn list_addons(api: &ApiClient, app: &str) -> Result<Vec<Addon>, ApiError> {
    let path = format!("/v1/apps/{}/addons", segment(app));
    let body = api.json(Request::get(path).latest("addons")).await?;
    Ok(body.object()?.list("addons", Addon::from_json)?)
}

/// An entry of an addon list that could not be read, kept so that a page can say so in its
/// place while it shows the other addons.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnreadableAddon {
    /// Its position in the list, from 0.
    pub index: usize,
    /// Its `id`, when at least that could be read.
    pub id: Option<String>,
    /// What is wrong, naming the member (`addons[1].addon_provider: missing field `id``).
    pub error: ApiError,
}

/// Reads an addon list answer entry by entry: a malformed entry becomes an
/// [`UnreadableAddon`] instead of failing the whole list. Only a body that is not
/// `{"addons":[…]}` at all is an error.
pub fn parse_addons_each(body: &Value) -> Result<Vec<Result<Addon, UnreadableAddon>>, Error> {
    let items = match body.object()?.get("addons") {
        Some(Value::Array(items)) => items,
        Some(other) => {
            let message = format!("expected an array, found {}", other.kind());
            return Err(Error::new(message).within("addons"));
        }
        None => return Err(Error::new("missing field `addons`")),
    };
    Ok(items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            Addon::from_json(item).map_err(|e| UnreadableAddon {
                index,
                id: item.get("id").and_then(Value::as_str).map(str::to_owned),
                error: e.within(&format!("[{index}]")).within("addons").into(),
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
    let body = api.json(Request::get(path).latest("addons")).await?;
    Ok(parse_addons_each(&body)?)
}

/// The container types of `app`.
pub async fn list_containers(api: &ApiClient, app: &str) -> Result<Vec<ContainerType>, ApiError> {
    let path = format!("/v1/apps/{}/containers", segment(app));
    let body = api.json(Request::get(path).latest("containers")).await?;
    Ok(body
        .object()?
        .list("containers", ContainerType::from_json)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::json;

    #[test]
    fn an_addon_is_read_with_or_without_its_plan_and_provider_name() {
        let addon = Addon::from_json(&json!({
            "id": "ad-9be0fc04", "addon_provider": {"id": "postgresql", "name": "PostgreSQL"},
            "plan": {"name": "postgresql-starter-512", "display_name": null}, "resource_id": "x"
        }))
        .unwrap();
        assert_eq!(addon.label(), "PostgreSQL (ad-9be0fc04)");
        assert_eq!(addon.plan.unwrap().name, "postgresql-starter-512");
        let bare = Addon::from_json(
            &json!({"id": "ad-1", "addon_provider": {"id": "redis"}, "plan": null}),
        )
        .unwrap();
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
            "Unexpected answer from the server: addons[1].addon_provider: missing field `id`"
        );
        assert_eq!(entries[2].as_ref().unwrap_err().id, None);
        assert_eq!(entries[3].as_ref().unwrap().id, "ad-4");
        // A body that is not an addon list at all is still one error.
        assert!(parse_addons_each(&json!({"addons": {}})).is_err());
        assert!(parse_addons_each(&json!([])).is_err());
    }

    #[test]
    fn a_decoding_error_names_the_member_that_is_wrong() {
        let body = json!({"addons": [{"id": "ad-1", "addon_provider": {"name": "Redis"}}]});
        let err = body
            .object()
            .unwrap()
            .list("addons", Addon::from_json)
            .unwrap_err();
        assert_eq!(
            ApiError::from(err).to_string(),
            "Unexpected answer from the server: addons[0].addon_provider: missing field `id`"
        );
        let containers = json!([{"name": "web", "amount": 2, "size": "M"}, {"name": "worker"}]);
        let containers = containers.list(ContainerType::from_json).unwrap();
        assert_eq!((containers[0].amount, containers[1].amount), (2, 0));
    }
}
