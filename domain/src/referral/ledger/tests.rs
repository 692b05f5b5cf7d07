use super::*;

fn balance_110(refundable: bool) -> ChargeState {
    ChargeState {
        amount: Money::pounds(110),
        refundable,
        ..Default::default()
    }
}

#[test]
fn a_payment_must_be_positive_and_no_more_than_is_owed() {
    let c = balance_110(true);
    assert_eq!(c.check_payment(Money::ZERO), Err(LedgerError::NotPositive));
    assert_eq!(
        c.check_payment(Money::from_pence(-1)),
        Err(LedgerError::NotPositive)
    );
    assert_eq!(
        c.check_payment(Money::from_pence(11001)),
        Err(LedgerError::MoreThanOwed(Money::pounds(110)))
    );
    assert_eq!(c.check_payment(Money::pounds(110)), Ok(()));
}

#[test]
fn part_payments_and_refunds_move_what_is_owed() {
    let c = ChargeState {
        paid: Money::pounds(60),
        refunded: Money::pounds(10),
        ..balance_110(true)
    };
    assert_eq!(c.outstanding(), Money::pounds(60));
    assert_eq!(c.refundable_amount(), Money::pounds(50));
    assert_eq!(
        c.check_refund(Money::pounds(51), Money::ZERO),
        Err(LedgerError::MoreThanPaid(Money::pounds(50)))
    );
}

#[test]
fn an_admin_fee_is_never_refunded() {
    let admin = ChargeState {
        amount: Money::pounds(30),
        refundable: false,
        paid: Money::pounds(30),
        ..Default::default()
    };
    assert_eq!(
        admin.check_refund(Money::pounds(30), Money::ZERO),
        Err(LedgerError::NotRefundable)
    );
}

#[test]
fn a_waiver_clears_what_is_owed_and_nothing_more() {
    let c = ChargeState {
        paid: Money::pounds(10),
        ..balance_110(false)
    };
    assert_eq!(c.check_waiver(), Ok(Money::pounds(100)));
    let settled = ChargeState {
        waived: Money::pounds(100),
        ..c
    };
    assert_eq!(settled.outstanding(), Money::ZERO);
    assert_eq!(settled.check_waiver(), Err(LedgerError::NothingOwed));
}

#[test]
fn balances_per_payer_add_up_to_the_case_totals() {
    let fee = ChargeState {
        paid: Money::from_pence(3000),
        ..ChargeState {
            amount: Money::from_pence(3000),
            ..Default::default()
        }
    };
    let balance = balance_110(true);
    let funded = ChargeState {
        amount: Money::from_pence(19000),
        waived: Money::from_pence(19000),
        ..Default::default()
    };
    let rows = balances_by_payer([
        (Payer::NonResidentParent, &fee),
        (Payer::Funder, &funded),
        (Payer::NonResidentParent, &balance),
    ]);
    assert_eq!(rows.len(), 2);
    let nrp = rows[0];
    assert_eq!(nrp.payer, Payer::NonResidentParent);
    assert_eq!(nrp.charged, Money::from_pence(14000));
    assert_eq!(nrp.outstanding, Money::from_pence(11000));
    assert_eq!(rows[1].outstanding, Money::ZERO);
    let total: i64 = rows.iter().map(|r| r.outstanding.pence()).sum();
    let direct: i64 = [fee, balance, funded]
        .iter()
        .map(|c| c.outstanding().pence())
        .sum();
    assert_eq!(total, direct);
}

