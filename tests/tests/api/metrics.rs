//! `GET /metrics`: Prometheus text, requests counted by route pattern (never by id), latency
//! histograms, the database pools' use.

use ccm_tests::TestApp;

use crate::support::*;

#[test]
fn requests_are_counted_by_route_pattern_with_latency_and_the_pools_are_shown() {
    let app = TestApp::with_demo();
    let coordinator = app.token(COORDINATOR);
    let dover = app.centre_id("CL Dover");
    let created = app
        .post("/v1/referrals")
        .token(&coordinator)
        .json(&referral(&dover, "supported"))
        .ok(201);
    let id = created["id"].as_str().unwrap();
    for _ in 0..2 {
        app.get(&format!("/v1/referrals/{id}"))
            .token(&coordinator)
            .send()
            .ok(200);
    }
    app.get("/v1/referrals/0193a6f0-0000-7000-8000-000000000000")
        .token(&coordinator)
        .send()
        .problem(404);
    app.get(&format!("/v1/no-such-thing/{id}"))
        .send()
        .problem(404);

    let r = app.get("/metrics").send();
    assert_eq!(r.status, 200);
    let content_type = r.header("content-type").unwrap();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = &r.text;
    assert!(!text.contains(id), "an id became a label:\n{text}");

    let ok = r#"route="/v1/referrals/{id}",method="GET",status="200""#;
    assert!(
        text.contains(&format!("ccm_http_requests_total{{{ok}}} 2\n")),
        "{text}"
    );
    assert!(text.contains(&format!(
        "ccm_http_request_duration_seconds_bucket{{{ok},le=\"+Inf\"}} 2\n"
    )));
    assert!(text.contains(&format!(
        "ccm_http_request_duration_seconds_count{{{ok}}} 2\n"
    )));
    assert!(text.contains(&format!("ccm_http_request_duration_seconds_sum{{{ok}}} ")));
    assert!(text.contains(
        r#"ccm_http_requests_total{route="/v1/referrals/{id}",method="GET",status="404"} 1"#
    ));
    assert!(text.contains(
        r#"ccm_http_requests_total{route="/v1/referrals",method="POST",status="201"} 1"#
    ));
    assert!(
        text.contains(r#"ccm_http_requests_total{route="unmatched",method="GET",status="404"} 1"#)
    );

    let pools: &[&str] = match app.backend() {
        ccm_persistence::Backend::Sqlite => &["read", "write"],
        ccm_persistence::Backend::Postgres => &["shared"],
    };
    for pool in pools {
        for gauge in ["in_use", "idle", "max"] {
            let prefix = format!("ccm_db_pool_connections_{gauge}{{pool=\"{pool}\"}} ");
            assert!(
                text.lines().any(|l| l.starts_with(&prefix)),
                "no {prefix}in:\n{text}"
            );
        }
    }
    let write_max = match app.backend() {
        ccm_persistence::Backend::Sqlite => "ccm_db_pool_connections_max{pool=\"write\"} 1\n",
        ccm_persistence::Backend::Postgres => "ccm_db_pool_connections_max{pool=\"shared\"} 3\n",
    };
    assert!(text.contains(write_max), "{text}");
    assert!(text.contains("# TYPE ccm_uptime_seconds gauge\n"));
    assert!(text.contains("ccm_build_info{version=\""));

    // The scrape itself is counted from the next one on.
    let again = app.get("/metrics").send().text;
    assert!(
        again.contains(r#"ccm_http_requests_total{route="/metrics",method="GET",status="200"} 1"#)
    );
}
