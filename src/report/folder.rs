//! Output folders that ccsim owns. Every folder ccsim writes into carries a small marker file,
//! [`MARKER`], naming the kind of output it holds and the ccsim version; ccsim writes into a
//! non-empty folder only when it finds its marker there (or with `--force`), and inside its
//! folders it replaces or removes only the files and folders it writes itself, recognised by
//! name ([`Kind::owns`]). Anything else found there — a user's notes, a picture, a folder — is
//! never removed nor changed, whatever the command and options.
//!
//! Point folders of a sweep and `plots/` are replaced whole, atomically (written beside the old
//! folder, then renamed over it), when they hold only ccsim's files; when a user's file is in
//! them, ccsim's files are replaced one by one in place instead (each atomically, `run.json`
//! last, so that a point folder with a `run.json` is complete), and the user's file stays.

use std::io;
use std::path::{Path, PathBuf};

use super::figures::is_figure_file;
use super::write_files;

/// The marker file of a folder ccsim created.
pub const MARKER: &str = ".ccsim-output";

/// The files of a run, in a run, staff or point folder.
pub const RUN_FILES: [&str; 10] = [
    "summary.csv",
    "intervals.csv",
    "days.csv",
    "day_replications.csv",
    "replications.csv",
    "segments.csv",
    "segment_intervals.csv",
    "segment_replications.csv",
    "distributions.csv",
    "run.json",
];

/// The contact trace of `ccsim run --trace`, in a run folder.
pub const TRACE_FILES: [&str; 3] = [
    super::trace::CONTACTS,
    super::trace::MESSAGES,
    super::transcript::TRANSCRIPT,
];

/// The files of `ccsim fit`.
pub const FIT_FILES: [&str; 6] = [
    "fitted.toml",
    "fit.csv",
    "fit_qq.csv",
    "fit_qq.png",
    "fit_patience.csv",
    "fit_arrivals.csv",
];

/// What an output folder holds. A merged study's folder is marked as the run or sweep it is
/// byte for byte the same as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `ccsim run` (and `ccsim merge` of a run's shards).
    Run,
    /// `ccsim sweep` (and `ccsim merge` of a sweep's shards).
    Sweep,
    /// `ccsim staff`.
    Staff,
    /// `ccsim run --shard` and `ccsim sweep --shard`: `plan.json` and shard files.
    Shard,
    /// One point of a sweep: `points/pNNNN/`.
    Point,
    /// The charts of `ccsim report` / `--plots`: `plots/`.
    Plots,
    /// `ccsim fit`: a fitted scenario fragment and the fits' quality.
    Fit,
}

