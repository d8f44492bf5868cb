//! Sweep grids: the `--vary KEY=VALUES` specifications and the full grid (Cartesian product) of
//! their values. A value is kept as the text the user wrote (`30s`, `14`), so it reads the same
//! in the output columns as on the command line, and is applied to the scenario exactly like a
//! `--set KEY=VALUE` override.

use crate::scenario::parse_duration_str;

/// Largest number of values one `--vary` may expand to, and of points in a grid: every point is
/// resolved when the sweep is planned (about 16 kB each for a typical scenario).
pub const MAX_POINTS: usize = 100_000;

/// One varied key and its values, in the order given.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Vary {
    pub key: String,
    pub values: Vec<String>,
}

/// A `--vary` argument that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("--vary {arg}: {rule}")]
pub struct VaryError {
    pub arg: String,
    pub rule: String,
}

impl Vary {
    /// Read `KEY=VALUES`, where VALUES is a comma-separated list (`30s,45s,60s`) or an inclusive
    /// range `FIRST..LAST` or `FIRST..LAST:STEP` (`8..20`, `8..20:2`, `20s..60s:10s`; the step is
    /// 1 in the unit of FIRST when left out).
    pub fn parse(arg: &str) -> Result<Vary, VaryError> {
        let fail = |rule: &str| VaryError {
            arg: arg.to_string(),
            rule: rule.to_string(),
        };
        let (key, text) = arg.split_once('=').ok_or_else(|| {
            fail("expected KEY=VALUES, e.g. staffing.agents=8..16 or indicator.red=60s,90s")
        })?;
        let key = key.trim();
        if key.is_empty() || key.split('.').any(|p| p.trim().is_empty()) {
            return Err(fail(
                "the key must be a dotted scenario key like staffing.agents",
            ));
        }
        let text = text.trim();
        let values = match text.split_once("..") {
            Some((first, rest)) if !text.contains(',') => {
                range(first, rest).map_err(|rule| fail(&rule))?
            }
            _ => {
                let values: Vec<String> = text.split(',').map(|v| v.trim().to_string()).collect();
                if values.iter().any(String::is_empty) {
                    return Err(fail(
                        "empty value: give a list like 30s,45s,60s or a range like 8..20:2",
                    ));
                }
                values
            }
        };
        let mut seen = std::collections::HashSet::new();
        if let Some(dup) = values.iter().find(|v| !seen.insert(v.as_str())) {
            return Err(fail(&format!("the value {dup} is listed twice")));
        }
        Ok(Vary {
            key: key.to_string(),
            values,
        })
    }
}

/// A number followed by an optional unit (`20`, `1.5`, `30s`, `2m`).
fn split_unit(text: &str) -> (&str, &str) {
    if text.parse::<f64>().is_ok() {
        return (text, ""); // 1e9 is a number, not 1 in unit "e9"
    }
    let end = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    (text[..end].trim(), text[end..].trim())
}

/// The values of an inclusive range `first..last[:step]`.
fn range(first: &str, rest: &str) -> Result<Vec<String>, String> {
    let (last, step) = match rest.split_once(':') {
        Some((last, step)) => (last, Some(step)),
        None => (rest, None),
    };
    let (a, unit) = split_unit(first.trim());
    let (b, unit_b) = split_unit(last.trim());
    let number = |t: &str, what: &str| -> Result<f64, String> {
        t.parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("the range's {what} {t:?} is not a number"))
    };
    let (a, b) = (number(a, "first value")?, number(b, "last value")?);
    let b_unit = if unit_b.is_empty() { unit } else { unit_b };
    let step = match step {
        None => 1.0,
        Some(s) => {
            let (s, unit_s) = split_unit(s.trim());
            if !unit_s.is_empty() && unit_s != unit {
                return Err(format!(
                    "the step's unit {unit_s:?} differs from the first value's {unit:?}"
                ));
            }
            number(s, "step")?
        }
    };
    if b_unit != unit {
        return Err(format!(
            "the last value's unit {b_unit:?} differs from the first value's {unit:?}"
        ));
    }
    if !unit.is_empty() && parse_duration_str(&format!("1{unit}")).is_err() {
        return Err(format!(
            "unknown unit {unit:?}: ranges take plain numbers or durations (s, m, h)"
        ));
    }
    if step <= 0.0 {
        return Err("the step must be positive".into());
    }
    if b < a {
        return Err("the last value is below the first".into());
    }
    let count = ((b - a) / step + 1e-9).floor() + 1.0;
    if count > MAX_POINTS as f64 {
        return Err(format!("more than {MAX_POINTS} values"));
    }
    Ok((0..count as usize)
        .map(|k| {
            // Rounded to 12 significant digits so that 0.1-steps do not print as 0.30000000000000004.
            let x = a + k as f64 * step;
            let x = format!("{x:.12e}").parse::<f64>().unwrap_or(x);
            format!("{x}{unit}")
        })
        .collect())
}