/// Money follows who cancelled: the resident parent cancels a 90-minute session the
/// non-resident parent had paid £142.50 for.
#[test]
fn what_a_payer_paid_for_a_session_that_will_not_happen_becomes_their_credit() {
    let session = ChargeState {
        amount: Money::from_pence(14250),
        refundable: true,
        paid: Money::from_pence(14250),
        ..Default::default()
    };
    let w = session.write_off();
    assert_eq!(w.credit, Money::from_pence(14250));
    assert_eq!(w.waive, Money::from_pence(14250));
    let mut written_off = session;
    written_off.record(EntryKind::Credit, w.credit);
    written_off.record(EntryKind::Waiver, w.waive);
    assert_eq!(written_off.outstanding(), Money::ZERO);
    let fee = ChargeState {
        amount: Money::from_pence(14250),
        ..Default::default()
    };
    let rows = balances_by_payer([
        (Payer::NonResidentParent, &written_off),
        (Payer::ResidentParent, &fee),
    ]);
    assert_eq!(rows[0].outstanding, Money::ZERO);
    assert_eq!(rows[0].credit, Money::from_pence(14250));
    assert_eq!(rows[1].outstanding, Money::from_pence(14250));
    assert_eq!(
        rows[1].credit,
        Money::ZERO,
        "never moved to the other parent"
    );
    // Refunding it repays the credit and leaves nothing owed again.
    let credit = rows[0].credit;
    assert_eq!(
        written_off.check_refund(Money::from_pence(14251), credit),
        Err(LedgerError::MoreThanCredit(credit))
    );
    assert_eq!(
        written_off.check_refund(credit, credit),
        Ok(EntryKind::CreditRefund)
    );
    written_off.record(EntryKind::CreditRefund, credit);
    assert_eq!(written_off.outstanding(), Money::ZERO);
    let nrp = balances_by_payer([(Payer::NonResidentParent, &written_off)])[0];
    assert_eq!((nrp.credit, nrp.refunded), (Money::ZERO, credit));
}

#[test]
fn credit_settles_the_payers_next_charge_up_to_what_it_owes() {
    let next = ChargeState {
        amount: Money::pounds(95),
        ..Default::default()
    };
    assert_eq!(
        next.check_credit_use(None, Money::from_pence(14250)),
        Ok(Money::pounds(95))
    );
    assert_eq!(
        next.check_credit_use(None, Money::ZERO),
        Err(LedgerError::NoCredit)
    );
    assert_eq!(
        next.check_credit_use(Some(Money::pounds(50)), Money::pounds(40)),
        Err(LedgerError::MoreThanCredit(Money::pounds(40)))
    );
}

mod sequences {
    use super::*;
    use proptest::prelude::*;

    const PAYERS: [Payer; 3] = [
        Payer::NonResidentParent,
        Payer::ResidentParent,
        Payer::Other,
    ];

