//! IAM policy documents, as S3 bucket policies and IAM policies deliver them.
//!
//! AWS Config hands IAM policy documents over URL-encoded and bucket policies as
//! JSON text; `Statement`, `Action`, `Resource` and `Principal` may each be a single
//! value or a list. This module normalizes all of that once so checks stay short.

use serde_json::Value;

/// One normalized policy statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// `Allow` or `Deny` (as written).
    pub effect: String,
    /// Actions (`Action`), lower-cased.
    pub actions: Vec<String>,
    /// Actions excluded (`NotAction`), lower-cased.
    pub not_actions: Vec<String>,
    /// Resources (`Resource`).
    pub resources: Vec<String>,
    /// Principals (`Principal`): `*` for the string form, else every listed value.
    pub principals: Vec<String>,
    /// The `Condition` block, `Null` when absent.
    pub condition: Value,
}

impl Statement {
    /// `Effect` is `Allow`.
    pub fn is_allow(&self) -> bool {
        self.effect.eq_ignore_ascii_case("allow")
    }

    /// `Effect` is `Deny`.
    pub fn is_deny(&self) -> bool {
        self.effect.eq_ignore_ascii_case("deny")
    }

    /// Whether the statement applies to everyone (`"*"` or `{"AWS": "*"}`).
    pub fn has_wildcard_principal(&self) -> bool {
        self.principals.iter().any(|p| p == "*")
    }

    /// Whether the statement carries any condition.
    pub fn has_condition(&self) -> bool {
        self.condition.as_object().is_some_and(|o| !o.is_empty())
    }

    /// Whether the statement's condition narrows who may call: any condition key but
    /// `lambda:FunctionUrlAuthType` (see [`Policy::public_statement`]).
    pub fn restricts_who(&self) -> bool {
        let Some(ops) = self.condition.as_object() else { return false };
        ops.values()
            .filter_map(Value::as_object)
            .flat_map(|keys| keys.keys())
            .any(|k| !k.eq_ignore_ascii_case("lambda:FunctionUrlAuthType"))
    }

    /// The value(s) of one condition key under one operator, e.g. `("Bool", "aws:SecureTransport")`.
    /// Operator and key match case-insensitively, as IAM does.
    pub fn condition_values(&self, operator: &str, key: &str) -> Vec<String> {
        let Some(ops) = self.condition.as_object() else { return Vec::new() };
        ops.iter()
            .filter(|(op, _)| op.eq_ignore_ascii_case(operator))
            .filter_map(|(_, keys)| keys.as_object())
            .flat_map(|keys| keys.iter().filter(|(k, _)| k.eq_ignore_ascii_case(key)).flat_map(|(_, v)| strings(v)))
            .collect()
    }
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Policy {
    /// Its statements, normalized.
    pub statements: Vec<Statement>,
}

/// Why a policy document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError(pub String);

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Policy {
    /// Parses a document given as JSON text, URL-encoded JSON text, or an already parsed value.
    pub fn parse(document: &Value) -> Result<Policy, PolicyError> {
        match document {
            Value::String(text) => {
                let text = text.trim();
                let decoded;
                let json = if text.starts_with('{') {
                    text
                } else {
                    decoded = url_decode(text).ok_or_else(|| PolicyError("policy document is not valid URL encoding".into()))?;
                    decoded.as_str()
                };
                let value: Value =
                    serde_json::from_str(json).map_err(|e| PolicyError(format!("policy document is not valid JSON: {e}")))?;
                Policy::parse(&value)
            }
            Value::Object(doc) => {
                let statements = match doc.get("Statement") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Array(list)) => list.iter().map(statement).collect::<Result<_, _>>()?,
                    Some(single) => vec![statement(single)?],
                };
                Ok(Policy { statements })
            }
            other => Err(PolicyError(format!("policy document must be an object or JSON text, found {}", kind(other)))),
        }
    }

    /// The first `Allow` statement for every principal with no condition that restricts
    /// who: what makes a resource policy public. Conditions are assumed to restrict (a
    /// source account, an organization, a VPC endpoint), as AWS Config's rules assume,
    /// except `lambda:FunctionUrlAuthType`, which says how callers sign, not who they are
    /// (a function URL with `NONE` is open to the internet).
    pub fn public_statement(&self) -> Option<&Statement> {
        self.statements.iter().find(|s| s.is_allow() && s.has_wildcard_principal() && !s.restricts_who())
    }

    /// Whether a `Deny` for every principal covers all of `service`'s actions (`service:*`
    /// or `*`) when `aws:SecureTransport` is `false`: the policy that refuses plain HTTP.
    pub fn denies_insecure_transport(&self, service: &str) -> bool {
        let all = format!("{}:*", service.to_ascii_lowercase());
        self.statements.iter().any(|s| {
            s.is_deny()
                && s.has_wildcard_principal()
                && s.actions.iter().any(|a| *a == all || a == "*")
                && s.condition_values("Bool", "aws:SecureTransport").iter().any(|v| v.eq_ignore_ascii_case("false"))
        })
    }

    /// `Allow` statements that grant every action on every resource (`*:*` on `*`),
    /// the shape of an administrator policy.
    pub fn grants_full_admin(&self) -> bool {
        self.statements.iter().any(|s| {
            s.is_allow()
                && s.not_actions.is_empty()
                && s.actions.iter().any(|a| a == "*" || a == "*:*")
                && s.resources.iter().any(|r| r == "*")
        })
    }
}