/// The full grid of `vary`: one entry per point, the value index of each key; the first key
/// varies slowest. Errors when the grid has more than [`MAX_POINTS`] points.
pub fn grid(vary: &[Vary]) -> Result<Vec<Vec<usize>>, String> {
    let total = vary
        .iter()
        .try_fold(1usize, |n, v| n.checked_mul(v.values.len()))
        .filter(|&n| n <= MAX_POINTS)
        .ok_or_else(|| format!("the grid has more than {MAX_POINTS} points"))?;
    Ok((0..total)
        .map(|mut p| {
            let mut idx = vec![0; vary.len()];
            for (k, v) in vary.iter().enumerate().rev() {
                idx[k] = p % v.values.len();
                p /= v.values.len();
            }
            idx
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(arg: &str) -> Vec<String> {
        Vary::parse(arg).unwrap().values
    }

    #[test]
    fn lists_and_ranges() {
        assert_eq!(
            values("indicator.yellow=30s, 45s,60s"),
            ["30s", "45s", "60s"]
        );
        assert_eq!(values("staffing.agents=8..11"), ["8", "9", "10", "11"]);
        assert_eq!(values("staffing.agents=8..20:4"), ["8", "12", "16", "20"]);
        assert_eq!(values("staffing.agents=8..19:4"), ["8", "12", "16"]);
        assert_eq!(values("indicator.red=60s..90s:15s"), ["60s", "75s", "90s"]);
        assert_eq!(values("indicator.red=1m..2m:0.5"), ["1m", "1.5m", "2m"]);
        assert_eq!(values("x.y=0.1..0.3:0.1"), ["0.1", "0.2", "0.3"]);
        assert_eq!(values("run.seed=5"), ["5"]);
    }

    #[test]
    fn mistakes_are_named() {
        for (arg, part) in [
            ("staffing.agents", "expected KEY=VALUES"),
            ("=1,2", "dotted scenario key"),
            ("staffing.agents=1,,2", "empty value"),
            ("staffing.agents=1,1", "listed twice"),
            ("staffing.agents=9..8", "below the first"),
            ("staffing.agents=1..9:0", "positive"),
            ("staffing.agents=a..9", "not a number"),
            ("indicator.red=60s..2m", "unit"),
            ("indicator.red=1x..2x", "unknown unit"),
            ("staffing.agents=0..1e9", "more than"),
        ] {
            let e = Vary::parse(arg).unwrap_err().to_string();
            assert!(e.contains(part), "{arg}: {e}");
        }
    }

    #[test]
    fn grid_is_row_major() {
        let v = [
            Vary::parse("a.b=1,2").unwrap(),
            Vary::parse("c.d=x,y,z").unwrap(),
        ];
        let g = grid(&v).unwrap();
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], [0, 0]);
        assert_eq!(g[1], [0, 1]);
        assert_eq!(g[3], [1, 0]);
        assert_eq!(grid(&[]).unwrap(), vec![Vec::<usize>::new()]);
    }
}
