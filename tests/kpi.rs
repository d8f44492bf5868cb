//! KPI definitions on hand-made records: the collector attributes contacts to their arrival
//! interval, ignores the warm-up, splits agent time across interval edges, and every KPI is
//! the documented numerator over the documented denominator.

use ccsim::model::{Colour, LoadCounts, Observer, Record, NO_DISPOSITION};
use ccsim::stats::{Collector, Kpi, Window};

fn window() -> Window {
    // Warm-up 100 s, then 200 s measured, in intervals of 100 s (one per entry).
    Window {
        start: 100.0,
        end: 300.0,
        interval: 100.0,
        service_level_threshold: 20.0,
        short_abandon: 5.0,
    }
}

fn value(values: &[f64], name: &str) -> f64 {
    values[Kpi::ALL.iter().position(|k| k.name() == name).unwrap()]
}

fn response(arrived_at: f64, duration: f64, first: bool, colour: Colour, y: f64, r: f64) -> Record {
    Record::Response {
        contact: 0,
        queue: 0,
        arrived_at,
        duration,
        first,
        colour,
        yellow_time: y,
        red_time: r,
    }
}

#[test]
fn window_cuts_measured_time_into_reporting_intervals() {
    let w = window();
    assert_eq!((w.first_interval(), w.intervals()), (1, 2));
    assert_eq!(w.bounds(0), (100.0, 200.0));
    assert_eq!(w.bounds(1), (200.0, 300.0));
    // A warm-up that is not a multiple of the interval: the first interval is clipped.
    let w = Window {
        start: 150.0,
        end: 1800.0,
        interval: 600.0,
        ..window()
    };
    assert_eq!((w.first_interval(), w.intervals()), (0, 3));
    assert_eq!(w.bounds(0), (150.0, 600.0));
    assert_eq!(w.bounds(2), (1200.0, 1800.0));
    // 1.1 h in 6 min intervals is 11 intervals despite rounding (3960.0000000000005 / 360).
    let w = Window {
        start: 0.0,
        end: 1.1 * 3600.0,
        interval: 360.0,
        ..window()
    };
    assert_eq!(w.intervals(), 11);
    assert_eq!(w.bounds(10).1, w.end);
}

