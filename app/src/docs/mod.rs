//! `/api/docs`: the REST API's reference, rendered by the portal from its own OpenAPI
//! document ([`crate::api::openapi`]), so it works offline (no script or stylesheet from
//! anywhere else) and always matches the routes that answer. The page's words are in the
//! reader's language; the schemas' field notes are the document's (English).

pub mod page;

use serde::{Deserialize, Serialize};

/// The reference as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    /// The portal's base URL, without a trailing slash.
    pub base_url: String,
    pub version: String,
    pub operations: Vec<OperationDoc>,
    pub schemas: Vec<SchemaDoc>,
}

/// One operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationDoc {
    pub id: String,
    pub method: String,
    pub path: String,
    pub tag: String,
    /// The document's summary (the page prefers its own localized sentence).
    pub summary: String,
    pub params: Vec<FieldDoc>,
    /// The request body's type, if it takes one.
    pub body: Option<String>,
    pub responses: Vec<ResponseDoc>,
}

/// A parameter or a schema's property.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldDoc {
    pub name: String,
    /// `path` or `query` for a parameter; empty for a property.
    pub location: String,
    pub ty: String,
    pub required: bool,
    pub description: String,
}

/// One documented answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResponseDoc {
    pub status: String,
    /// The body's type.
    pub ty: Option<String>,
}

/// A named schema: an object's properties, a string's values, or a union's variants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaDoc {
    pub name: String,
    pub description: String,
    pub fields: Vec<FieldDoc>,
    pub values: Vec<String>,
    pub variants: Vec<String>,
}

/// The reference of this portal's API. Public: the document holds no data.
#[leptos::server(prefix = "/fn", endpoint = "docs/reference")]
pub async fn api_reference() -> Result<Reference, crate::error::AppError> {
    use std::sync::OnceLock;
    let caller = crate::auth::caller::Caller::current()?;
    static BUILT: OnceLock<Reference> = OnceLock::new();
    let mut reference = BUILT
        .get_or_init(|| {
            let document = serde_json::to_value(crate::api::openapi::document())
                .unwrap_or(serde_json::Value::Null);
            build::reference(&document)
        })
        .clone();
    reference.base_url = caller
        .state
        .config
        .base_url
        .trim_end_matches('/')
        .to_owned();
    Ok(reference)
}

/// Reads the page's view out of the document's JSON.
#[cfg(feature = "ssr")]
mod build {
    use super::{FieldDoc, OperationDoc, Reference, ResponseDoc, SchemaDoc};
    use serde_json::Value;

    const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

    pub fn reference(document: &Value) -> Reference {
        let mut operations = Vec::new();
        for (path, item) in entries(&document["paths"]) {
            for method in METHODS {
                let operation = &item[method];
                if operation.is_object() {
                    operations.push(self::operation(document, method, path, operation));
                }
            }
        }
        let schemas = entries(&document["components"]["schemas"])
            .map(|(name, schema)| self::schema(name, schema))
            .collect();
        Reference {
            base_url: String::new(),
            version: text(&document["info"]["version"]),
            operations,
            schemas,
        }
    }

    fn entries(value: &Value) -> impl Iterator<Item = (&String, &Value)> {
        value.as_object().into_iter().flatten()
    }

    fn text(value: &Value) -> String {
        value.as_str().unwrap_or_default().to_owned()
    }

