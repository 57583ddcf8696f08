//! Reading JSON answers with serde: errors say where in the document a value is wrong.
//!
//! Every API body is a `#[derive(Deserialize)]` type read by [`decode`]. serde_json refuses
//! documents nested deeper than 128 arrays or objects (its recursion limit, on by default),
//! so a hostile answer cannot exhaust the stack; unknown members are skipped, as the
//! contract asks of clients.

use serde::de::{DeserializeOwned, Deserializer};
use serde::Deserialize;

use super::ApiError;

/// Parses `body` as a `T`, or says what is wrong and where: serde_json's message names the
/// member and its position, e.g. ``missing field `id` at line 1 column 62`` or ``invalid
/// type: string "x", expected u32 at line 1 column 34``. Text after the document is an error
/// too.
///
/// The full member path (`addons[0].addon_provider`) would take `serde_path_to_error`, which
/// wraps the deserialiser for every type: measured at +12.8 KB gzipped in the wasm, it would
/// put the bundle over its 360 KB ceiling, while line and column already locate the fault.
pub fn decode<T: DeserializeOwned>(body: &str) -> Result<T, ApiError> {
    Ok(serde_json::from_str(body)?)
}

/// For `#[serde(default, deserialize_with = "or_default")]`: a member that is missing (the
/// `default`) or `null` reads as `T`'s default, as the contract's optional members may be
/// either.
pub fn or_default<'de, D, T>(de: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(de)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Item {
        name: String,
        #[serde(default, deserialize_with = "or_default")]
        amount: u32,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct List {
        items: Vec<Item>,
    }

    fn err(body: &str) -> String {
        decode::<List>(body).unwrap_err().to_string()
    }

    #[test]
    fn an_error_names_the_member_and_where_it_is() {
        assert_eq!(
            err(r#"{"items":[{"name":"a"},{"amount":1}]}"#),
            "Unexpected answer from the server: missing field `name` at line 1 column 35"
        );
        assert_eq!(
            err(r#"{"items":[{"name":"a","amount":"x"}]}"#),
            "Unexpected answer from the server: invalid type: string \"x\", expected u32 at line 1 \
             column 34"
        );
        assert!(err("[]").contains("expected struct List"));
    }

    #[test]
    fn missing_and_null_optional_members_read_as_their_default() {
        let list: List = decode(r#"{"items":[{"name":"a"},{"name":"b","amount":null}]}"#).unwrap();
        assert_eq!(list.items[0].amount, 0);
        assert_eq!(list.items[1].amount, 0);
    }

    #[test]
    fn unknown_members_are_skipped_but_trailing_text_is_refused() {
        let list: List = decode(r#"{"items":[],"next":{"deep":[1,2,{"x":null}]}}"#).unwrap();
        assert!(list.items.is_empty());
        assert!(err(r#"{"items":[]} x"#).ends_with("trailing characters at line 1 column 14"));
        assert!(err("").contains("EOF while parsing a value"));
    }

    #[test]
    fn deep_nesting_is_skipped_or_refused_never_a_stack_overflow() {
        // A member the client skips is stepped over without recursion, however deep.
        let skipped = format!(
            r#"{{"items":[],"x":{}1{}}}"#,
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert!(decode::<List>(&skipped).is_ok());
        // Loose JSON (events, audit logs) stops at serde_json's recursion limit, 128 levels.
        let loose = |depth: usize| {
            decode::<serde_json::Value>(&format!("{}{}", "[".repeat(depth), "]".repeat(depth)))
        };
        assert!(loose(127).is_ok());
        for depth in [129, 100_000] {
            let message = loose(depth).unwrap_err().to_string();
            assert!(message.contains("recursion limit exceeded"), "{message}");
        }
    }
}