    #[derive(Clone, Debug)]
    enum Step {
        Charge(usize, i64),
        Pay(usize, i64),
        Refund(usize, i64),
        /// Cancel the session a charge pays for: by its payer, by the other parent, or the centre.
        Cancel(usize, u8),
        UseCredit(usize),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0..3usize, 1..50_000i64).prop_map(|(p, a)| Step::Charge(p, a)),
            (0..20usize, 1..50_000i64).prop_map(|(c, a)| Step::Pay(c, a)),
            (0..20usize, 1..50_000i64).prop_map(|(c, a)| Step::Refund(c, a)),
            (0..20usize, 0..3u8).prop_map(|(c, by)| Step::Cancel(c, by)),
            (0..20usize).prop_map(Step::UseCredit),
        ]
    }

    struct Ledger(Vec<(Payer, ChargeState)>);

    impl Ledger {
        fn credit(&self, payer: Payer) -> Money {
            credit_held(payer, self.0.iter().map(|(p, s)| (*p, s)))
        }

        /// A new charge is settled from the payer's credit first.
        fn charge(&mut self, payer: Payer, amount: Money) {
            let mut s = ChargeState {
                amount,
                refundable: true,
                ..Default::default()
            };
            if let Ok(m) = s.check_credit_use(None, self.credit(payer)) {
                s.record(EntryKind::CreditUsed, m);
            }
            self.0.push((payer, s));
        }

        fn apply(&mut self, step: &Step) {
            let n = self.0.len();
            match *step {
                Step::Charge(p, a) => self.charge(PAYERS[p], Money::from_pence(a)),
                Step::Pay(i, a) if i < n => {
                    let m = Money::from_pence(a).min(self.0[i].1.outstanding());
                    if self.0[i].1.check_payment(m).is_ok() {
                        self.0[i].1.record(EntryKind::Payment, m);
                    }
                }
                Step::Refund(i, a) if i < n => {
                    let credit = self.credit(self.0[i].0);
                    let m = Money::from_pence(a);
                    if let Ok(kind) = self.0[i].1.check_refund(m, credit) {
                        self.0[i].1.record(kind, m);
                    }
                }
                Step::Cancel(i, by) if i < n => {
                    let s = self.0[i].1;
                    let w = s.write_off();
                    self.0[i].1.record(EntryKind::Credit, w.credit);
                    self.0[i].1.record(EntryKind::Waiver, w.waive);
                    let canceller = match by {
                        0 => Some(Payer::NonResidentParent),
                        1 => Some(Payer::ResidentParent),
                        _ => None,
                    };
                    if let Some(parent) = canceller {
                        self.charge(parent, s.amount);
                    }
                }
                Step::UseCredit(i) if i < n => {
                    let credit = self.credit(self.0[i].0);
                    if let Ok(m) = self.0[i].1.check_credit_use(None, credit) {
                        self.0[i].1.record(EntryKind::CreditUsed, m);
                    }
                }
                _ => {}
            }
        }
    }

    proptest! {
        /// For every payer, after any sequence of charges, payments, cancellations (by either
        /// parent or the centre) and refunds: paid - refunded - credit = charged - waived -
        /// outstanding, nothing is negative, and a cancellation never adds to what the payer
        /// of the cancelled session owes or takes their money.
        #[test]
        fn each_payers_money_adds_up(steps in proptest::collection::vec(step(), 1..60)) {
            let mut ledger = Ledger(Vec::new());
            for s in &steps {
                let before = balances_by_payer(ledger.0.iter().map(|(p, s)| (*p, s)));
                let settled_before = match *s {
                    Step::Cancel(i, _) => ledger.0.get(i).map(|(_, c)| c.settled().max(Money::ZERO)),
                    _ => None,
                };
                ledger.apply(s);
                let after = balances_by_payer(ledger.0.iter().map(|(p, s)| (*p, s)));
                for b in &after {
                    prop_assert_eq!(
                        b.paid.pence() - b.refunded.pence() - b.credit.pence(),
                        b.charged.pence() - b.waived.pence() - b.outstanding.pence(),
                        "{:?} after {:?}", b, s
                    );
                    prop_assert!(b.credit >= Money::ZERO && b.outstanding >= Money::ZERO);
                    prop_assert!(b.refunded <= b.paid);
                }
                for (_, c) in &ledger.0 {
                    prop_assert!(c.outstanding() >= Money::ZERO && c.outstanding() <= c.amount);
                }
                if let Step::Cancel(i, by) = *s {
                    if let (Some((payer, _)), Some(settled)) = (ledger.0.get(i), settled_before) {
                        let of = |rows: &[PayerBalance]| {
                            rows.iter().find(|b| b.payer == *payer).copied().unwrap()
                        };
                        let (was, now) = (of(&before), of(&after));
                        let by_them = matches!(
                            (by, payer),
                            (0, Payer::NonResidentParent) | (1, Payer::ResidentParent)
                        );
                        if !by_them {
                            // What they had paid for it is now their credit, and they owe no more.
                            prop_assert_eq!(now.credit, add(was.credit, settled));
                            prop_assert!(now.outstanding <= was.outstanding);
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn a_cases_totals_owe_what_its_charges_owe_one_by_one() {
    let p = Money::from_pence;
    // A paid and partly refunded fee, a waived session, one written off to credit, and one
    // part-settled from that credit.
    let charges = [
        (
            p(11000),
            vec![(EntryKind::Payment, p(11000)), (EntryKind::Refund, p(2000))],
        ),
        (p(4500), vec![(EntryKind::Waiver, p(4500))]),
        (
            p(6000),
            vec![
                (EntryKind::Payment, p(6000)),
                (EntryKind::Credit, p(6000)),
                (EntryKind::Waiver, p(6000)),
                (EntryKind::CreditRefund, p(1000)),
            ],
        ),
        (p(6000), vec![(EntryKind::CreditUsed, p(2500))]),
    ];
    let one_by_one: i64 = charges
        .iter()
        .map(|(amount, entries)| {
            ChargeState::from_entries(*amount, true, entries.iter().copied())
                .outstanding()
                .pence()
        })
        .sum();
    let charged = p(charges.iter().map(|(a, _)| a.pence()).sum());
    let entries = charges.iter().flat_map(|(_, e)| e.iter().copied());
    assert_eq!(outstanding_in_total(charged, entries), p(one_by_one));
    assert_eq!(one_by_one, 2000 + 3500);
}
