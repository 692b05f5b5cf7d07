//! The pool against a real PostgreSQL: what a database restart does to idle connections.

use std::time::Duration;

use ccm_persistence::{Db, DbConfig, StoreError};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

/// What a database restart does to an idle pool: its connection is killed on the server
/// side. The next request must get a new connection, not the dead one (PostgreSQL only:
/// runs under `CCM_TEST_BACKEND=postgres`).
#[test]
fn a_connection_killed_while_idle_is_replaced_before_use() {
    let url = match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if std::env::var("CCM_TEST_BACKEND").as_deref() == Ok("postgres") => url,
        _ => return,
    };
    let db = Db::connect(&DbConfig {
        pool_size: 1,
        ..DbConfig::new(url.clone())
    })
    .expect("TEST_DATABASE_URL is reachable");
    let pid = |db: &Db| -> Result<i32, StoreError> {
        #[derive(diesel::QueryableByName)]
        struct Pid {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            pid: i32,
        }
        db.read(|conn| {
            use diesel::RunQueryDsl;
            diesel::sql_query("SELECT pg_backend_pid() AS pid")
                .get_result::<Pid>(conn)
                .map(|p| p.pid)
                .map_err(StoreError::from)
        })
    };
    let before = pid(&db).unwrap();
    let mut admin = PgConnection::establish(&url).unwrap();
    admin
        .batch_execute(&format!("SELECT pg_terminate_backend({before})"))
        .unwrap();
    std::thread::sleep(Duration::from_millis(1_200));
    let after = pid(&db).expect("the dead connection is replaced, not handed out");
    assert_ne!(after, before);
}