impl Kind {
    const ALL: [Kind; 7] = [
        Kind::Run,
        Kind::Sweep,
        Kind::Staff,
        Kind::Shard,
        Kind::Point,
        Kind::Plots,
        Kind::Fit,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Sweep => "sweep",
            Kind::Staff => "staff",
            Kind::Shard => "shard",
            Kind::Point => "point",
            Kind::Plots => "plots",
            Kind::Fit => "fit",
        }
    }

    /// What the folder holds, in words.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Run => "the results of a ccsim run",
            Kind::Sweep => "the results of a ccsim sweep",
            Kind::Staff => "the results of a ccsim staffing search",
            Kind::Shard => "ccsim shard files",
            Kind::Point => "one point of a ccsim sweep",
            Kind::Plots => "ccsim's plots",
            Kind::Fit => "the results of ccsim fit",
        }
    }

    fn by_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether `name` is a file or folder that ccsim writes in a folder of this kind (its
    /// marker and temporary files included): only these are ever replaced or removed there.
    pub fn owns(self, name: &str) -> bool {
        const REPORT: [&str; 2] = ["report.html", "plots"];
        if name == MARKER || is_temporary(name) {
            return true;
        }
        let run = RUN_FILES.contains(&name) || REPORT.contains(&name);
        match self {
            Kind::Run => run || TRACE_FILES.contains(&name),
            Kind::Point => run,
            Kind::Staff => {
                run || [
                    "staffing.csv",
                    "staffing_intervals.csv",
                    "staffed.toml",
                    "plan.csv",
                ]
                .contains(&name)
            }
            Kind::Sweep => {
                [
                    "plan.json",
                    "sweep.csv",
                    "sweep_long.csv",
                    "sweep_segments.csv",
                    "skipped.csv",
                    "points",
                ]
                .contains(&name)
                    || REPORT.contains(&name)
            }
            Kind::Shard => name == "plan.json" || is_shard_file(name),
            Kind::Plots => is_figure_file(name),
            Kind::Fit => FIT_FILES.contains(&name),
        }
    }

    /// The kind of ccsim's own subfolder `name` in a folder of this kind, if it is one
    /// (`points/` is a plain container of point folders, marked one by one).
    fn subfolder(self, name: &str) -> Option<Sub> {
        match (self, name) {
            (Kind::Run | Kind::Point | Kind::Staff | Kind::Sweep, "plots") => {
                Some(Sub::Marked(Kind::Plots))
            }
            (Kind::Sweep, "points") => Some(Sub::Points),
            _ => None,
        }
    }

    /// The marker file's content: what the folder holds and which ccsim wrote it.
    /// Deterministic, so that merged shards give the very bytes of an unsharded study.
    fn marker(self) -> Vec<u8> {
        format!(
            "# This folder was written by ccsim; keep this file. ccsim writes into a non-empty\n\
             # folder only when it finds this file, and replaces or removes there only the\n\
             # files it writes itself: any other file is left untouched.\n\
             kind = \"{}\"\nccsim_version = \"{}\"\n",
            self.name(),
            env!("CARGO_PKG_VERSION")
        )
        .into_bytes()
    }
}

enum Sub {
    Marked(Kind),
    /// `points/`: unmarked, holds the marked point folders.
    Points,
}

/// `shard-I-of-N.jsonl`.
fn is_shard_file(name: &str) -> bool {
    let Some(rest) = name
        .strip_prefix("shard-")
        .and_then(|r| r.strip_suffix(".jsonl"))
    else {
        return false;
    };
    rest.split_once("-of-").is_some_and(|(i, n)| {
        [i, n]
            .iter()
            .all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
    })
}

/// `points/pNNNN`.
fn is_point_folder(name: &str) -> bool {
    name.strip_prefix('p')
        .is_some_and(|d| d.len() >= 4 && d.bytes().all(|b| b.is_ascii_digit()))
}

/// The temporary name ccsim writes `name` under in the same folder before renaming it
/// (`.summary.csv.tmp-1234`); [`is_temporary`] recognises it.
pub fn temporary_name(name: &str) -> String {
    format!(".{name}.tmp-{}", std::process::id())
}

/// A temporary file or folder of a ccsim process (see [`temporary_name`]).
fn is_temporary(name: &str) -> bool {
    name.starts_with('.')
        && name
            .rsplit_once(".tmp-")
            .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()))
}

