//! API calls of the drains feature.
