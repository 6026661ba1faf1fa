//! The signature base of RFC 9421 (section 2.5): one line per covered
//! component, `"name": value`, then the `@signature-params` line, the
//! inner list serialised canonically.

use super::fields::{self, Bare, Params};

/// The parts of a request a signature can cover.
pub trait Message {
    fn method(&self) -> &str;
    /// The host (and port, when not the default) the request names.
    fn authority(&self) -> &str;
    fn path(&self) -> &str;
    /// The query, without its `?`; `None` when the target has none.
    fn query(&self) -> Option<&str>;
    /// A header's values joined with `, ` (RFC 9421 section 2.1); `None`
    /// when absent.
    fn header(&self, name: &str) -> Option<String>;
    /// A response (a key directory's): its headers are its own, and the
    /// only derived component it may cover is the request's `@authority`
    /// (`"@authority";req`, RFC 9421 section 2.4).
    fn is_response(&self) -> bool {
        false
    }
}

/// The value of field `name` among `fields` (name, value) as a signature
/// base has it (RFC 9421 section 2.1): every value with that name
/// (case-insensitive), trimmed, joined with `, `; `None` when there is none.
pub fn field_value<N: AsRef<str>, V: AsRef<str>>(fields: &[(N, V)], name: &str) -> Option<String> {
    let values: Vec<&str> = fields
        .iter()
        .filter(|(n, _)| n.as_ref().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_ref().trim())
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

/// Most bytes of a signature base built.
const MAX_BASE_BYTES: usize = 16 * 1024;

/// The signature base for these covered components and parameters.
pub fn signature_base(
    message: &dyn Message,
    components: &[(Bare, Params)],
    params: &Params,
) -> Result<String, String> {
    let mut base = String::new();
    let mut line = String::from("(");
    for (i, (item, component_params)) in components.iter().enumerate() {
        let Bare::String(name) = item else {
            return Err("a covered component is not a string".into());
        };
        let request_authority = message.is_response()
            && name == "@authority"
            && *component_params == [("req".to_string(), Bare::Boolean(true))];
        if message.is_response() && name.starts_with('@') && !request_authority {
            return Err(format!(
                "a response may cover only \"@authority\";req of the derived components, not {name}"
            ));
        }
        if !component_params.is_empty() && !request_authority {
            return Err(format!("component parameters are not supported ({name})"));
        }
        let value = match name.as_str() {
            "@method" => message.method().to_string(),
            "@authority" => message.authority().to_ascii_lowercase(),
            "@path" => message.path().to_string(),
            "@query" => format!("?{}", message.query().unwrap_or("")),
            derived if derived.starts_with('@') => {
                return Err(format!("derived component {derived} is not supported"))
            }
            header => message
                .header(header)
                .ok_or_else(|| format!("covered header {header} is absent"))?,
        };
        if value.contains(['\n', '\r']) {
            return Err(format!("{name} holds a line break"));
        }
        let mut component = String::new();
        fields::serialize_bare(item, &mut component);
        fields::serialize_params(component_params, &mut component);
        base.push_str(&format!("{component}: {value}\n"));
        if i > 0 {
            line.push(' ');
        }
        line.push_str(&component);
        if base.len() > MAX_BASE_BYTES {
            return Err("signature base too long".into());
        }
    }
    line.push(')');
    fields::serialize_params(params, &mut line);
    base.push_str("\"@signature-params\": ");
    base.push_str(&line);
    Ok(base)
}
