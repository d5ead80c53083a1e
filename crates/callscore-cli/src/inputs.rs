//! The inputs a `score` command names, directories walked, in the order they are scored.
//!
//! The listing is the one thing the command holds for every input at once (reports stream
//! out a chunk at a time), so it is kept compact: each directory's path once, and every
//! file's name as bytes in one shared buffer, 16 bytes a file besides its name (room for
//! a directory's entries is made exactly when they outnumber what is listed already, so a
//! single large directory leaves no slack). At its peak, while a directory's names are
//! sorted on the side, listing takes about 100 bytes a file: peak resident memory of
//! listing alone (no transparent huge pages) 5.5 MB for 10,000 generated files and 14.2
//! MB for 100,000. With a `PathBuf` per file, and a file name and a path per directory
//! entry while sorting, it took about 190: 7.2 and 24.4 MB (and the listing of STAR's
//! 6,028 files was ~1 ms slower).
//!
//! A directory's entries are taken in name order, files and subdirectories alike (a
//! subdirectory's files come where its name sorts), hidden entries (`.name`) skipped, and
//! only files with a transcript extension (`.txt`, `.vtt`, `.srt`, `.json`, any case)
//! kept. A path named on the command line is kept as given, whatever its extension.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use crate::Failure;

/// The file extensions a directory walk keeps.
const EXTENSIONS: &[&str] = &["txt", "vtt", "srt", "json"];

/// An input, as the listing holds it.
#[derive(Clone, Copy)]
enum Kind {
    /// Standard input (`-`).
    Stdin,
    /// A file; `listed`: the directory listing that found it says it is a regular file.
    File { listed: bool },
}

/// One input: where its name ends in [`Inputs::names`] (it starts where the previous one
/// ends), its directory in [`Inputs::dirs`] ([`NO_DIR`]: the name is the whole path, as
/// given on the command line) and its kind.
#[derive(Clone, Copy)]
struct Item {
    end: usize,
    dir: u32,
    kind: Kind,
}

/// [`Item::dir`] of a path given whole.
const NO_DIR: u32 = u32::MAX;

/// The inputs in scoring order (see the module docs).
#[derive(Default)]
pub(crate) struct Inputs {
    /// Every input's name (or whole path), one after the other, as `OsStr` bytes.
    names: Vec<u8>,
    /// The directories walked.
    dirs: Vec<PathBuf>,
    items: Vec<Item>,
}

/// One input of [`Inputs`].
#[derive(Clone, Copy)]
pub(crate) enum Input<'a> {
    /// Standard input.
    Stdin,
    /// A file: its directory (none when `name` is the whole path), its name, and whether
    /// the directory listing says it is a regular file (then it needs no look-up of its
    /// own before it is opened).
    File {
        dir: Option<&'a Path>,
        name: &'a OsStr,
        listed: bool,
    },
}

impl Input<'_> {
    /// The file's path (`None` for standard input).
    pub(crate) fn path(&self) -> Option<PathBuf> {
        match *self {
            Input::Stdin => None,
            Input::File {
                dir: Some(d), name, ..
            } => Some(d.join(name)),
            Input::File {
                dir: None, name, ..
            } => Some(PathBuf::from(name)),
        }
    }
}

impl Inputs {
    /// How many inputs there are.
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// The `i`th input (`i < len()`).
    pub(crate) fn get(&self, i: usize) -> Input<'_> {
        let item = self.items[i];
        let start = if i == 0 { 0 } else { self.items[i - 1].end };
        match item.kind {
            Kind::Stdin => Input::Stdin,
            Kind::File { listed } => Input::File {
                dir: self.dirs.get(item.dir as usize).map(PathBuf::as_path),
                // SAFETY: `names` is `OsStr::as_encoded_bytes` outputs of this process,
                // appended whole (see `push`), and `start..end` is exactly one of them.
                name: unsafe { OsStr::from_encoded_bytes_unchecked(&self.names[start..item.end]) },
                listed,
            },
        }
    }

    /// The inputs in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Input<'_>> {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The bytes the listing holds on the heap (for the test of its size).
    #[cfg(test)]
    fn heap_bytes(&self) -> usize {
        self.names.capacity()
            + self.items.capacity() * std::mem::size_of::<Item>()
            + self.dirs.capacity() * std::mem::size_of::<PathBuf>()
            + self.dirs.iter().map(|d| d.capacity()).sum::<usize>()
    }

    /// Append an input: `name` (whole, as the only place these bytes come from) in `dir`.
    fn push(&mut self, name: &OsStr, dir: u32, kind: Kind) {
        self.names.extend_from_slice(name.as_encoded_bytes());
        self.items.push(Item {
            end: self.names.len(),
            dir,
            kind,
        });
    }

    /// Make room for `items` more inputs whose names take `bytes`: exactly when they are
    /// at least as many as the listing holds already (one large directory is listed
    /// without the slack of doubling its buffers), else as a `Vec` grows.
    fn reserve(&mut self, items: usize, bytes: usize) {
        fn room<T>(v: &mut Vec<T>, extra: usize) {
            if extra >= v.len() {
                v.reserve_exact(extra);
            } else {
                v.reserve(extra);
            }
        }
        room(&mut self.items, items);
        room(&mut self.names, bytes);
    }

    /// Append a directory to walk from; its index, or `None` when there are too many to
    /// number (its files are then kept with their whole paths).
    fn add_dir(&mut self, dir: PathBuf) -> Option<u32> {
        let i = u32::try_from(self.dirs.len())
            .ok()
            .filter(|&i| i != NO_DIR)?;
        self.dirs.push(dir);
        Some(i)
    }
}

