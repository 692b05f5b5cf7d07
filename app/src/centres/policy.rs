//! A centre's scheduling policy: read by anyone, set by the centre's org admins.

use ccm_domain::schedule::arrival::{ArrivalOrder, ArrivalPolicy};
use ccm_domain::schedule::attendance::LatenessPolicy;
use ccm_persistence::scheduling::{self, Policy};
use ccm_persistence::{centres, now, AnyConnection, StoreError};

use crate::access::{require, rules};
use crate::{Actor, AppError, IfMatch, OrNotFound};

/// The policy in force at a centre: its own, or the defaults while it has none (`stored`).
#[derive(Clone, Debug)]
pub struct InForce {
    pub centre_id: String,
    pub arrival: ArrivalPolicy,
    pub lateness: LatenessPolicy,
    pub stored: Option<Policy>,
}

impl InForce {
    /// The version an update must name: 0 while the centre uses the defaults.
    pub fn version(&self) -> i64 {
        self.stored.as_ref().map_or(0, |s| s.version)
    }
}

/// A policy to set.
#[derive(Clone, Copy, Debug)]
pub struct PolicyCmd {
    pub arrival_order: ArrivalOrder,
    pub arrival_offset_minutes: u32,
    pub lateness_threshold_minutes: u32,
    pub lateness_strikes: u32,
    pub lateness_window: u32,
}

fn in_force(centre_id: String, stored: Option<Policy>) -> Result<InForce, AppError> {
    let Some(p) = &stored else {
        return Ok(InForce {
            centre_id,
            arrival: ArrivalPolicy::default(),
            lateness: LatenessPolicy::default(),
            stored,
        });
    };
    let corrupt = |what: &str| StoreError::Corrupt(format!("scheduling_policies.{what}"));
    let whole = |n: i32, column: &str| u32::try_from(n).map_err(|_| corrupt(column));
    Ok(InForce {
        centre_id,
        arrival: ArrivalPolicy {
            order: p
                .arrival_order
                .parse()
                .map_err(|e| corrupt(&format!("arrival_order: {e}")))?,
            offset_minutes: whole(p.arrival_offset_minutes, "arrival_offset_minutes")?,
        },
        lateness: LatenessPolicy {
            threshold_minutes: whole(p.lateness_threshold_minutes, "lateness_threshold_minutes")?,
            strikes: whole(p.lateness_strikes, "lateness_strikes")?,
            window: whole(p.lateness_window, "lateness_window")?,
        },
        stored,
    })
}

/// The policy in force at a centre.
pub fn get(conn: &mut AnyConnection, centre_id: &str) -> Result<InForce, AppError> {
    let centre = centres::find(conn, centre_id).or_not_found("centre")?;
    let stored = scheduling::policy(conn, &centre.id)?;
    in_force(centre.id, stored)
}

/// Sets a centre's policy, if the actor manages its provider's catalogue.
pub fn set(
    conn: &mut AnyConnection,
    actor: &Actor,
    centre_id: &str,
    cmd: PolicyCmd,
    if_match: &IfMatch,
) -> Result<InForce, AppError> {
    let lateness = LatenessPolicy {
        threshold_minutes: cmd.lateness_threshold_minutes,
        strikes: cmd.lateness_strikes,
        window: cmd.lateness_window,
    };
    if !lateness.is_coherent() {
        return Err(AppError::invalid(
            "lateness_strikes",
            "above_window",
            "cannot need more strikes than sessions looked at",
        ));
    }
    let centre = centres::find_locked(conn, centre_id).or_not_found("centre")?;
    require(rules(actor).manage_catalogue(&centre.provider_id), "centre")?;
    let current = scheduling::policy(conn, &centre.id)?;
    if_match.check(current.as_ref().map_or(0, |c| c.version))?;
    let whole = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    let stored = Policy {
        centre_id: centre.id.clone(),
        arrival_order: cmd.arrival_order.as_str().into(),
        arrival_offset_minutes: whole(cmd.arrival_offset_minutes),
        lateness_threshold_minutes: whole(cmd.lateness_threshold_minutes),
        lateness_strikes: whole(cmd.lateness_strikes),
        lateness_window: whole(cmd.lateness_window),
        version: current.as_ref().map_or(1, |c| c.version + 1),
        updated_by: actor.user_id.clone(),
        updated_at: now(),
    };
    scheduling::save_policy(conn, &stored)?;
    in_force(centre.id, Some(stored))
}
