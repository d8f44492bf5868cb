//! Shard files: the partial results of one `--shard I/N` slice, `shard-I-of-N.jsonl` next to
//! the sweep's `plan.json`. The first line says which slice it is; every other line is one
//! replication's KPI values, in task order. Numbers are written in the shortest form that
//! reads back bit for bit (NaN, an undefined KPI, as `null`), so merging the shards gives the
//! very bytes of an unsharded run.

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};

use crate::experiment::sweep::{Shard, Task};
use crate::experiment::{Distributions, Replication, SegmentValues};

/// The layout of shard files this ccsim writes and reads (`ccsim_shard` of the first line).
/// 2: `plan` is [`super::sweep::PlanFile::fingerprint`], blind to the scenario's folder.
pub const SHARD_FORMAT: u32 = 2;

/// First line of a shard file.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct ShardHeader {
    pub ccsim_shard: u32,
    /// Fingerprint of the study the shard ran ([`super::sweep::PlanFile::fingerprint`]): a
    /// shard file left in a shared folder by another study cannot be merged into this one.
    pub plan: String,
    pub shard: Shard,
    /// Tasks (point × replication) in the whole study.
    pub total_tasks: usize,
    /// The slice of tasks this shard holds.
    pub first_task: usize,
    pub end_task: usize,
}

/// One segment's values in a line: overall, then per interval.
type SegmentLine = (Vec<Option<f64>>, Vec<Vec<Option<f64>>>);

/// One task's line.
#[derive(Debug, Serialize, Deserialize)]
struct Line {
    point: u32,
    replication: u32,
    overall: Vec<Option<f64>>,
    intervals: Vec<Vec<Option<f64>>>,
    distributions: Option<Box<Distributions>>,
    /// Per segment (queue, channel, group): overall and per-interval values.
    #[serde(default)]
    segments: Vec<SegmentLine>,
    /// With `run.days`: per day, its overall and per-interval values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    days: Vec<SegmentLine>,
    /// With dispositions: per disposition, its overall and per-interval values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    dispositions: Vec<SegmentLine>,
}

/// A segment's values as a line holds them.
fn segment_line(s: &SegmentValues) -> SegmentLine {
    (
        to_json(&s.overall),
        s.intervals.iter().map(|v| to_json(v)).collect(),
    )
}

fn to_json(values: &[f64]) -> Vec<Option<f64>> {
    values.iter().map(|&x| x.is_finite().then_some(x)).collect()
}

fn from_json(values: Vec<Option<f64>>) -> Vec<f64> {
    values.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect()
}

fn segment_values((overall, intervals): SegmentLine) -> SegmentValues {
    SegmentValues {
        overall: from_json(overall),
        intervals: intervals.into_iter().map(from_json).collect(),
    }
}

/// FNV-1a (64 bits) of `bytes`, in hex: a stable fingerprint of a plan, the same on every
/// platform and Rust version (unlike std's hashers).
pub fn fingerprint(bytes: &[u8]) -> String {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{h:016x}")
}

/// The file name of a shard.
pub fn shard_file_name(shard: Shard) -> String {
    format!("shard-{}-of-{}.jsonl", shard.index, shard.count)
}

/// Writes a shard file line by line into a temporary file, renamed into place by
/// [`ShardWriter::finish`]: an interrupted shard leaves no file that merge would take.
pub struct ShardWriter {
    tmp: PathBuf,
    path: PathBuf,
    out: BufWriter<std::fs::File>,
}

impl ShardWriter {
    pub fn create(dir: &Path, header: &ShardHeader) -> anyhow::Result<ShardWriter> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let name = shard_file_name(header.shard);
        let tmp = dir.join(super::folder::temporary_name(&name));
        let file = std::fs::File::create(&tmp)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        let mut w = ShardWriter {
            path: dir.join(name),
            tmp,
            out: BufWriter::new(file),
        };
        w.line(header)?;
        Ok(w)
    }

    fn line(&mut self, value: &impl Serialize) -> anyhow::Result<()> {
        serde_json::to_writer(&mut self.out, value)?;
        self.out.write_all(b"\n")?;
        Ok(())
    }

    pub fn task(&mut self, task: Task, r: Replication) -> anyhow::Result<()> {
        self.line(&Line {
            point: task.point,
            replication: task.replication,
            overall: to_json(&r.overall),
            intervals: r.intervals.iter().map(|v| to_json(v)).collect(),
            distributions: r.distributions,
            segments: r.segments.iter().map(segment_line).collect(),
            days: r.days.iter().map(segment_line).collect(),
            dispositions: r.dispositions.iter().map(segment_line).collect(),
        })
    }

    pub fn finish(mut self) -> anyhow::Result<PathBuf> {
        self.out.flush()?;
        std::fs::rename(&self.tmp, &self.path)?;
        Ok(self.path)
    }

    /// Give up: remove the temporary file.
    pub fn abandon(self) {
        let _ = std::fs::remove_file(&self.tmp);
    }
}

