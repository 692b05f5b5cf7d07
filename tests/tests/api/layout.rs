//! The code's layering, checked: no module imports another that imports it back. Each crate's
//! `use crate::...` and `use super::...` lines are read from the source; an import between two
//! modules is an edge between the siblings that contain them (so `routes::referrals::x` using
//! `routes::sessions::y` is `referrals -> sessions`), and a cycle among siblings fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Graph = BTreeMap<Vec<String>, BTreeSet<Vec<String>>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `a/b/mod.rs` and `a/b.rs` are module `a::b`; `lib.rs`/`main.rs` the crate root.
fn module_of(root: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(root).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The paths a `use` names, with a group's items expanded one level (`crate::{a, b::c}`).
fn used_paths(line: &str) -> Vec<String> {
    let path = line.trim_end_matches(';').trim();
    match path.split_once("::{") {
        Some((head, items)) => items
            .trim_end_matches('}')
            .split(',')
            .map(|i| format!("{head}::{}", i.trim()))
            .collect(),
        None => vec![path.to_string()],
    }
}

/// Each module's imports of other modules of the same crate (tests excluded).
fn imports(root: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let mut files = Vec::new();
    rust_files(root, &mut files);
    let modules: BTreeSet<Vec<String>> = files.iter().map(|f| module_of(root, f)).collect();
    let mut graph = BTreeMap::new();
    for file in &files {
        let me = module_of(root, file);
        let text = std::fs::read_to_string(file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let mut edges = BTreeSet::new();
        for line in code.lines().map(str::trim) {
            let Some(rest) = line.strip_prefix("pub use ").or(line.strip_prefix("use ")) else {
                continue;
            };
            for path in used_paths(rest) {
                let mut parts: Vec<String> = path.split("::").map(str::to_string).collect();
                let base: Vec<String> = match parts.first().map(String::as_str) {
                    Some("crate") => Vec::new(),
                    Some("super") => me[..me.len().saturating_sub(1)].to_vec(),
                    _ => continue,
                };
                parts.remove(0);
                let full: Vec<String> = base.into_iter().chain(parts).collect();
                let target = (1..=full.len())
                    .rev()
                    .map(|k| full[..k].to_vec())
                    .find(|m| modules.contains(m));
                if let Some(target) = target {
                    if !me.starts_with(&target) && !target.starts_with(&me) {
                        edges.insert(target);
                    }
                }
            }
        }
        graph.insert(me, edges);
    }
    graph
}

/// Edges between sibling modules at every depth.
fn sibling_graph(imports: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Graph {
    let mut graph = Graph::new();
    for (from, targets) in imports {
        for to in targets {
            let common = from.iter().zip(to).take_while(|(a, b)| a == b).count();
            if common < from.len() && common < to.len() {
                graph
                    .entry(from[..=common].to_vec())
                    .or_default()
                    .insert(to[..=common].to_vec());
            }
        }
    }
    graph
}

/// A cycle through `start`, if any (depth-first search back to it).
fn cycle_through(graph: &Graph, start: &Vec<String>) -> Option<Vec<Vec<String>>> {
    let mut stack = vec![(start.clone(), vec![start.clone()])];
    let mut seen = BTreeSet::new();
    while let Some((at, path)) = stack.pop() {
        for next in graph.get(&at).into_iter().flatten() {
            if next == start {
                return Some(path);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

fn cycles(crate_dir: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(crate_dir);
    let graph = sibling_graph(&imports(&root));
    graph
        .keys()
        .filter_map(|m| cycle_through(&graph, m))
        .map(|c| {
            c.iter()
                .map(|m| m.join("::"))
                .collect::<Vec<_>>()
                .join(" -> ")
        })
        .collect()
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    for krate in ["domain/src", "persistence/src", "app/src", "api/src"] {
        let found = cycles(krate);
        assert!(found.is_empty(), "import cycles in {krate}: {found:#?}");
    }
}

/// The check sees a cycle when there is one.
#[test]
fn the_cycle_check_finds_a_planted_cycle() {
    let dir = std::env::temp_dir().join(format!("ccm-layout-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::write(dir.join("lib.rs"), "pub mod a;\npub mod b;\n").unwrap();
    std::fs::write(dir.join("a/mod.rs"), "mod x;\n").unwrap();
    std::fs::write(dir.join("a/x.rs"), "use crate::b::{self, y};\n").unwrap();
    std::fs::write(dir.join("b.rs"), "use crate::a;\nuse super::c;\n").unwrap();
    let graph = sibling_graph(&imports(&dir));
    std::fs::remove_dir_all(&dir).unwrap();
    let a = vec!["a".to_string()];
    assert_eq!(
        cycle_through(&graph, &a),
        Some(vec![a.clone(), vec!["b".to_string()]])
    );
}