#[test]
fn contact_kpis_follow_their_definitions() {
    let mut c = Collector::new(window());
    let arrive = |c: &mut Collector, t: f64, queued: bool| {
        c.record(
            t,
            Record::Arrived {
                contact: 0,
                queue: 0,
                queued,
            },
        )
    };
    // Warm-up arrival: simulated, never counted, even when its records come later.
    arrive(&mut c, 50.0, true);
    c.record(
        120.0,
        Record::Answered {
            contact: 0,
            queue: 0,
            group: 0,
            overflowed: false,
            arrived_at: 50.0,
            wait: 70.0,
        },
    );
    // Interval 0: four contacts.
    arrive(&mut c, 110.0, false); // answered at once
    c.record(
        110.0,
        Record::Answered {
            contact: 0,
            queue: 0,
            group: 0,
            overflowed: false,
            arrived_at: 110.0,
            wait: 0.0,
        },
    );
    arrive(&mut c, 120.0, true); // answered after 30 s (misses the 20 s target)
    c.record(
        150.0,
        Record::Answered {
            contact: 0,
            queue: 0,
            group: 0,
            overflowed: false,
            arrived_at: 120.0,
            wait: 30.0,
        },
    );
    arrive(&mut c, 130.0, true); // short abandon after 4 s
    c.record(
        134.0,
        Record::AbandonedQueue {
            contact: 0,
            during_offer: false,
            queue: 0,
            arrived_at: 130.0,
            wait: 4.0,
            returning: false,
        },
    );
    arrive(&mut c, 140.0, true); // abandons after 50 s
    c.record(
        190.0,
        Record::AbandonedQueue {
            contact: 0,
            during_offer: false,
            queue: 0,
            arrived_at: 140.0,
            wait: 50.0,
            returning: false,
        },
    );
    // Responses of the two answered contacts, then one leaves the chat, both are done.
    c.record(130.0, response(110.0, 20.0, true, Colour::Green, 0.0, 0.0));
    c.record(
        200.0,
        response(110.0, 40.0, false, Colour::Yellow, 10.0, 0.0),
    );
    c.record(230.0, response(120.0, 80.0, true, Colour::Red, 30.0, 20.0));
    c.record(
        240.0,
        Record::AbandonedChat {
            contact: 0,
            queue: 0,
            arrived_at: 120.0,
            unassigned: false,
            during_offer: false,
            during_transfer: false,
        },
    );
    c.record(
        260.0,
        Record::Done {
            contact: 0,
            queue: 0,
            group: 0,
            arrived_at: 110.0,
            handle_time: 150.0,
            wrapup: 30.0,
            disposition: NO_DISPOSITION,
        },
    );
    c.record(
        250.0,
        Record::Done {
            contact: 0,
            queue: 0,
            group: 0,
            arrived_at: 120.0,
            handle_time: 100.0,
            wrapup: 10.0,
            disposition: NO_DISPOSITION,
        },
    );
    // Interval 1: one contact, and one arriving at the very end of the horizon (not counted).
    arrive(&mut c, 250.0, false);
    c.record(
        250.0,
        Record::Answered {
            contact: 0,
            queue: 0,
            group: 0,
            overflowed: false,
            arrived_at: 250.0,
            wait: 0.0,
        },
    );
    arrive(&mut c, 300.0, false);
    c.record(
        400.0,
        Record::InSystemAtEnd {
            contact: 0,
            queue: 0,
            arrived_at: 250.0,
        },
    );
    let tallies = c.finish();

    let i0 = Kpi::values(&tallies.contacts[0], &tallies.load[0]);
    let expect = [
        ("offered", 4.0),
        ("answered", 2.0),
        ("abandoned_queue", 2.0),
        ("abandoned_short", 1.0),
        ("abandoned_chat", 1.0),
        ("abandon_rate", 0.5),
        ("abandon_rate_excl_short", 1.0 / 3.0),
        ("chat_abandon_rate", 0.5),
        ("p_wait", 0.75),
        ("service_level", 0.25),
        ("service_level_excl_short", 1.0 / 3.0),
        ("asa", 15.0),
        ("wait_mean", (0.0 + 30.0 + 4.0 + 50.0) / 4.0),
        ("first_response_mean", 50.0),
        ("responses", 3.0),
        ("response_mean", 140.0 / 3.0),
        ("responses_yellow_share", 2.0 / 3.0),
        ("responses_red_share", 1.0 / 3.0),
        ("time_yellow_mean", 40.0 / 3.0),
        ("time_red_mean", 20.0 / 3.0),
        ("handle_time_mean", 125.0),
        ("wrapup_mean", 20.0),
        ("in_system_at_end", 0.0),
    ];
    for (name, v) in expect {
        let got = value(&i0, name);
        assert!((got - v).abs() < 1e-9, "{name}: {got} != {v}");
    }
    // Percentiles within the histogram's relative error.
    let p50 = value(&i0, "response_p50");
    assert!((p50 - 40.0).abs() <= 40.0 / 256.0, "p50 {p50}");

    let i1 = Kpi::values(&tallies.contacts[1], &tallies.load[1]);
    assert_eq!(value(&i1, "offered"), 1.0);
    assert_eq!(value(&i1, "in_system_at_end"), 1.0);
    assert!(value(&i1, "asa") == 0.0 && value(&i1, "response_mean").is_nan());
    assert_eq!(value(&i1, "chat_abandon_rate"), 0.0);
    // No contact answered: undefined, not 0.
    let empty = Collector::new(window()).finish();
    let none = Kpi::values(&empty.contacts[0], &empty.load[0]);
    assert!(value(&none, "chat_abandon_rate").is_nan());

    let (all_c, all_l) = tallies.overall();
    assert_eq!(value(&Kpi::values(&all_c, &all_l), "offered"), 5.0);
}

#[test]
fn agent_kpis_are_time_weighted_and_split_at_interval_edges() {
    let mut c = Collector::new(window());
    let load = |c: &mut Collector, t: f64, present, busy, held| {
        c.record(
            t,
            Record::Load(LoadCounts {
                present,
                busy,
                held,
                slots: present * 3,
                ..LoadCounts::default()
            }),
        )
    };
    load(&mut c, 0.0, 2, 2, 4); // warm-up: not measured
    load(&mut c, 150.0, 2, 1, 1); // from 100 to 150: 2 present, 2 busy, 4 held
    load(&mut c, 250.0, 4, 2, 5); // 150 to 250 crosses the edge at 200
    let t = c.finish(); // 250 to 300 with the last load

    let i0 = Kpi::values(&t.contacts[0], &t.load[0]);
    // Interval 0 (100-200): present 2 all along; busy 2 for 50 s then 1 for 50 s.
    assert!((value(&i0, "occupancy") - (2.0 * 50.0 + 50.0) / 200.0).abs() < 1e-12);
    assert!((value(&i0, "slot_utilisation") - (4.0 * 50.0 + 50.0) / 600.0).abs() < 1e-12);
    assert!((value(&i0, "concurrency_mean") - 250.0 / 150.0).abs() < 1e-12);
    let i1 = Kpi::values(&t.contacts[1], &t.load[1]);
    // Interval 1 (200-300): 50 s of (2, 1, 1) then 50 s of (4, 2, 5).
    assert!((value(&i1, "occupancy") - (50.0 + 100.0) / 300.0).abs() < 1e-12);
    assert!((value(&i1, "concurrency_mean") - (50.0 + 250.0) / 150.0).abs() < 1e-12);
    // No contact: contact KPIs undefined, not zero.
    assert!(value(&i1, "service_level").is_nan());
    assert_eq!(t.load[0].duration + t.load[1].duration, 200.0);
}
