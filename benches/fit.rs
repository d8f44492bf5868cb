//! `ccsim fit` on one million contacts (the issue asks for under 5 s on the 2-core machine):
//! the set-up writes a contacts.csv of 1,000,000 rows in the format of `ccsim run --trace`
//! (20 days of a 10-hour profile, a tenth abandoned), then the bench reads and fits it.

use std::io::Write;

use ccsim::fit::{fit, FitOptions};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rand::{Rng, SeedableRng};

const CONTACTS: u64 = 1_000_000;

fn write_trace(path: &std::path::Path) {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(14);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(out, "{}", ccsim::report::trace::CONTACT_COLUMNS).unwrap();
    let per_day = CONTACTS / 20;
    for c in 0..CONTACTS {
        let day = c / per_day;
        let arrival = (c % per_day) as f64 * 36_000.0 / per_day as f64 + rng.random::<f64>();
        let wait = -30.0 * rng.random::<f64>().ln();
        let (outcome, group, handle, wrapup, exchanges) = if rng.random::<f64>() < 0.1 {
            ("abandoned_queue", "", String::new(), String::new(), 0)
        } else {
            let wrapup = 20.0 + 40.0 * rng.random::<f64>();
            let handle = wrapup - 200.0 * rng.random::<f64>().ln();
            (
                "answered",
                "main",
                handle.to_string(),
                wrapup.to_string(),
                1 + c % 9,
            )
        };
        writeln!(
            out,
            "{day},{c},main,main,{arrival},08:00,true,{outcome},{wait},{group},{handle},{wrapup},{exchanges}"
        )
        .unwrap();
    }
}

fn fit_million(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("ccsim-bench-fit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("contacts.csv");
    write_trace(&path);
    let options = FitOptions {
        interval: 1800.0,
        messages: None,
    };
    let mut group = c.benchmark_group("fit");
    group.sample_size(10);
    group.throughput(Throughput::Elements(CONTACTS));
    group.bench_function("contacts_1m", |b| {
        b.iter(|| {
            fit(&path, &options)
                .expect("a valid trace")
                .files()
                .expect("drawable plots")
        })
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group! {
    name = benches;
    // No plots, as in the other benches (criterion's plotters finds no system font here).
    config = Criterion::default().without_plots();
    targets = fit_million
}
criterion_main!(benches);
