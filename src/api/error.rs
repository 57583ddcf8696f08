//! The one error type of every API call, built from the contract's error shapes.

use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;

/// Per-field validation messages from a 422 answer: `{"errors":{"host":["can't be blank"]}}`,
/// in the server's order.
///
/// A list rather than a map: a form shows a handful of fields, and a `BTreeMap` of its own
/// (whose `collect` sorts) cost about 4 KB of the wasm bundle.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<(String, Vec<String>)>);

impl FieldErrors {
    /// The messages for `field`, joined into one sentence, if any. When a body names a
    /// field twice, its last messages count, as JSON readers usually decide.
    pub fn for_field(&self, field: &str) -> Option<String> {
        self.0
            .iter()
            .rev()
            .find(|(name, _)| name == field)
            .map(|(_, messages)| messages)
            .filter(|m| !m.is_empty())
            .map(|m| m.join(", "))
    }

    /// Every message as `field message`, for fields a form does not show.
    pub fn summary(&self) -> String {
        self.0
            .iter()
            .flat_map(|(field, msgs)| {
                msgs.iter()
                    .map(move |m| format!("{} {m}", field.replace('_', " ")))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// What went wrong with an API call, carrying what the user needs to act.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The request never got an HTTP answer (offline, DNS, CORS refusal).
    #[error("Cannot reach the server ({0}). Check your connection and try again.")]
    Network(String),
    /// 400.
    #[error("{message}")]
    BadRequest {
        /// The server's message.
        message: String,
        /// The server's machine-readable code, if any.
        code: Option<String>,
    },
    /// 401 that a token refresh did not cure, or a wrong API token at login.
    #[error("Not authorized: {0}")]
    Unauthorized(String),
    /// 402.
    #[error("Payment required: {message}")]
    PaymentRequired {
        /// The server's message.
        message: String,
        /// Where to pay, if given.
        url: Option<String>,
    },
    /// 403.
    #[error("Forbidden: {message}")]
    Forbidden {
        /// The server's message.
        message: String,
        /// The server's machine-readable code, if any.
        code: Option<String>,
    },
    /// 404.
    #[error("Not found: {resource}")]
    NotFound {
        /// Which resource, e.g. `app`.
        resource: String,
    },
    /// 409.
    #[error("Conflict: {0}")]
    Conflict(String),
    /// 422, with the messages per field.
    #[error("Some fields are invalid: {}", .0.summary())]
    Validation(FieldErrors),
    /// 429 after the retries ran out.
    #[error("The API is rate limiting requests (60 per minute). Wait a moment and try again.")]
    RateLimited,
    /// 5xx or any other status.
    #[error("The server failed ({status}): {message}")]
    Server {
        /// HTTP status.
        status: u16,
        /// The server's message.
        message: String,
    },
    /// A 2xx answer whose body is not what the contract says.
    #[error("Unexpected answer from the server: {0}")]
    Decode(String),
}

/// The contract's error object; every member optional.
#[derive(Default, Deserialize)]
struct ErrorBody {
    error: Option<String>,
    code: Option<String>,
    url: Option<String>,
    resource: Option<String>,
    errors: Option<FieldErrors>,
}

/// A JSON object of message lists read in document order, which serde's maps do not keep.
impl<'de> Deserialize<'de> for FieldErrors {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct InOrder;
        impl<'de> Visitor<'de> for InOrder {
            type Value = FieldErrors;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of message lists")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FieldErrors, A::Error> {
                let mut fields = Vec::new();
                while let Some(entry) = map.next_entry::<String, Vec<String>>()? {
                    fields.push(entry);
                }
                Ok(FieldErrors(fields))
            }
        }
        de.deserialize_map(InOrder)
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(e: serde_json::Error) -> Self {
        ApiError::Decode(e.to_string())
    }
}

impl ErrorBody {
    /// Reads the contract's error object; any member of the wrong type makes the whole
    /// body unreadable, and the status then speaks for itself.
    fn parse(body: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(body)
    }
}

impl ApiError {
    /// Maps a non-2xx answer to an error; `body` may be JSON or plain text.
    pub fn from_response(status: u16, body: &str) -> ApiError {
        let json = ErrorBody::parse(body).unwrap_or_default();
        let text = body.trim();
        let message = json.error.clone().unwrap_or_else(|| {
            if text.is_empty() || text.starts_with('{') {
                default_message(status).to_owned()
            } else {
                // Plain-text bodies (e.g. `Retry later`) are shown as they are, trimmed to a sane size.
                text.chars().take(300).collect()
            }
        });
        match status {
            400 => ApiError::BadRequest {
                message,
                code: json.code,
            },
            401 => ApiError::Unauthorized(message),
            402 => ApiError::PaymentRequired {
                message,
                url: json.url,
            },
            403 => ApiError::Forbidden {
                message,
                code: json.code,
            },
            404 => ApiError::NotFound {
                resource: json.resource.unwrap_or_else(|| "resource".into()),
            },
            409 => ApiError::Conflict(message),
            422 => match json.errors {
                Some(errors) => ApiError::Validation(errors),
                None => ApiError::Validation(FieldErrors(vec![("base".to_owned(), vec![message])])),
            },
            429 => ApiError::RateLimited,
            _ => ApiError::Server { status, message },
        }
    }

    /// The per-field messages, when this is a validation error.
    pub fn field_errors(&self) -> Option<&FieldErrors> {
        match self {
            ApiError::Validation(errors) => Some(errors),
            _ => None,
        }
    }

    /// Whether retrying the same request later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ApiError::Network(_) | ApiError::RateLimited | ApiError::Server { .. }
        )
    }
}

