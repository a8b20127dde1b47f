//! The layout stays as README.md describes it: no import cycles between source files, no file
//! over 400 lines, and no printing from the library's training code (only the CLI prints).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path below the crate root (`["pipeline", "upsample"]`); the root is empty.
type ModulePath = Vec<String>;

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// `src/pipeline/mod.rs` → `pipeline`, `src/pipeline/upsample.rs` → `pipeline::upsample`.
fn module_of(file: &Path) -> ModulePath {
    let relative = file.strip_prefix(src()).unwrap().with_extension("");
    let mut parts: ModulePath = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

/// The code of a file without comments and without its unit tests (tests may reach anywhere).
fn code(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap();
    text.lines().map(|line| line.split("//").next().unwrap()).collect::<Vec<_>>().join("\n")
}

/// The identifiers of a path that starts right after `crate::` or `super::` in `rest`.
fn path_after(rest: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = rest;
    loop {
        let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        parts.push(rest[..end].to_string());
        match rest[end..].strip_prefix("::") {
            Some(next) => rest = next,
            None => break,
        }
    }
    parts
}

/// Which modules each file's code refers to: `crate::…` and `super::…` paths, and `use child::…`
/// in a file that declares children. A path names the longest module it starts with.
fn dependencies() -> BTreeMap<ModulePath, BTreeSet<ModulePath>> {
    let files = rust_files(&src());
    let modules: BTreeSet<ModulePath> = files.iter().map(|f| module_of(f)).collect();
    let longest_module =
        |path: &[String]| (0..=path.len()).rev().map(|n| path[..n].to_vec()).find(|p| modules.contains(p));
    let mut graph = BTreeMap::new();
    for file in &files {
        let module = module_of(file);
        let code = code(file);
        let mut targets = BTreeSet::new();
        for (at, keyword) in code.match_indices("crate::").chain(code.match_indices("super::")) {
            let base = if keyword == "super::" { module[..module.len().saturating_sub(1)].to_vec() } else { vec![] };
            let full: ModulePath = base.into_iter().chain(path_after(&code[at + keyword.len()..])).collect();
            targets.extend(longest_module(&full));
        }
        for line in code.lines() {
            let line = line.trim_start().trim_start_matches("pub ");
            if let Some(rest) = line.strip_prefix("use ") {
                let child: ModulePath = module.iter().cloned().chain(path_after(rest).into_iter().take(1)).collect();
                if modules.contains(&child) {
                    targets.insert(child);
                }
            }
        }
        targets.retain(|t| t != &module && !t.is_empty());
        graph.insert(module, targets);
    }
    graph
}

/// A cycle through `start`, if there is one: the modules along it.
fn cycle_from(graph: &BTreeMap<ModulePath, BTreeSet<ModulePath>>, start: &ModulePath) -> Option<Vec<ModulePath>> {
    let mut stack = vec![(start.clone(), vec![start.clone()])];
    let mut seen = BTreeSet::new();
    while let Some((node, path)) = stack.pop() {
        for next in graph.get(&node).into_iter().flatten() {
            if next == start {
                return Some(path.clone());
            }
            if seen.insert(next.clone()) {
                stack.push((next.clone(), path.iter().cloned().chain([next.clone()]).collect()));
            }
        }
    }
    None
}

#[test]
fn the_cycle_search_finds_a_cycle() {
    let (a, b, c) = (vec!["a".to_string()], vec!["b".to_string()], vec!["c".to_string()]);
    let mut graph =
        BTreeMap::from([(a.clone(), BTreeSet::from([b.clone()])), (b.clone(), BTreeSet::from([c.clone()]))]);
    assert_eq!(cycle_from(&graph, &a), None);
    graph.insert(c.clone(), BTreeSet::from([a.clone()]));
    assert_eq!(cycle_from(&graph, &a), Some(vec![a, b, c]));
}

#[test]
fn no_source_file_imports_one_that_imports_it_back() {
    let graph = dependencies();
    assert!(graph.contains_key(&vec!["pipeline".to_string(), "upsample".to_string()]), "the walk found src/");
    let upsample = &graph[&vec!["pipeline".to_string(), "upsample".to_string()]];
    assert!(upsample.contains(&vec!["pipeline".to_string(), "network".to_string()]), "it reads super:: paths");
    for module in graph.keys() {
        if let Some(cycle) = cycle_from(&graph, module) {
            let names: Vec<String> = cycle.iter().map(|m| m.join("::")).collect();
            panic!("import cycle: {} -> back to {}", names.join(" -> "), names[0]);
        }
    }
}

#[test]
fn no_source_file_is_over_400_lines() {
    for file in rust_files(&src()) {
        let lines = std::fs::read_to_string(&file).unwrap().lines().count();
        assert!(lines <= 400, "{} has {lines} lines: split it by job", file.display());
    }
}

#[test]
fn training_code_never_prints() {
    for file in rust_files(&src().join("train")) {
        let code = code(&file);
        for word in ["println!", "eprintln!", "print!(", "eprint!("] {
            assert!(!code.contains(word), "{} uses {word}: report through train::Reporter", file.display());
        }
    }
}
