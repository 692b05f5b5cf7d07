//! The contract: the committed openapi.yaml is what the server serves, and it is well formed.

use ccm_tests::TestApp;
use serde_json::Value;

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
