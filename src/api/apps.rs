//! Apps, addons and container types: what the pickers need.

use serde::Deserialize;

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
    #[serde(default)]
    pub name: String,
}

/// An addon's plan.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Plan {
    /// Plan name.
    #[serde(default)]
    pub name: String,
    /// Human name, if given.
    #[serde(default)]
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
    #[serde(default)]
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
    #[serde(default)]
    pub amount: u32,
    /// Container size.
    #[serde(default)]
    pub size: String,
}

#[derive(Deserialize)]
struct AppsBody {
    apps: Vec<App>,
}

#[derive(Deserialize)]
struct AddonsBody {
    addons: Vec<Addon>,
}

#[derive(Deserialize)]
struct ContainersBody {
    containers: Vec<ContainerType>,
}

/// The apps the user can see, sorted by name.
pub async fn list_apps(api: &ApiClient) -> Result<Vec<App>, ApiError> {
    let mut apps = api.json::<AppsBody>(Request::get("/v1/apps")).await?.apps;
    apps.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(apps)
}

/// The addons of `app`.
pub async fn list_addons(api: &ApiClient, app: &str) -> Result<Vec<Addon>, ApiError> {
    let path = format!("/v1/apps/{}/addons", segment(app));
    Ok(api
        .json::<AddonsBody>(Request::get(path).latest("addons"))
        .await?
        .addons)
}

/// The container types of `app`.
pub async fn list_containers(api: &ApiClient, app: &str) -> Result<Vec<ContainerType>, ApiError> {
    let path = format!("/v1/apps/{}/containers", segment(app));
    Ok(api
        .json::<ContainersBody>(Request::get(path).latest("containers"))
        .await?
        .containers)
}
