//! API calls of the logs feature.