    fn operation(document: &Value, method: &str, path: &str, operation: &Value) -> OperationDoc {
        let params = operation["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|param| FieldDoc {
                name: text(&param["name"]),
                location: text(&param["in"]),
                ty: type_name(&param["schema"]),
                required: param["required"].as_bool().unwrap_or(false),
                description: text(&param["description"]),
            })
            .collect();
        let body = body_type(&operation["requestBody"]);
        let responses = entries(&operation["responses"])
            .map(|(status, response)| {
                // A shared response is a reference into components.responses.
                let response = match response["$ref"].as_str() {
                    Some(reference) => {
                        let name = reference.rsplit('/').next().unwrap_or_default();
                        &document["components"]["responses"][name]
                    }
                    None => response,
                };
                ResponseDoc {
                    status: status.clone(),
                    ty: body_type(response),
                }
            })
            .collect();
        OperationDoc {
            id: text(&operation["operationId"]),
            method: method.to_uppercase(),
            path: path.to_owned(),
            tag: text(&operation["tags"][0]),
            summary: text(&operation["summary"]),
            params,
            body,
            responses,
        }
    }

    /// The JSON type of a request body or response, if it has one.
    fn body_type(value: &Value) -> Option<String> {
        let schema = &value["content"]["application/json"]["schema"];
        (!schema.is_null()).then(|| type_name(schema))
    }

    fn schema(name: &str, schema: &Value) -> SchemaDoc {
        let required: Vec<&str> = schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let fields = properties(schema)
            .map(|(field, property)| FieldDoc {
                name: field.clone(),
                location: String::new(),
                ty: type_name(property),
                required: required.contains(&field.as_str()),
                description: text(&property["description"]),
            })
            .collect();
        let values = enum_values(schema);
        let variants = schema["oneOf"]
            .as_array()
            .into_iter()
            .flatten()
            .map(object_shape)
            .collect();
        SchemaDoc {
            name: name.to_owned(),
            description: text(&schema["description"]),
            fields,
            values,
            variants,
        }
    }

    fn properties(schema: &Value) -> impl Iterator<Item = (&String, &Value)> {
        entries(&schema["properties"])
    }

    fn enum_values(schema: &Value) -> Vec<String> {
        schema["enum"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|value| match value {
                Value::String(text) => format!("\"{text}\""),
                other => other.to_string(),
            })
            .collect()
    }

    /// An object variant written out: `{ kind: "too_short", min: integer }`.
    fn object_shape(schema: &Value) -> String {
        if schema["properties"].is_null() {
            return type_name(schema);
        }
        let fields: Vec<String> = properties(schema)
            .map(|(name, property)| format!("{name}: {}", type_name(property)))
            .collect();
        format!("{{ {} }}", fields.join(", "))
    }

    /// A schema as a short type: `string`, `integer | null`, `StepView[]`, `"a" | "b"`.
    pub fn type_name(schema: &Value) -> String {
        if let Some(reference) = schema["$ref"].as_str() {
            return reference.rsplit('/').next().unwrap_or(reference).to_owned();
        }
        for union in ["oneOf", "anyOf"] {
            if let Some(variants) = schema[union].as_array() {
                let names: Vec<String> = variants.iter().map(type_name).collect();
                return names.join(" | ");
            }
        }
        let values = enum_values(schema);
        if !values.is_empty() {
            return values.join(" | ");
        }
        let one = |ty: &str| match ty {
            "array" => format!("{}[]", type_name(&schema["items"])),
            "object" if schema["additionalProperties"].is_object() => {
                format!(
                    "map<string, {}>",
                    type_name(&schema["additionalProperties"])
                )
            }
            other => other.to_owned(),
        };
        match &schema["type"] {
            Value::String(ty) => one(ty),
            Value::Array(types) => types
                .iter()
                .filter_map(Value::as_str)
                .map(one)
                .collect::<Vec<_>>()
                .join(" | "),
            _ => "any".to_owned(),
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use serde_json::json;

        #[test]
        fn types_read_as_written() {
            let cases = [
                (json!({"type": "string"}), "string"),
                (json!({"type": ["integer", "null"]}), "integer | null"),
                (
                    json!({"type": "array", "items": {"$ref": "#/components/schemas/StepView"}}),
                    "StepView[]",
                ),
                (
                    json!({"type": "string", "enum": ["owner", "admin"]}),
                    "\"owner\" | \"admin\"",
                ),
                (
                    json!({"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Localized"}]}),
                    "null | Localized",
                ),
                (
                    json!({"type": "object", "additionalProperties": {"type": "string"}}),
                    "map<string, string>",
                ),
                (json!({}), "any"),
            ];
            for (schema, expected) in cases {
                assert_eq!(type_name(&schema), expected, "{schema}");
            }
        }

        #[test]
        fn the_portal_document_reads_completely() {
            let document = serde_json::to_value(crate::api::openapi::document()).unwrap();
            let reference = reference(&document);
            let ids: Vec<&str> = reference.operations.iter().map(|o| o.id.as_str()).collect();
            // By path (the page groups them by tag).
            assert_eq!(
                ids,
                [
                    "get_organization",
                    "list_audit_events",
                    "create_instance_request",
                    "list_instances",
                    "get_instance",
                    "get_usage",
                ]
            );
            let list = &reference.operations[3];
            assert_eq!(list.method, "GET");
            assert_eq!(list.path, "/api/v1/orgs/{slug}/instances");
            let names: Vec<&str> = list.params.iter().map(|p| p.name.as_str()).collect();
            assert_eq!(names, ["slug", "cursor", "limit"]);
            let unauthorized = list.responses.iter().find(|r| r.status == "401").unwrap();
            assert_eq!(unauthorized.ty.as_deref(), Some("ErrorBody"));
            let create = &reference.operations[2];
            assert_eq!(create.body.as_deref(), Some("Draft"));
            let role = reference.schemas.iter().find(|s| s.name == "Role").unwrap();
            assert_eq!(
                role.values,
                ["\"owner\"", "\"admin\"", "\"member\"", "\"viewer\""]
            );
            let problem = reference
                .schemas
                .iter()
                .find(|s| s.name == "Problem")
                .unwrap();
            assert!(
                problem.variants.iter().any(|v| v.contains("min: integer")),
                "{:?}",
                problem.variants
            );
        }
    }
}
