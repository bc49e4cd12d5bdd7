//! Tencent's GET form: the parameters a POST carries as a JSON object arrive flattened into the
//! query, lists numbered from 0 (`InstanceIds.0=ins-a&InstanceIds.1=ins-b`) and members of
//! objects after a dot (`Filters.0.Name=zone`), as the official SDKs' `_format_params` writes
//! them. Turning them back into the same JSON object lets every action's checks run unchanged.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::tencent::{ApiError, Scalar};

/// A parameter tree before lists and objects are told apart: every inner node is a map from one
/// key segment to its child.
enum Node {
    Leaf(String),
    Inner(BTreeMap<String, Node>),
}

fn invalid(message: String) -> ApiError {
    ApiError {
        code: "InvalidParameter",
        message,
    }
}

/// Rebuilds the JSON parameters from decoded query `pairs`. Every value stays a string except
/// the top-level parameters that `scalars` types.
pub(crate) fn parameters(
    pairs: &[(String, String)],
    scalars: &[(&str, Scalar)],
) -> Result<Map<String, Value>, ApiError> {
    let mut root = BTreeMap::new();
    for (key, value) in pairs {
        insert(&mut root, key, value)?;
    }
    let mut params = Map::new();
    for (name, node) in root {
        let value = match scalars.iter().find(|(n, _)| *n == name) {
            Some((_, kind)) => scalar(&name, node, *kind)?,
            None => to_json(&name, node)?,
        };
        params.insert(name, value);
    }
    Ok(params)
}

fn insert(root: &mut BTreeMap<String, Node>, key: &str, value: &str) -> Result<(), ApiError> {
    let segments: Vec<&str> = key.split('.').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(invalid(format!(
            "The parameter name `{key}` is malformed: write lists as Name.0, Name.1 and members \
             as Name.Member."
        )));
    }
    let (last, parents) = segments.split_last().expect("split yields one segment");
    let mut map = root;
    for (depth, segment) in parents.iter().enumerate() {
        let node = map
            .entry((*segment).to_owned())
            .or_insert_with(|| Node::Inner(BTreeMap::new()));
        map = match node {
            Node::Inner(children) => children,
            Node::Leaf(_) => return Err(conflict(&segments[..=depth].join("."))),
        };
    }
    match map.get(*last) {
        Some(Node::Leaf(_)) => Err(invalid(format!(
            "The parameter `{key}` is given more than once."
        ))),
        Some(Node::Inner(_)) => Err(conflict(key)),
        None => {
            map.insert((*last).to_owned(), Node::Leaf(value.to_owned()));
            Ok(())
        }
    }
}

fn conflict(name: &str) -> ApiError {
    invalid(format!(
        "The parameter `{name}` is given both as a value and as a list or object \
         (`{name}.0`, `{name}.Member`): send one form."
    ))
}

/// A list when every key is an index (numbered 0, 1, ... without gaps or leading zeros), else an
/// object.
fn to_json(name: &str, node: Node) -> Result<Value, ApiError> {
    let children = match node {
        Node::Leaf(s) => return Ok(Value::String(s)),
        Node::Inner(children) => children,
    };
    if !children
        .keys()
        .all(|k| k.bytes().all(|b| b.is_ascii_digit()))
    {
        let mut object = Map::new();
        for (key, child) in children {
            let value = to_json(&format!("{name}.{key}"), child)?;
            object.insert(key, value);
        }
        return Ok(Value::Object(object));
    }
    let mut indexed = BTreeMap::new();
    for (key, child) in children {
        match key.parse::<usize>() {
            Ok(i) if i.to_string() == key => {
                indexed.insert(i, child);
            }
            _ => {
                return Err(invalid(format!(
                    "The list index in `{name}.{key}` is malformed: number the items 0, 1, 2, ..."
                )));
            }
        }
    }
    let mut items = Vec::with_capacity(indexed.len());
    for (expected, (i, child)) in indexed.into_iter().enumerate() {
        if i != expected {
            return Err(invalid(format!(
                "The list `{name}` has `{name}.{i}` but no `{name}.{expected}`: number the items \
                 0, 1, 2, ... without gaps."
            )));
        }
        items.push(to_json(&format!("{name}.{i}"), child)?);
    }
    Ok(Value::Array(items))
}

fn scalar(name: &str, node: Node, kind: Scalar) -> Result<Value, ApiError> {
    let text = match node {
        Node::Leaf(text) => text,
        Node::Inner(_) => {
            return Err(invalid(format!(
                "The parameter `{name}` must be a single value, not a list or object."
            )));
        }
    };
    match kind {
        Scalar::Boolean if text.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
        Scalar::Boolean if text.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
        Scalar::Boolean => Err(invalid(format!(
            "The parameter `{name}` must be a boolean: `{text}` is neither true nor false."
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &[(&str, &str)]) -> Vec<(String, String)> {
        query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn parse(query: &[(&str, &str)]) -> Result<Value, String> {
        parameters(&pairs(query), &[("ForceStop", Scalar::Boolean)])
            .map(Value::Object)
            .map_err(|e| e.message)
    }

    #[test]
    fn lists_objects_and_booleans_come_back_as_json() {
        let value = parse(&[
            ("InstanceIds.1", "ins-b"),
            ("InstanceIds.0", "ins-a"),
            ("ForceStop", "True"),
            ("Filters.0.Name", "zone"),
            ("Filters.0.Values.0", "ap-guangzhou-3"),
            ("Limit", "10"),
        ])
        .unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "InstanceIds": ["ins-a", "ins-b"],
                "ForceStop": true,
                "Filters": [{"Name": "zone", "Values": ["ap-guangzhou-3"]}],
                "Limit": "10",
            })
        );
        // Ten items sort by number, not as text ("10" after "9").
        let many: Vec<(String, String)> = (0..11)
            .map(|i| (format!("InstanceIds.{i}"), format!("ins-{i}")))
            .collect();
        let value = parameters(&many, &[]).unwrap();
        assert_eq!(value["InstanceIds"][10], "ins-10");
        assert_eq!(value["InstanceIds"][9], "ins-9");
    }

    #[test]
    fn malformed_forms_are_refused_naming_the_parameter() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("InstanceIds.1", "ins-b")], "no `InstanceIds.0`"),
            (
                &[("InstanceIds.01", "ins-b")],
                "`InstanceIds.01` is malformed",
            ),
            (
                &[("InstanceIds", "ins-a"), ("InstanceIds.0", "ins-b")],
                "`InstanceIds` is given both",
            ),
            (
                &[("InstanceIds.0", "ins-b"), ("InstanceIds", "ins-a")],
                "`InstanceIds` is given both",
            ),
            (
                &[("InvocationId", "inv-a"), ("InvocationId", "inv-b")],
                "`InvocationId` is given more than once",
            ),
            (
                &[("InstanceIds..0", "ins-a")],
                "`InstanceIds..0` is malformed",
            ),
            (&[("ForceStop", "yes")], "`yes` is neither true nor false"),
            (&[("ForceStop.0", "true")], "must be a single value"),
        ];
        for (query, expected) in cases {
            let message = parse(query).unwrap_err();
            assert!(message.contains(expected), "{query:?}: {message}");
        }
    }
}
