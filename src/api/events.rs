//! API calls of the events feature.
