//! The two file formats of the official tools: INI (the SDKs' credentials files) and JSON (the
//! CLIs' profiles). Errors name the line, never a value: a malformed line may hold a secret.

/// One `key = value` of an INI section.
#[derive(Debug)]
pub(crate) struct Entry {
    pub key: String,
    pub value: String,
}

/// One `[section]` and its entries.
#[derive(Debug)]
pub(crate) struct Section {
    pub name: String,
    pub entries: Vec<Entry>,
}

impl Section {
    /// The value of `key`, if set and not empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .rev()
            .find(|e| e.key == key)
            .map(|e| e.value.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// Parses INI text as Python's `configparser` and Go's ini readers accept it for these files:
/// `[section]` lines, `key = value` or `key: value` lines, `#` and `;` comment lines, blank lines.
/// Values are trimmed, and one pair of surrounding double or single quotes is removed (the
/// Tencent SDK's docstring shows `secret_id = ""`). Anything else is "malformed at line N".
pub(crate) fn parse_ini(text: &str) -> Result<Vec<Section>, String> {
    let mut sections: Vec<Section> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        let n = i + 1;
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest
                .strip_suffix(']')
                .ok_or_else(|| format!("malformed at line {n}: a section header without ']'"))?;
            sections.push(Section {
                name: name.trim().to_owned(),
                entries: Vec::new(),
            });
            continue;
        }
        let Some(at) = line.find(['=', ':']) else {
            return Err(format!(
                "malformed at line {n}: neither a [section] nor a key = value line"
            ));
        };
        let key = line[..at].trim();
        if key.is_empty() {
            return Err(format!("malformed at line {n}: a value without a key"));
        }
        let section = sections
            .last_mut()
            .ok_or_else(|| format!("malformed at line {n}: a key before any [section]"))?;
        section.entries.push(Entry {
            key: key.to_owned(),
            value: unquote(line[at + 1..].trim()).to_owned(),
        });
    }
    Ok(sections)
}

fn unquote(value: &str) -> &str {
    for q in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(q) && value.ends_with(q) {
            return &value[1..value.len() - 1];
        }
    }
    value
}

/// Parses JSON text, naming the line and column of a syntax error (serde's type errors can
/// quote a value, so only syntax is checked here; fields are read from the `Value`).
pub(crate) fn parse_json(text: &str) -> Result<serde_json::Value, String> {
    serde_json::from_str(text).map_err(|e| {
        format!(
            "malformed at line {} column {}: not valid JSON",
            e.line(),
            e.column()
        )
    })
}

/// A string field of a JSON object, trimmed (terraform trims tccli's values), if set and not
/// empty; an error naming the field if it is set to something other than a string.
pub(crate) fn json_str<'a>(
    object: &'a serde_json::Value,
    key: &str,
) -> Result<Option<&'a str>, String> {
    match object.get(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.trim()).filter(|s| !s.is_empty())),
        Some(_) => Err(format!("\"{key}\" is not a string")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_sections_keys_quotes_and_comments() {
        let text = "# comment\n[default]\nsecret_id = \"AKIDx\"\n; other\nsecret_key=abc\n\n[prod]\ntype: access_key\n";
        let s = parse_ini(text).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].get("secret_id"), Some("AKIDx"));
        assert_eq!(s[0].get("secret_key"), Some("abc"));
        assert_eq!(s[1].name, "prod");
        assert_eq!(s[1].get("type"), Some("access_key"));
    }

    #[test]
    fn a_malformed_ini_line_is_named_by_number_without_its_text() {
        let err = parse_ini("[default]\nsecret_id = a\nTOPSECRETVALUE\n").unwrap_err();
        assert_eq!(
            err,
            "malformed at line 3: neither a [section] nor a key = value line"
        );
        assert!(parse_ini("k = v\n").unwrap_err().contains("line 1"));
    }

    #[test]
    fn malformed_json_names_line_and_column() {
        let err = parse_json("{\n  \"secretId\": \"AKID\",\n  \"secretKey\" \"TOPSECRET\"\n}")
            .unwrap_err();
        assert!(err.starts_with("malformed at line 3"), "{err}");
        assert!(!err.contains("TOPSECRET"));
    }
}
