//! The contract: the committed openapi.yaml is what the server serves, and it is well formed.

use ccm_tests::TestApp;
use serde_json::{json, Value};

fn document() -> Value {
    serde_json::to_value(ccm_api::openapi::document()).unwrap()
}

#[test]
fn the_committed_openapi_yaml_is_what_the_server_serves() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml");
    let committed =
        std::fs::read_to_string(path).expect("openapi.yaml is committed at the repository root");
    assert!(
        committed == ccm_api::openapi::yaml(),
        "openapi.yaml is out of date: run `make openapi` and commit the result"
    );
    let app = TestApp::spawn();
    let served = app.get("/openapi.json").send().ok(200);
    assert!(
        served == document(),
        "the served document differs from the one openapi.yaml is made from"
    );
}

#[test]
fn every_operation_documents_its_responses_with_descriptions() {
    let doc = document();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 20, "{} paths", paths.len());
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"]
                .as_object()
                .unwrap_or_else(|| panic!("{method} {path}: no responses"));
            assert!(!responses.is_empty(), "{method} {path}");
            for (status, response) in responses {
                let described = response
                    .get("description")
                    .and_then(Value::as_str)
                    .is_some_and(|d| !d.is_empty())
                    || response.get("$ref").is_some();
                assert!(described, "{method} {path} {status}: no description");
            }
            let secured = op.get("security").is_some();
            if secured {
                assert!(
                    responses.contains_key("401"),
                    "{method} {path} needs a documented 401"
                );
            }
            if op.get("requestBody").is_some() {
                assert!(
                    responses.contains_key("422"),
                    "{method} {path} takes a body: it needs a documented 422"
                );
            }
        }
    }
    for name in [
        "BadRequest",
        "Unauthorized",
        "Forbidden",
        "NotFound",
        "Conflict",
        "Unprocessable",
    ] {
        assert!(doc["components"]["responses"][name].is_object(), "{name}");
    }
}

/// utoipa names a schema after its type and keeps the last of two types with one name, so two
/// `PolicyView`s would make one operation's documented body the other's. Every name that
/// becomes a schema must be declared once.
/// Every `$ref` in `value`, with where it was found.
fn refs(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push((at.to_string(), r.clone())),
                    _ => refs(v, &format!("{at}/{k}"), out),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                refs(v, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// A parameter's type that utoipa does not collect into the components leaves a `$ref` to
/// nothing, which generated clients and linters refuse (GET /v1/staff's role once did).
#[test]
fn every_reference_resolves() {
    let doc = document();
    let mut found = Vec::new();
    refs(&doc, "", &mut found);
    assert!(found.len() > 100, "only {} references", found.len());
    let dangling: Vec<String> = found
        .into_iter()
        .filter(|(_, r)| {
            let pointer = r.strip_prefix('#').unwrap_or("not a local reference");
            doc.pointer(pointer).is_none()
        })
        .map(|(at, r)| format!("{at}: {r}"))
        .collect();
    assert!(dangling.is_empty(), "{}", dangling.join("\n"));
}

#[test]
fn every_schema_name_is_declared_once() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let mut names: Vec<(String, String)> = Vec::new();
    for dir in ["api/src", "domain/src"] {
        for file in rust_files(&std::path::Path::new(root).join(dir)) {
            let text = std::fs::read_to_string(&file).unwrap();
            let lines: Vec<&str> = text.lines().map(str::trim).collect();
            for (i, line) in lines.iter().enumerate() {
                let declared = if line.starts_with("#[derive(") && line.contains("ToSchema") {
                    lines[i + 1..]
                        .iter()
                        .find(|l| l.starts_with("pub struct ") || l.starts_with("pub enum "))
                        .and_then(|l| l.split_whitespace().nth(2))
                } else if line.starts_with("string_enum! {") {
                    lines[i + 1..]
                        .iter()
                        .find(|l| !l.starts_with("///") && !l.starts_with("#["))
                        .and_then(|l| l.split_whitespace().next())
                } else if let Some(rest) = line.strip_prefix("list_response!(") {
                    rest.split(',').next()
                } else if let Some(rest) = line.strip_prefix("crate::http::list_response!(") {
                    rest.split(',').next()
                } else {
                    None
                };
                if let Some(name) = declared {
                    let name = name.trim_end_matches(['{', '<', '(']).to_string();
                    names.push((name, file.display().to_string()));
                }
            }
        }
    }
    names.sort();
    let twice: Vec<_> = names
        .windows(2)
        .filter(|w| w[0].0 == w[1].0)
        .map(|w| format!("{} in {} and {}", w[0].0, w[0].1, w[1].1))
        .collect();
    assert!(
        names.len() > 100,
        "the scan found the schemas: {}",
        names.len()
    );
    assert!(twice.is_empty(), "schema names declared twice: {twice:#?}");
}

fn rust_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

#[test]
fn the_served_contract_lists_every_problem_type() {
    use ccm_api::error::ProblemType;
    let app = TestApp::spawn();
    let served = app.get("/openapi.json").send().ok(200);
    let property = &served["components"]["schemas"]["Problem"]["properties"]["type"];
    let listed: Vec<&str> = property["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("the Problem type is not an enum: {property}"))
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let all: Vec<String> = ProblemType::ALL.iter().map(|t| t.urn()).collect();
    assert_eq!(listed, all);
    let description = property["description"].as_str().unwrap_or_default();
    for t in ProblemType::ALL {
        let row = format!("| `{}` | {} |", t.urn(), t.status());
        assert!(description.contains(&row), "no row {row} in {description}");
    }
}

#[test]
fn a_problem_answer_carries_a_listed_type() {
    use ccm_api::error::ProblemType;
    let app = TestApp::spawn();
    let body = app.get("/v1/nothing-here").send().problem(404);
    let listed = ProblemType::ALL.iter().find(|t| body["type"] == t.urn());
    assert_eq!(listed.map(|t| t.status()), Some(404), "{body}");
}

/// The contract says which operations need a token in one place (a bearer requirement on each
/// secured operation); the server agrees: without a token, every secured operation answers 401
/// and no public one does. Path ids are unknown ones, so nothing is found or changed.
#[test]
fn every_operation_the_contract_secures_refuses_a_caller_without_a_token() {
    let app = TestApp::spawn();
    let doc = app.get("/openapi.json").send().ok(200);
    let before = app.snapshot();
    let (mut secured, mut public) = (0, 0);
    for (template, item) in doc["paths"].as_object().unwrap() {
        let path = template
            .split('/')
            .map(|s| {
                if s.starts_with('{') {
                    "0000-unknown"
                } else {
                    s
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for (method, op) in item.as_object().unwrap() {
            let verb: &'static str = match method.as_str() {
                "get" => "GET",
                "post" => "POST",
                "put" => "PUT",
                "patch" => "PATCH",
                "delete" => "DELETE",
                _ => continue,
            };
            let response = app.call(verb, &path).json(&json!({}));
            if op.get("security").is_some() {
                secured += 1;
                assert_eq!(
                    response.status, 401,
                    "{verb} {template} is secured but answered {}: {}",
                    response.status, response.text
                );
                response.problem(401);
            } else {
                public += 1;
                assert_ne!(
                    response.status, 401,
                    "{verb} {template} is documented as public but asked for a token"
                );
            }
        }
    }
    assert!(
        secured > 100 && public >= 20,
        "{secured} secured, {public} public"
    );
    assert_eq!(app.snapshot(), before, "a refused call changed something");
}