/// The inputs the command line names (directories walked), and the directories that
/// could not be read.
pub(crate) fn gather(args: &[String]) -> (Inputs, Vec<Failure>) {
    let mut inputs = Inputs::default();
    let mut failures = Vec::new();
    for arg in args {
        if arg == "-" {
            inputs.push(OsStr::new(""), NO_DIR, Kind::Stdin);
            continue;
        }
        let p = Path::new(arg);
        if p.is_dir() {
            walk(p, &mut inputs, &mut failures);
        } else {
            inputs.push(p.as_os_str(), NO_DIR, Kind::File { listed: false });
        }
    }
    (inputs, failures)
}

/// What a directory entry is, as its listing says.
#[derive(Clone, Copy)]
enum Entry {
    Dir,
    /// A file; `regular`: listed as a regular file (a symbolic link is not, until followed).
    File {
        regular: bool,
    },
}

/// Walk a directory for transcripts (see the module docs).
fn walk(dir: &Path, inputs: &mut Inputs, failures: &mut Vec<Failure>) {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            failures.push(Failure {
                source: dir.display().to_string(),
                kind: "io".into(),
                message: format!("cannot read directory {}: {e}", dir.display()),
                line: None,
            });
            return;
        }
    };
    // This directory's names, one after the other, and per entry where its name ends and
    // what it is. The entry's kind is the listing's (no look-up per file); a symbolic link
    // is followed to see whether it leads to a directory. Sorted by name (entries of one
    // directory: the same order as by path, without comparing paths component by
    // component, which was most of listing 6,000 files).
    let mut names: Vec<u8> = Vec::new();
    let mut entries: Vec<(usize, u32, Entry)> = Vec::new();
    for e in rd.flatten() {
        let name = e.file_name();
        let bytes = name.as_encoded_bytes();
        if bytes.first() == Some(&b'.') {
            continue;
        }
        let entry = match e.file_type() {
            Ok(t) if t.is_dir() => Entry::Dir,
            Ok(t) if !t.is_symlink() => Entry::File {
                regular: t.is_file(),
            },
            _ if dir.join(&name).is_dir() => Entry::Dir,
            _ => Entry::File { regular: false },
        };
        if let Entry::File { .. } = entry {
            let ext = Path::new(&name).extension().and_then(|e| e.to_str());
            if !ext.is_some_and(|e| EXTENSIONS.iter().any(|x| e.eq_ignore_ascii_case(x))) {
                continue;
            }
        }
        // (No name is 4 GB long; one that were would be skipped, not cut.)
        let Ok(len) = u32::try_from(bytes.len()) else {
            continue;
        };
        entries.push((names.len(), len, entry));
        names.extend_from_slice(bytes);
    }
    let name_of = |&(start, len, _): &(usize, u32, Entry)| &names[start..start + len as usize];
    entries.sort_unstable_by(|a, b| name_of(a).cmp(name_of(b)));
    let here = inputs.add_dir(dir.to_path_buf());
    inputs.reserve(entries.len(), names.len());
    for e @ &(_, _, entry) in &entries {
        // SAFETY: `name_of(e)` is one `OsStr::as_encoded_bytes` output, whole.
        let name = unsafe { OsStr::from_encoded_bytes_unchecked(name_of(e)) };
        match (entry, here) {
            (Entry::Dir, _) => walk(&dir.join(name), inputs, failures),
            (Entry::File { regular }, Some(d)) => {
                inputs.push(name, d, Kind::File { listed: regular })
            }
            (Entry::File { regular }, None) => inputs.push(
                dir.join(name).as_os_str(),
                NO_DIR,
                Kind::File { listed: regular },
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory under the system's temporary one.
    fn scratch(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("callscore-inputs-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn sources(inputs: &Inputs) -> Vec<String> {
        inputs.iter().map(source).collect()
    }

    fn source(i: Input<'_>) -> String {
        crate::source(i.path().as_deref())
    }

    #[test]
    fn walks_in_name_order_with_subdirectories_where_they_sort() {
        let d = scratch("order");
        for f in [
            "b.txt",
            "a.TXT",
            "c.vtt",
            "d.srt",
            "e.json",
            "notes.md",
            ".hidden.txt",
            "z",
        ] {
            std::fs::write(d.join(f), "Agent: Hello\n").unwrap();
        }
        std::fs::create_dir_all(d.join("bb/deeper")).unwrap();
        std::fs::create_dir_all(d.join(".git")).unwrap();
        std::fs::write(d.join("bb/x.txt"), "x").unwrap();
        std::fs::write(d.join("bb/deeper/y.txt"), "y").unwrap();
        std::fs::write(d.join(".git/h.txt"), "h").unwrap();
        let arg = d.display().to_string();
        let (inputs, failures) = gather(&[arg.clone(), "-".into(), format!("{arg}/notes.md")]);
        assert!(failures.is_empty());
        let j = |p: &str| d.join(p).display().to_string();
        assert_eq!(
            sources(&inputs),
            [
                j("a.TXT"),
                j("b.txt"),
                j("bb/deeper/y.txt"),
                j("bb/x.txt"),
                j("c.vtt"),
                j("d.srt"),
                j("e.json"),
                "-".to_string(),
                format!("{arg}/notes.md"),
            ]
        );
        // Listed files are known regular; a path given whole is not (it is looked up).
        let listed: Vec<bool> = inputs
            .iter()
            .map(|i| matches!(i, Input::File { listed: true, .. }))
            .collect();
        assert_eq!(
            listed,
            [true, true, true, true, true, true, true, false, false]
        );
        assert!(matches!(inputs.get(7), Input::Stdin));
        assert_eq!(inputs.get(0).path(), Some(d.join("a.TXT")));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn an_unreadable_directory_is_a_failure_that_names_it() {
        let d = scratch("missing");
        let gone = d.join("gone");
        let mut inputs = Inputs::default();
        let mut failures = Vec::new();
        walk(&gone, &mut inputs, &mut failures);
        assert_eq!(inputs.len(), 0);
        assert_eq!(failures.len(), 1);
        assert_eq!(failures[0].source, gone.display().to_string());
        assert!(failures[0].message.starts_with("cannot read directory"));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_are_followed_and_not_taken_as_regular() {
        let d = scratch("links");
        std::fs::create_dir_all(d.join("real")).unwrap();
        std::fs::write(d.join("real/r.txt"), "r").unwrap();
        std::os::unix::fs::symlink(d.join("real"), d.join("link")).unwrap();
        std::os::unix::fs::symlink(d.join("real/r.txt"), d.join("alias.txt")).unwrap();
        let (inputs, _) = gather(&[d.display().to_string()]);
        let got: Vec<(String, bool)> = inputs
            .iter()
            .map(|i| (source(i), matches!(i, Input::File { listed: true, .. })))
            .collect();
        let j = |p: &str| d.join(p).display().to_string();
        assert_eq!(
            got,
            [
                (j("alias.txt"), false),
                (j("link/r.txt"), true),
                (j("real/r.txt"), true)
            ]
        );
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_listing_holds_its_names_and_little_else() {
        let d = scratch("size");
        let n = 3000;
        for i in 0..n {
            std::fs::write(d.join(format!("call-{i:05}.txt")), "").unwrap();
        }
        let (inputs, _) = gather(&[d.display().to_string()]);
        assert_eq!(inputs.len(), n);
        // 14 bytes of name and 16 of bookkeeping a file, with room for the buffers'
        // growth; a `PathBuf` per file (24 bytes, and the whole path on the heap) alone
        // would be more.
        let per_file = inputs.heap_bytes() / n;
        assert!(per_file <= 2 * (14 + 16), "{per_file} bytes a file");
        assert_eq!(
            source(inputs.get(n - 1)),
            d.join("call-02999.txt").display().to_string()
        );
        let _ = std::fs::remove_dir_all(&d);
    }
}