fn statement(v: &Value) -> Result<Statement, PolicyError> {
    let obj = v.as_object().ok_or_else(|| PolicyError(format!("a Statement must be an object, found {}", kind(v))))?;
    let lower = |key: &str| obj.get(key).map(strings).unwrap_or_default().into_iter().map(|s| s.to_ascii_lowercase()).collect();
    let principals = match obj.get("Principal") {
        None => Vec::new(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Object(map)) => map.values().flat_map(strings).collect(),
        Some(other) => strings(other),
    };
    Ok(Statement {
        effect: obj.get("Effect").and_then(Value::as_str).unwrap_or("").to_string(),
        actions: lower("Action"),
        not_actions: lower("NotAction"),
        resources: obj.get("Resource").map(strings).unwrap_or_default(),
        principals,
        condition: obj.get("Condition").cloned().unwrap_or(Value::Null),
    })
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
        Value::Bool(b) => vec![b.to_string()],
        Value::Number(n) => vec![n.to_string()],
        _ => Vec::new(),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Decodes `%XX` escapes and `+` as a space. `None` for a malformed escape or non-UTF-8.
pub fn url_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_url_encoded_documents() {
        let doc = json!(
            "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%7D"
        );
        let p = Policy::parse(&doc).unwrap();
        assert_eq!(p.statements.len(), 1);
        assert!(p.grants_full_admin());
    }

    #[test]
    fn not_action_is_not_full_admin() {
        let p = Policy::parse(&json!({"Statement":[{"Effect":"Allow","NotAction":"iam:*","Action":"*","Resource":"*"}]})).unwrap();
        assert!(!p.grants_full_admin());
        let scoped = Policy::parse(&json!({"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]})).unwrap();
        assert!(!scoped.grants_full_admin());
    }

    #[test]
    fn principals_and_conditions() {
        let p = Policy::parse(&json!({"Statement":[{"Effect":"Deny","Principal":{"AWS":["*"]},"Action":"s3:*",
            "Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}))
        .unwrap();
        let s = &p.statements[0];
        assert!(s.is_deny() && s.has_wildcard_principal() && s.has_condition());
        assert_eq!(s.condition_values("bool", "AWS:SecureTransport"), vec!["false".to_string()]);
    }

    #[test]
    fn public_means_allowed_to_everyone_without_a_condition_on_who() {
        let public =
            |statement: serde_json::Value| Policy::parse(&json!({ "Statement": [statement] })).unwrap().public_statement().is_some();
        assert!(public(json!({"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage"})));
        assert!(public(json!({"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sns:Publish"})));
        assert!(!public(json!({"Effect":"Deny","Principal":"*","Action":"sqs:*"})));
        assert!(!public(json!({"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sqs:*"})));
        assert!(!public(
            json!({"Effect":"Allow","Principal":"*","Action":"sns:Publish","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}})
        ));
        // A function URL without authentication: the condition says how, not who.
        assert!(public(json!({"Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl",
            "Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"NONE"}}})));
        assert!(!public(json!({"Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl",
            "Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"NONE","aws:SourceAccount":"111111111111"}}})));
    }

    #[test]
    fn insecure_transport_is_denied_only_for_all_of_the_service() {
        let denies = |action: &str| {
            Policy::parse(&json!({"Statement":[{"Effect":"Deny","Principal":"*","Action":action,
                "Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}))
            .unwrap()
            .denies_insecure_transport("sns")
        };
        assert!(denies("sns:*") && denies("SNS:*") && denies("*"));
        assert!(!denies("sns:Publish"), "subscribing over HTTP stays allowed");
        assert!(!denies("sqs:*"), "another service's actions");
    }

    #[test]
    fn malformed_documents_are_errors() {
        assert!(Policy::parse(&json!("%ZZ")).is_err());
        assert!(Policy::parse(&json!("{not json")).is_err());
        assert!(Policy::parse(&json!(42)).is_err());
        assert!(Policy::parse(&json!({"Statement": [1]})).is_err());
    }
}
