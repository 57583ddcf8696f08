//! The logs archives listing of an app (`GET /v1/apps/:app/logs_archives`) or of a database
//! addon (`GET {database_api}/api/databases/:id/logs_archives`, with the addon token), one
//! page at a time, by cursor or page number (API-CONTRACT.md "Logs archives"; the paging is
//! the CLI's and go-scalingo's). The archives themselves are downloaded by
//! [`crate::logs::history::download`].

use super::logs::{DatabaseAccess, LogSource};
use super::{url, ApiClient, ApiError, Request};
use crate::logs::history::archive::Listing;
use crate::logs::history::plan::PageRequest;

/// Why a listing page could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ArchivesError {
    /// 403 or 404: limited collaborators may not read archives, and the platform answers
    /// either.
    #[error("your role cannot read archives ({0})")]
    Forbidden(String),
    /// The page was not a listing.
    #[error("the archives listing could not be read: {0}")]
    Malformed(String),
    /// Any other failure.
    #[error("{0}")]
    Api(ApiError),
}

impl From<ApiError> for ArchivesError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Forbidden { .. } | ApiError::NotFound { .. } => {
                ArchivesError::Forbidden(e.to_string())
            }
            e => ArchivesError::Api(e),
        }
    }
}

/// Reads listing pages of one source; for an addon the token is asked for once.
#[derive(Clone)]
pub struct ArchivesLister {
    api: ApiClient,
    source: LogSource,
    database: Option<DatabaseAccess>,
}

impl ArchivesLister {
    /// A lister of `source`'s archives.
    pub fn new(api: ApiClient, source: LogSource) -> Self {
        ArchivesLister {
            api,
            source,
            database: None,
        }
    }

    /// Reads the page `page` asks for.
    ///
    /// # Errors
    /// [`ArchivesError::Forbidden`] for a role that may not read archives,
    /// [`ArchivesError::Malformed`] for a body that is not a listing, otherwise the API's error.
    pub async fn page(&mut self, page: &PageRequest) -> Result<Listing, ArchivesError> {
        let query: Vec<(&str, String)> = match page {
            PageRequest::First => Vec::new(),
            PageRequest::Cursor(c) => vec![("cursor", c.clone())],
            PageRequest::Page(n) => vec![("page", n.to_string())],
        };
        let body = match &self.source {
            LogSource::App(app) => {
                let mut req = Request::get(format!("/v1/apps/{}/logs_archives", url::segment(app)));
                for (k, v) in query {
                    req = req.query(k, v);
                }
                self.api.send(req).await?
            }
            LogSource::Addon { app, addon } => {
                if self.database.is_none() {
                    self.database = Some(DatabaseAccess::new(&self.api, app, addon).await?);
                }
                let Some(db) = &self.database else {
                    return Err(ArchivesError::Malformed("no addon token".into()));
                };
                let pairs: Vec<(&str, &str)> =
                    query.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let (status, body) = db.get("logs_archives", &pairs).await?;
                if !(200..300).contains(&status) {
                    return Err(ApiError::from_response(status, &body).into());
                }
                body
            }
        };
        Listing::parse(&body).map_err(|e| ArchivesError::Malformed(e.0))
    }
}