/// A shard file opened for reading.
pub struct ShardReader {
    pub path: PathBuf,
    pub header: ShardHeader,
    lines: std::io::Lines<std::io::BufReader<std::fs::File>>,
}

impl ShardReader {
    pub fn open(path: &Path) -> anyhow::Result<ShardReader> {
        let file =
            std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut lines = std::io::BufReader::new(file).lines();
        let first = lines
            .next()
            .transpose()?
            .with_context(|| format!("{}: empty shard file", path.display()))?;
        let header: ShardHeader = serde_json::from_str(&first)
            .with_context(|| format!("{}: not a ccsim shard file", path.display()))?;
        if header.ccsim_shard != SHARD_FORMAT {
            bail!(
                "{}: shard file format {} was written by another version of ccsim (this one \
                 reads format {SHARD_FORMAT}): run the shard again",
                path.display(),
                header.ccsim_shard
            );
        }
        Ok(ShardReader {
            path: path.to_path_buf(),
            header,
            lines,
        })
    }

    /// The next task and its replication, `None` at the end of the file.
    pub fn next_task(&mut self) -> anyhow::Result<Option<(Task, Replication)>> {
        let Some(line) = self.lines.next().transpose()? else {
            return Ok(None);
        };
        let l: Line = serde_json::from_str(&line)
            .with_context(|| format!("{}: a line is not a task result", self.path.display()))?;
        Ok(Some((
            Task {
                point: l.point,
                replication: l.replication,
            },
            Replication {
                index: l.replication,
                overall: from_json(l.overall),
                intervals: l.intervals.into_iter().map(from_json).collect(),
                distributions: l.distributions,
                segments: l.segments.into_iter().map(segment_values).collect(),
                days: l.days.into_iter().map(segment_values).collect(),
                dispositions: l.dispositions.into_iter().map(segment_values).collect(),
            },
        )))
    }
}

/// The shard files found in `dirs` (each a folder holding shard files, or a shard file), in
/// shard order; every shard of one split must be there exactly once.
pub fn find_shards(dirs: &[PathBuf]) -> anyhow::Result<Vec<ShardReader>> {
    let mut readers = Vec::new();
    for d in dirs {
        if d.is_file() {
            readers.push(ShardReader::open(d)?);
            continue;
        }
        let entries = std::fs::read_dir(d)
            .with_context(|| format!("cannot read the folder {}", d.display()))?;
        let mut names: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("shard-") && n.ends_with(".jsonl"))
            })
            .collect();
        names.sort();
        for p in names {
            readers.push(ShardReader::open(&p)?);
        }
    }
    readers.sort_by_key(|r| r.header.shard.index);
    let Some(first) = readers.first() else {
        bail!("no shard file (shard-I-of-N.jsonl) in {}", join(dirs));
    };
    let count = first.header.shard.count;
    for r in &readers {
        if r.header.plan != first.header.plan {
            bail!(
                "{} was run for another plan than {} (a different scenario, --vary, --set or \
                 ccsim version): merge only the shards of one study",
                r.path.display(),
                first.path.display()
            );
        }
        if r.header.shard.count != count || r.header.total_tasks != first.header.total_tasks {
            bail!(
                "{} is shard {} of another split than {} (shard {})",
                r.path.display(),
                r.header.shard,
                first.path.display(),
                first.header.shard
            );
        }
    }
    for pair in readers.windows(2) {
        if pair[0].header.shard.index == pair[1].header.shard.index {
            bail!(
                "shard {} is given twice: {} and {}",
                pair[0].header.shard,
                pair[0].path.display(),
                pair[1].path.display()
            );
        }
    }
    let have: Vec<u32> = readers.iter().map(|r| r.header.shard.index).collect();
    let missing: Vec<String> = (1..=count)
        .filter(|i| !have.contains(i))
        .map(|i| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        bail!("missing shard(s) {} in {}", missing.join(", "), join(dirs));
    }
    Ok(readers)
}

fn join(dirs: &[PathBuf]) -> String {
    dirs.iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
