//! Applying the providers' retention rules to closed cases (`ccm retention run`): each class
//! of each closed case's records, once its time is up and unless a legal hold stops it, is
//! anonymised or deleted in a transaction of its own, under the case's lock, and recorded.

use std::collections::HashMap;

use serde::Serialize;
use time::Date;

use ccm_domain::retention::{self, Decision, Policy, RecordClass, RetentionAction};
use ccm_persistence::db::ConnectionFault;
use ccm_persistence::document_store::DocumentStore;
use ccm_persistence::retention::{self as store, Applied, Rule};
use ccm_persistence::{now, referrals, Db, StoreError};

/// What a run did (or, dry, would do).
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Report {
    pub today: String,
    pub dry_run: bool,
    pub closed_cases: usize,
    pub applied: Vec<Change>,
    /// Due, but kept by a legal hold.
    pub held: Vec<Change>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Change {
    pub referral_id: String,
    pub record_class: RecordClass,
    pub action: RetentionAction,
    /// Records deleted or anonymised (none for a held class).
    pub records: i64,
}

/// A provider's policy for a class: its own rule, or the default, and its legal minimum.
pub fn effective(rules: &[Rule], class: RecordClass) -> (Policy, Option<u8>) {
    let own = rules.iter().find(|r| r.record_class == class.as_str());
    let policy = own
        .and_then(|r| {
            Some(Policy {
                class,
                years: u8::try_from(r.years).ok()?,
                action: r.action.parse().ok()?,
            })
        })
        .unwrap_or_else(|| retention::default_policy(class));
    let minimum = own
        .and_then(|r| r.legal_minimum_years)
        .and_then(|m| u8::try_from(m).ok());
    (policy, minimum)
}

pub fn run(
    db: &Db,
    documents: &dyn DocumentStore,
    today: Date,
    dry_run: bool,
) -> Result<Report, StoreError> {
    let cases = db.read(store::closed_cases)?;
    let mut rules: HashMap<String, Vec<Rule>> = HashMap::new();
    let mut report = Report {
        today: today.to_string(),
        dry_run,
        closed_cases: cases.len(),
        ..Report::default()
    };
    for case in cases {
        if !rules.contains_key(&case.provider_id) {
            let own = db.read(|conn| store::rules(conn, &case.provider_id))?;
            rules.insert(case.provider_id.clone(), own);
        }
        let provider_rules = &rules[&case.provider_id];
        let done = db.read(|conn| store::applied(conn, &case.referral_id))?;
        let held = db.read(|conn| store::is_held(conn, &case.referral_id))?;
        for &class in RecordClass::ALL {
            if done.iter().any(|d| d == class.as_str()) {
                continue;
            }
            let (policy, _) = effective(provider_rules, class);
            let change = |records| Change {
                referral_id: case.referral_id.clone(),
                record_class: class,
                action: policy.action,
                records,
            };
            match retention::decide(policy, Some(case.closed_at.date()), held, today) {
                Decision::Keep => {}
                Decision::Held => report.held.push(change(0)),
                Decision::Apply(action) => {
                    match apply_one(db, &case.referral_id, class, action, dry_run)? {
                        Outcome::Applied(applied) => {
                            for key in &applied.storage_keys {
                                // The rows are gone; a file left behind is found by its key
                                // no more, and is logged to be removed by hand.
                                if let Err(e) = documents.delete(key) {
                                    tracing::warn!(error = %e, key, "document contents not removed");
                                }
                            }
                            report.applied.push(change(applied.records));
                        }
                        Outcome::Held => report.held.push(change(0)),
                    }
                }
            }
        }
    }
    Ok(report)
}

enum Outcome {
    Applied(Applied),
    /// A hold was placed since the run looked.
    Held,
}

/// Why a transaction ended without committing: a failure, or a dry run's rollback (which
/// still reports what it would have changed).
enum Stop {
    Store(StoreError),
    DryRun(Applied),
    Held,
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Stop {
        Stop::Store(e)
    }
}

impl ConnectionFault for Stop {
    fn breaks_connection(&self) -> bool {
        matches!(self, Stop::Store(e) if e.breaks_connection())
    }
}

fn apply_one(
    db: &Db,
    referral_id: &str,
    class: RecordClass,
    action: RetentionAction,
    dry_run: bool,
) -> Result<Outcome, StoreError> {
    let result = db.write(|conn| {
        // The case's lock first, so a hold placed meanwhile is seen (placing one takes it too).
        referrals::find_locked(conn, referral_id)?;
        if store::is_held(conn, referral_id)? {
            return Err(Stop::Held);
        }
        let applied = store::apply(conn, referral_id, class, action, now())?;
        if dry_run {
            Err(Stop::DryRun(applied))
        } else {
            Ok(applied)
        }
    });
    match result {
        Ok(applied) => Ok(Outcome::Applied(applied)),
        Err(Stop::DryRun(applied)) => Ok(Outcome::Applied(Applied {
            storage_keys: vec![],
            ..applied
        })),
        Err(Stop::Held) => Ok(Outcome::Held),
        Err(Stop::Store(e)) => Err(e),
    }
}