/// An output folder that cannot be written, or a failure while writing it.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error(
        "{dir} is not empty and was not created by ccsim (it holds {entries}, and no {MARKER} \
         file): ccsim writes only into an empty folder or one it created, so that it never \
         overwrites or removes your files. Choose another output folder (--out DIR), or add \
         --force to let ccsim write its own files there (it removes and changes no other file)"
    )]
    Foreign { dir: PathBuf, entries: String },
    #[error(
        "{dir} holds {found}, not {wanted}: writing here would mix the two. Choose another \
         output folder (--out DIR), or add --force to write them there anyway (no file other \
         than ccsim's own is removed or changed)"
    )]
    OtherKind {
        dir: PathBuf,
        found: String,
        wanted: &'static str,
    },
    /// A bug guard: every file ccsim writes must be one [`Kind::owns`] recognises, or a later
    /// run would not know it is ccsim's.
    #[error("internal error: {name} is not a file ccsim writes in a {kind} folder")]
    NotOwned { name: String, kind: &'static str },
    #[error("cannot write into {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> FolderError + '_ {
    move |source| FolderError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What a folder is, as far as ccsim is concerned.
#[derive(Debug, PartialEq)]
pub enum State {
    Missing,
    /// Nothing in it (ccsim's temporary files aside).
    Empty,
    /// It carries ccsim's marker, of this kind.
    Marked(Kind),
    /// It carries a marker ccsim does not understand (another version's kind, or damaged).
    MarkedUnknown(String),
    /// Not empty, without a marker: the listed entries (the first few).
    Foreign(Vec<String>),
}

/// Look at `dir`, without changing anything.
pub fn state(dir: &Path) -> Result<State, FolderError> {
    let entries = match std::fs::read_dir(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(State::Missing),
        r => r.map_err(io_at(dir))?,
    };
    let mut names = Vec::new();
    for e in entries {
        let name = e
            .map_err(io_at(dir))?
            .file_name()
            .to_string_lossy()
            .into_owned();
        if !is_temporary(&name) {
            names.push(name);
        }
    }
    if names.iter().any(|n| n == MARKER) {
        let text = std::fs::read_to_string(dir.join(MARKER)).unwrap_or_default();
        let kind = text
            .parse::<toml::Table>()
            .ok()
            .and_then(|t| t.get("kind")?.as_str().map(String::from));
        return Ok(match kind.as_deref().and_then(Kind::by_name) {
            Some(k) => State::Marked(k),
            None => State::MarkedUnknown(kind.unwrap_or_else(|| "a damaged marker".into())),
        });
    }
    if names.is_empty() {
        return Ok(State::Empty);
    }
    names.sort();
    Ok(State::Foreign(names))
}

/// Check that ccsim may write output of `kind` into `dir` — it is missing, empty, or marked as
/// that kind; or anything with `force` — then create it if needed and mark it.
pub fn claim(dir: &Path, kind: Kind, force: bool) -> Result<(), FolderError> {
    check(dir, kind, force)?;
    std::fs::create_dir_all(dir).map_err(io_at(dir))?;
    write_files(dir, &[(MARKER, kind.marker())]).map_err(io_at(dir))
}

/// [`claim`]'s check alone.
pub fn check(dir: &Path, kind: Kind, force: bool) -> Result<(), FolderError> {
    match state(dir)? {
        State::Missing | State::Empty => Ok(()),
        State::Marked(k) if k == kind => Ok(()),
        _ if force => Ok(()),
        State::Marked(k) => Err(FolderError::OtherKind {
            dir: dir.to_path_buf(),
            found: k.describe().into(),
            wanted: kind.describe(),
        }),
        State::MarkedUnknown(k) => Err(FolderError::OtherKind {
            dir: dir.to_path_buf(),
            found: format!("ccsim output of a kind this version does not know ({k})"),
            wanted: kind.describe(),
        }),
        State::Foreign(names) => Err(FolderError::Foreign {
            dir: dir.to_path_buf(),
            entries: listing(&names),
        }),
    }
}

/// "a.txt, b.png and 3 more".
fn listing(names: &[String]) -> String {
    const SHOWN: usize = 3;
    let shown = names[..names.len().min(SHOWN)].join(", ");
    match names.len().saturating_sub(SHOWN) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// Fail unless every name in `files` is one ccsim owns in a `kind` folder.
fn check_names(kind: Kind, files: &[(&str, Vec<u8>)]) -> Result<(), FolderError> {
    match files.iter().find(|(n, _)| !kind.owns(n) || *n == MARKER) {
        Some((n, _)) => Err(FolderError::NotOwned {
            name: n.to_string(),
            kind: kind.name(),
        }),
        None => Ok(()),
    }
}

/// Write `files` into the folder `dir` (claimed beforehand), atomically each: the files of a
/// run, the tables of a sweep. Only names ccsim owns there may be written.
pub fn write(dir: &Path, kind: Kind, files: &[(&str, Vec<u8>)]) -> Result<(), FolderError> {
    check_names(kind, files)?;
    write_files(dir, files).map_err(io_at(dir))
}

/// Make `files` the content of ccsim's folder `dir` of `kind` (a point folder, `plots/`): its
/// files from an earlier write that are not among them are removed, the others replaced. When
/// the folder holds only ccsim's files, the new one is written beside it and renamed over it, so
/// a reader sees the old folder, briefly none, or the new one, never a mix; when it holds a
/// file of someone else, ccsim's files are replaced in place (each atomically, in the order
/// given: put the file that says "complete" last) and that file stays where it is.
pub fn write_dir(
    dir: &Path,
    kind: Kind,
    files: &[(&str, Vec<u8>)],
    force: bool,
) -> Result<(), FolderError> {
    check_names(kind, files)?;
    check(dir, kind, force)?;
    // The marker first, the caller's last file (the one that says "complete") last.
    let mut files: Vec<(&str, Vec<u8>)> = files.to_vec();
    files.insert(0, (MARKER, kind.marker()));
    if dir.exists() && holds_foreign(dir, kind)? {
        return write_in_place(dir, kind, &files);
    }
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io_at(parent))?;
    let name = dir
        .file_name()
        .map_or("dir".into(), |n| n.to_string_lossy());
    let tmp = parent.join(temporary_name(&name));
    // A folder of this process's name left by an earlier process that crashed: only ccsim's
    // files can be in it, but remove only those anyway.
    if tmp.exists() {
        discard(&tmp, kind).map_err(io_at(&tmp))?;
    }
    let written = std::fs::create_dir(&tmp).and_then(|()| {
        files
            .iter()
            .try_for_each(|(f, bytes)| std::fs::write(tmp.join(f), bytes))
    });
    if let Err(e) = written {
        let _ = discard(&tmp, kind);
        return Err(io_at(&tmp)(e));
    }
    if dir.exists() {
        if let Err(e) = discard(dir, kind) {
            let _ = discard(&tmp, kind);
            let not_empty = std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some());
            if not_empty {
                // Something of someone else's appeared meanwhile: keep it, write in place.
                return write_in_place(dir, kind, &files);
            }
            return Err(io_at(dir)(e));
        }
    }
    std::fs::rename(&tmp, dir).map_err(io_at(dir))
}

