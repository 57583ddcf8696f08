//! The server-side container filter: picker options and the CLI's sanity check.

use crate::api::apps::ContainerType;

/// The container filter applied in the browser, to archive lines, which the server cannot
/// filter: the same meaning as the logs endpoint's `filter` (API-CONTRACT.md "Filter"): a
/// container (`web-1`), a type (`web`, its instances too) or a regular expression
/// (`web|worker`), anchored on the whole name, on the linear-time engine.
#[derive(Clone, Debug)]
pub struct ContainerFilter(regex_lite::Regex);

impl ContainerFilter {
    /// The filter `filter`; `Ok(None)` for an empty one (every container).
    ///
    /// # Errors
    /// The engine's message for an invalid expression.
    pub fn new(filter: &str) -> Result<Option<Self>, String> {
        let filter = filter.trim();
        if filter.is_empty() {
            return Ok(None);
        }
        // Checked alone first, so `a)(b` cannot escape the anchors below.
        regex_lite::Regex::new(filter).map_err(|e| e.to_string())?;
        regex_lite::Regex::new(&format!("^(?:{filter})(?:-[0-9]+)?$"))
            .map(|r| Some(ContainerFilter(r)))
            .map_err(|e| e.to_string())
    }

    /// Whether a line of `container` (`None`: a line without one) passes.
    pub fn keeps(&self, container: Option<&str>) -> bool {
        container.is_some_and(|c| self.0.is_match(c))
    }
}

/// Containers every app may have besides its types: the CLI always allows these.
pub const ALWAYS_ALLOWED: [&str; 3] = ["router", "one-off-*", "postdeploy-*"];

/// One choice of the filter picker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterOption {
    /// The `filter` parameter sent to the logs endpoint (empty: every container).
    pub value: String,
    /// What the picker shows.
    pub label: String,
}

/// The picker's choices: everything, each type, each instance, then the router and the
/// one-off and postdeploy containers.
pub fn options(types: &[ContainerType]) -> Vec<FilterOption> {
    let mut out = vec![FilterOption {
        value: String::new(),
        label: "All containers".into(),
    }];
    for t in types {
        out.push(FilterOption {
            value: t.name.clone(),
            label: format!("{} (all {})", t.name, t.amount),
        });
        for i in 1..=t.amount.min(50) {
            let name = format!("{}-{i}", t.name);
            out.push(FilterOption {
                label: format!("  {name}"),
                value: name,
            });
        }
    }
    for (value, label) in [
        ("router", "router"),
        ("one-off-*", "one-off containers"),
        ("postdeploy-*", "postdeploy containers"),
    ] {
        out.push(FilterOption {
            value: value.into(),
            label: label.into(),
        });
    }
    out
}

/// Why a free filter probably matches nothing; shown as a warning, the filter is still sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FilterWarning {
    /// A `|`-part names no container type of the app.
    #[error("“{0}” is not a container of this app (known: {1})")]
    UnknownContainer(String, String),
    /// An empty alternative matches every container, which is probably a typo.
    #[error("an empty part between “|” matches every container")]
    EmptyPart,
}

/// Checks `filter` as the CLI does: each `|`-separated part must be a container type, an
/// instance of one (`web-2`), or one of [`ALWAYS_ALLOWED`] (prefix forms included).
pub fn check(filter: &str, types: &[ContainerType]) -> Result<(), FilterWarning> {
    if filter.is_empty() {
        return Ok(());
    }
    for part in filter.split('|') {
        let part = part.trim();
        if part.is_empty() {
            return Err(FilterWarning::EmptyPart);
        }
        let known_type = |name: &str| types.iter().any(|t| t.name == name);
        let instance_of_type = part.rsplit_once('-').is_some_and(|(ty, n)| {
            known_type(ty) && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
        });
        let always =
            part == "router" || part.starts_with("one-off") || part.starts_with("postdeploy");
        if !(known_type(part) || instance_of_type || always) {
            let known: Vec<&str> = types
                .iter()
                .map(|t| t.name.as_str())
                .chain(["router"])
                .collect();
            return Err(FilterWarning::UnknownContainer(
                part.to_owned(),
                known.join(", "),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_filter_reads_filters_as_the_server_does() {
        let f = ContainerFilter::new("web").unwrap().unwrap();
        assert!(f.keeps(Some("web")) && f.keeps(Some("web-12")));
        assert!(!f.keeps(Some("webby-1")) && !f.keeps(Some("worker-1")) && !f.keeps(None));
        let f = ContainerFilter::new("web|router").unwrap().unwrap();
        assert!(f.keeps(Some("router")) && f.keeps(Some("web-2")));
        let f = ContainerFilter::new("one-off-*").unwrap().unwrap();
        assert!(f.keeps(Some("one-off-1234")));
        assert!(ContainerFilter::new("").unwrap().is_none());
        assert!(ContainerFilter::new("a)(b").is_err());
        assert!(!ContainerFilter::new("x)|(.*")
            .is_ok_and(|f| f.is_some_and(|f| f.keeps(Some("web-1")))));
    }

    fn types() -> Vec<ContainerType> {
        vec![
            ContainerType {
                name: "web".into(),
                amount: 2,
                size: "M".into(),
            },
            ContainerType {
                name: "worker".into(),
                amount: 1,
                size: "S".into(),
            },
        ]
    }

    #[test]
    fn the_picker_lists_types_instances_and_platform_containers() {
        let values: Vec<String> = options(&types()).into_iter().map(|o| o.value).collect();
        assert_eq!(
            values,
            vec![
                "",
                "web",
                "web-1",
                "web-2",
                "worker",
                "worker-1",
                "router",
                "one-off-*",
                "postdeploy-*"
            ]
        );
    }

    #[test]
    fn known_types_instances_and_platform_containers_pass_the_check() {
        for f in [
            "",
            "web",
            "web-2",
            "web|worker",
            "router",
            "one-off-*",
            "postdeploy-1",
            "web-1|router",
        ] {
            assert_eq!(check(f, &types()), Ok(()), "{f}");
        }
    }

    #[test]
    fn unknown_containers_and_empty_parts_warn() {
        assert!(
            matches!(check("db", &types()), Err(FilterWarning::UnknownContainer(p, _)) if p == "db")
        );
        assert!(
            matches!(check("web|clock", &types()), Err(FilterWarning::UnknownContainer(p, _)) if p == "clock")
        );
        assert_eq!(check("web|", &types()), Err(FilterWarning::EmptyPart));
    }
}
