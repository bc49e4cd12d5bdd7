//! Following a paged answer ([`Pagination`]) so that the caller gets every item: the next page's
//! call, and merging a page's items into the first answer.

use serde_json::Value;

use super::{Call, Operation, Pagination};

/// The most pages one request follows: 1,000 pages of 100 are 100,000 items, far beyond any
/// account's instances. A peer that pages forever is cut off there.
pub const MAX_PAGES: usize = 1000;

/// The call for the page after `call`, whose answer was `data`, when there is one. `pages` is
/// how many pages were fetched so far.
pub(crate) fn next(call: &Call, data: &Value, pages: usize) -> Option<Call> {
    if pages >= MAX_PAGES {
        return None;
    }
    match call.op.pagination {
        Pagination::OffsetLimit { items, total, .. } => {
            let mut body: serde_json::Map<String, Value> =
                serde_json::from_slice(&call.body).ok()?;
            let response = data.get("Response")?;
            let got = response.get(items)?.as_array()?.len() as u64;
            let total = response.get(total)?.as_u64()?;
            let offset = body.get("Offset").and_then(Value::as_u64).unwrap_or(0);
            // An empty page ends it too: a peer whose TotalCount lies cannot loop us.
            if got == 0 || offset + got >= total {
                return None;
            }
            body.insert("Offset".into(), (offset + got).into());
            Some(Call {
                body: serde_json::to_vec(&body).ok()?,
                ..call.clone()
            })
        }
        Pagination::NextToken { .. } => {
            let token = data.get("NextToken")?.as_str().filter(|t| !t.is_empty())?;
            let previous = call
                .query
                .iter()
                .find(|(n, _)| n == "NextToken")
                .map(|(_, v)| v.as_str());
            if previous == Some(token) {
                return None;
            }
            let mut query: Vec<(String, String)> = call
                .query
                .iter()
                .filter(|(n, _)| n != "NextToken")
                .cloned()
                .collect();
            query.push(("NextToken".into(), token.to_owned()));
            Some(Call {
                query,
                ..call.clone()
            })
        }
        _ => None,
    }
}

/// Appends the items of `page` to those of `first`, and keeps the last page's token.
pub(crate) fn merge(op: &Operation, first: &mut Value, page: Value) {
    let path: Vec<&str> = match op.pagination {
        Pagination::OffsetLimit { items, .. } => vec!["Response", items],
        Pagination::NextToken { items, .. } => items.to_vec(),
        _ => return,
    };
    let take = |mut v: Value| -> Option<Vec<Value>> {
        for key in &path {
            v = v.get_mut(*key)?.take();
        }
        match v {
            Value::Array(items) => Some(items),
            _ => None,
        }
    };
    let Some(more) = take(page.clone()) else {
        return;
    };
    let mut target = &mut *first;
    for key in &path {
        match target.get_mut(*key) {
            Some(next) => target = next,
            None => return,
        }
    }
    if let Value::Array(items) = target {
        items.extend(more);
    }
    if let Pagination::NextToken { .. } = op.pagination
        && let Some(obj) = first.as_object_mut()
    {
        obj.insert(
            "NextToken".into(),
            page.get("NextToken").cloned().unwrap_or(Value::Null),
        );
    }
}

/// Appends the items of another request's answer `other` to `first` (a Describe call of more IDs
/// than one request takes), and makes Tencent's total count the merged count.
pub(crate) fn merge_request(op: &Operation, first: &mut Value, other: Value) {
    merge(op, first, other);
    if let Pagination::OffsetLimit { items, total, .. } = op.pagination
        && let Some(response) = first.get_mut("Response")
    {
        let count = response.get(items).and_then(Value::as_array).map(Vec::len);
        if let Some(count) = count {
            response[total] = count.into();
        }
    }
}