/// Remove ccsim's folder `dir` of `kind` that holds only ccsim's files: those files, its marker,
/// then the folder (an error if anything else is in it).
fn discard(dir: &Path, kind: Kind) -> io::Result<()> {
    remove_own(dir, kind, &[])?;
    match std::fs::remove_file(dir.join(MARKER)) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    match std::fs::remove_dir(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        r => r,
    }
}

/// [`write_dir`] into a folder that holds someone else's files. The last file is removed first
/// and written last: while it is missing, the folder is not complete.
fn write_in_place(dir: &Path, kind: Kind, files: &[(&str, Vec<u8>)]) -> Result<(), FolderError> {
    let keep: Vec<&str> = files[..files.len() - 1].iter().map(|(n, _)| *n).collect();
    remove_own(dir, kind, &keep).map_err(io_at(dir))?;
    write_files(dir, files).map_err(io_at(dir))
}

/// Whether `dir` (of `kind`) holds anything that is not ccsim's, at any depth.
fn holds_foreign(dir: &Path, kind: Kind) -> Result<bool, FolderError> {
    for e in std::fs::read_dir(dir).map_err(io_at(dir))? {
        let e = e.map_err(io_at(dir))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if !kind.owns(&name) {
            return Ok(true);
        }
        let path = e.path();
        let foreign_inside = match kind.subfolder(&name) {
            Some(_) if !path.is_dir() => true,
            Some(Sub::Marked(k)) => state(&path)? != State::Marked(k) || holds_foreign(&path, k)?,
            Some(Sub::Points) => {
                let mut any = false;
                for p in std::fs::read_dir(&path).map_err(io_at(&path))? {
                    let p = p.map_err(io_at(&path))?.path();
                    let n = p
                        .file_name()
                        .unwrap_or_default()
                        .to_string_lossy()
                        .into_owned();
                    let own_point = is_point_folder(&n)
                        && state(&p)? == State::Marked(Kind::Point)
                        && !holds_foreign(&p, Kind::Point)?;
                    any |= !(is_temporary(&n) || own_point);
                }
                any
            }
            None => path.is_dir() && !is_temporary(&name),
        };
        if foreign_inside {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Remove what ccsim wrote in its folder `dir` of `kind`, except the entries named in `keep`
/// and the marker: its files, and its own subfolders with what ccsim wrote in them (each
/// removed when nothing else is left in it). Nothing else is touched.
pub fn remove_own(dir: &Path, kind: Kind, keep: &[&str]) -> io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name == MARKER || keep.contains(&name.as_str()) || !kind.owns(&name) {
            continue;
        }
        let path = e.path();
        if !e.file_type()?.is_dir() {
            // Another process's temporary file is its own business.
            if !is_temporary(&name) {
                std::fs::remove_file(&path)?;
            }
            continue;
        }
        match kind.subfolder(&name) {
            Some(Sub::Marked(k)) => remove_folder(&path, k)?,
            Some(Sub::Points) => {
                for p in std::fs::read_dir(&path)? {
                    let p = p?.path();
                    let n = p.file_name().unwrap_or_default().to_string_lossy();
                    if is_point_folder(&n) {
                        remove_folder(&p, Kind::Point)?;
                    }
                }
                remove_empty_dir(&path)?;
            }
            // A folder under a file's name (or a temporary folder) is not ccsim's to remove.
            None => {}
        }
    }
    Ok(())
}

/// Remove ccsim's folder `dir` of `kind`: what ccsim wrote in it, then the folder itself when
/// nothing else is left. A folder without ccsim's marker of that kind is left alone.
pub fn remove_folder(dir: &Path, kind: Kind) -> io::Result<()> {
    if state(dir).ok() != Some(State::Marked(kind)) {
        return Ok(());
    }
    remove_own(dir, kind, &[])?;
    let rest = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok())
        .any(|e| e.file_name() != MARKER);
    if !rest {
        std::fs::remove_file(dir.join(MARKER))?;
        remove_empty_dir(dir)?;
    }
    Ok(())
}