fn default_message(status: u16) -> &'static str {
    match status {
        400 => "The request was refused",
        401 => "Authentication required",
        403 => "You are not allowed to do this",
        409 => "This conflicts with the current state",
        500..=599 => "Internal server error",
        _ => "Unexpected error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_shape_of_the_contract_maps_to_its_variant() {
        assert_eq!(
            ApiError::from_response(
                400,
                r#"{"error":"This addon doesn't support log drains","code":"x"}"#
            ),
            ApiError::BadRequest {
                message: "This addon doesn't support log drains".into(),
                code: Some("x".into())
            }
        );
        assert_eq!(
            ApiError::from_response(401, r#"{"error":"OTP Required"}"#),
            ApiError::Unauthorized("OTP Required".into())
        );
        assert_eq!(
            ApiError::from_response(402, r#"{"error":"pay","url":"https://x"}"#),
            ApiError::PaymentRequired {
                message: "pay".into(),
                url: Some("https://x".into())
            }
        );
        assert!(matches!(
            ApiError::from_response(403, r#"{"error":"no","code":"c"}"#),
            ApiError::Forbidden { .. }
        ));
        assert_eq!(
            ApiError::from_response(404, r#"{"resource":"app","error":"not found"}"#),
            ApiError::NotFound {
                resource: "app".into()
            }
        );
        assert_eq!(
            ApiError::from_response(409, r#"{"error":"busy"}"#),
            ApiError::Conflict("busy".into())
        );
        assert_eq!(
            ApiError::from_response(429, "Retry later"),
            ApiError::RateLimited
        );
        assert_eq!(
            ApiError::from_response(429, r#"{"error":"slow down"}"#),
            ApiError::RateLimited
        );
        assert_eq!(
            ApiError::from_response(500, r#"{"error":"Internal error occured, we're on it!"}"#),
            ApiError::Server {
                status: 500,
                message: "Internal error occured, we're on it!".into()
            }
        );
    }

    #[test]
    fn a_422_keeps_its_messages_per_field() {
        let err = ApiError::from_response(
            422,
            r#"{"errors":{"host":["can't be blank"],"port":["must be between 1 and 65535"]}}"#,
        );
        let fields = err.field_errors().unwrap();
        assert_eq!(fields.for_field("host").as_deref(), Some("can't be blank"));
        assert_eq!(
            fields.for_field("port").as_deref(),
            Some("must be between 1 and 65535")
        );
        assert_eq!(fields.for_field("token"), None);
        assert!(err.to_string().contains("port must be between 1 and 65535"));
        let ordered = ApiError::from_response(422, r#"{"errors":{"z":["last"],"a":["first"]}}"#);
        let names: Vec<_> = ordered
            .field_errors()
            .unwrap()
            .0
            .iter()
            .map(|f| &f.0)
            .collect();
        assert_eq!(names, ["z", "a"]);
    }

    #[test]
    fn an_error_body_with_a_member_of_the_wrong_type_falls_back_to_the_status() {
        assert_eq!(
            ApiError::from_response(409, r#"{"error":["not","a","string"]}"#),
            ApiError::Conflict("This conflicts with the current state".into())
        );
        assert_eq!(
            ApiError::from_response(422, r#"{"errors":{"host":"not a list"}}"#),
            ApiError::Validation(FieldErrors(vec![(
                "base".into(),
                vec!["Unexpected error".into()]
            )]))
        );
    }

    #[test]
    fn plain_text_and_empty_bodies_still_give_a_message() {
        assert_eq!(
            ApiError::from_response(502, "Bad Gateway"),
            ApiError::Server {
                status: 502,
                message: "Bad Gateway".into()
            }
        );
        assert_eq!(
            ApiError::from_response(500, ""),
            ApiError::Server {
                status: 500,
                message: "Internal server error".into()
            }
        );
        let long = "x".repeat(10_000);
        match ApiError::from_response(503, &long) {
            ApiError::Server { message, .. } => assert_eq!(message.len(), 300),
            other => panic!("unexpected {other:?}"),
        }
    }
}