/// Remove `dir` if it is empty; a folder that is not is kept.
fn remove_empty_dir(dir: &Path) -> io::Result<()> {
    match std::fs::remove_dir(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(_) if dir.exists() && std::fs::read_dir(dir)?.next().is_some() => Ok(()),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_ccsim_owns() {
        assert!(Kind::Run.owns("summary.csv") && Kind::Run.owns("plots"));
        assert!(!Kind::Run.owns("notes.txt") && !Kind::Run.owns("points"));
        assert!(Kind::Sweep.owns("points") && !Kind::Sweep.owns("summary.csv"));
        assert!(Kind::Shard.owns("shard-2-of-13.jsonl") && !Kind::Shard.owns("shard-x-of-2.jsonl"));
        assert!(Kind::Plots.owns("service.png") && !Kind::Plots.owns("mine.png"));
        assert!(Kind::Point.owns(".run.json.tmp-123") && !Kind::Point.owns(".run.json.tmp-"));
        assert!(is_point_folder("p0007") && is_point_folder("p12345") && !is_point_folder("p07"));
        assert!(Kind::ALL
            .iter()
            .all(|k| Kind::by_name(k.name()) == Some(*k)));
    }

    #[test]
    fn listing_names_the_first_entries() {
        let names: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        assert_eq!(listing(&names[..2]), "a, b");
        assert_eq!(listing(&names), "a, b, c and 2 more");
    }
}
