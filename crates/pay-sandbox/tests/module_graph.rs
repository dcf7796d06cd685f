//! The sandbox's modules form no cycle: no two of them import each other, directly or through
//! others. Every `use` tree and every `crate::`/`super::`/`self::` path in a module's file is an
//! edge to the deepest module it names (a `mod` declaration is not); the graph must be acyclic.
//! Also: `lib.rs` declares its modules private (the public API is what it re-exports).
#![allow(clippy::indexing_slicing, clippy::unwrap_used)] // helpers outside #[test]: a failure is a failed test

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's path from the crate root (`[]` for the root, `["qostiq", "bills"]`).
type ModulePath = Vec<String>;

/// Every module file under `src` with its path and its source without comments and literals.
fn modules(src: &Path) -> BTreeMap<ModulePath, String> {
    let mut out = BTreeMap::new();
    let mut pending = vec![src.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path: PathBuf = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).unwrap();
            let mut segments: ModulePath = relative
                .iter()
                .map(|s| s.to_string_lossy().trim_end_matches(".rs").to_owned())
                .collect();
            if matches!(
                segments.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                segments.pop();
            }
            out.insert(segments, strip(&std::fs::read_to_string(&path).unwrap()));
        }
    }
    out
}

/// The source with comments, string and character literals blanked out (lifetimes kept).
fn strip(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r'
            && (at(i + 1) == '"' || (at(i + 1) == '#' && !at(i.wrapping_sub(1)).is_alphanumeric()))
        {
            // A raw string: r"…", r#"…"#.
            let mut hashes = 0;
            let mut j = i + 1;
            while at(j) == '#' {
                hashes += 1;
                j += 1;
            }
            if at(j) != '"' {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (1..=hashes).all(|k| at(j + k) == '#') {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            i = j;
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && (at(i + 1) == '\\' || at(i + 2) == '\'') {
            // A character literal (a lifetime has no closing quote).
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The paths a `use` tree names (`a::{b, c::d}` → `a::b`, `a::c::d`).
fn expand(tree: &str) -> Vec<Vec<String>> {
    let tree: String = tree.split_whitespace().collect::<Vec<_>>().join(" ");
    let tree = tree.trim();
    let (head, group) = match tree.find('{') {
        Some(open) => {
            let close = tree.rfind('}').unwrap();
            (&tree[..open], Some(&tree[open + 1..close]))
        }
        None => (tree, None),
    };
    let head = head.split(" as ").next().unwrap();
    let prefix: Vec<String> = head
        .split("::")
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "*")
        .map(str::to_owned)
        .collect();
    let Some(group) = group else {
        return vec![prefix];
    };
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&group[start..]);
    items
        .into_iter()
        .filter(|item| !item.trim().is_empty())
        .flat_map(|item| {
            expand(item).into_iter().map(|rest| {
                let mut path = prefix.clone();
                path.extend(rest.into_iter().filter(|s| s != "self"));
                path
            })
        })
        .collect()
}

/// The spans of inline `mod name { … }` blocks.
fn inline_modules(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut search = 0;
    while let Some(found) = text[search..].find("mod ") {
        let start = search + found;
        search = start + 4;
        if text[..start].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let rest = &text[start + 4..];
        let name_len = rest.chars().take_while(|c| is_ident(*c)).count();
        let after = rest[name_len..].trim_start();
        if name_len == 0 || !after.starts_with('{') {
            continue;
        }
        let open = text.len() - after.len();
        let mut depth = 0;
        for (i, c) in text[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        spans.push((open, open + i));
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    spans
}

/// A path a module's source names.
struct Named {
    segments: Vec<String>,
    /// From a `use` tree (whose first segment may name a child module).
    in_use_tree: bool,
    /// How many inline `mod { … }` blocks enclose it (`super` inside `mod tests` is the file).
    inline_depth: usize,
}

/// Every path a module's source names: `use` trees and `crate::`/`super::`/`self::` paths.
fn named_paths(text: &str) -> Vec<Named> {
    let inline = inline_modules(text);
    let depth = |at: usize| inline.iter().filter(|(s, e)| *s < at && at < *e).count();
    let mut out = Vec::new();
    let mut search = 0;
    while let Some(found) = text[search..].find("use ") {
        let start = search + found;
        search = start + 4;
        if text[..start].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let Some(end) = text[start..].find(';') else {
            break;
        };
        for segments in expand(&text[start + 4..start + end]) {
            out.push(Named {
                segments,
                in_use_tree: true,
                inline_depth: depth(start),
            });
        }
    }
    for keyword in ["crate::", "super::", "self::"] {
        let mut search = 0;
        while let Some(found) = text[search..].find(keyword) {
            let start = search + found;
            search = start + keyword.len();
            let before = text[..start].chars().next_back().unwrap_or(' ');
            if is_ident(before) || before == '$' {
                continue;
            }
            let segments: Vec<String> = text[start..]
                .chars()
                .take_while(|c| is_ident(*c) || *c == ':')
                .collect::<String>()
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            // A bare `super::{…}` is a use tree, expanded above.
            if segments.len() > 1 {
                out.push(Named {
                    segments,
                    in_use_tree: false,
                    inline_depth: depth(start),
                });
            }
        }
    }
    out
}

/// The module a path names from `from`: its deepest segment that is a module; `None` for an
/// external crate or an item of an inline module.
fn resolve(from: &ModulePath, named: &Named, known: &BTreeSet<ModulePath>) -> Option<ModulePath> {
    // Inline modules are part of their file: inside one, `self` is still the file and each
    // `super` first leaves an inline module.
    let mut inline = named.inline_depth;
    let mut segments = named.segments.iter().peekable();
    let mut at: ModulePath = match segments.peek().map(|s| s.as_str()) {
        Some("crate") => {
            segments.next();
            Vec::new()
        }
        Some("self") => {
            segments.next();
            from.clone()
        }
        Some("super") => {
            let mut at = from.clone();
            while segments.peek().map(|s| s.as_str()) == Some("super") {
                segments.next();
                if inline > 0 {
                    inline -= 1;
                } else {
                    at.pop();
                }
            }
            at
        }
        Some(first) if named.in_use_tree && inline == 0 => {
            let mut child = from.clone();
            child.push(first.to_owned());
            if !known.contains(&child) {
                return None;
            }
            from.clone()
        }
        _ => return None,
    };
    if inline > 0 {
        // A path into the inline module itself.
        return Some(from.clone());
    }
    for segment in segments {
        let mut deeper = at.clone();
        deeper.push(segment.clone());
        if !known.contains(&deeper) {
            break;
        }
        at = deeper;
    }
    Some(at)
}

fn show(module: &ModulePath) -> String {
    if module.is_empty() {
        "crate".to_owned()
    } else {
        module.join("::")
    }
}

/// The import graph: module → the modules it imports.
fn graph(src: &Path) -> BTreeMap<ModulePath, BTreeSet<ModulePath>> {
    let modules = modules(src);
    let known: BTreeSet<ModulePath> = modules.keys().cloned().collect();
    modules
        .iter()
        .map(|(module, source)| {
            let targets = named_paths(source)
                .iter()
                .filter_map(|named| resolve(module, named, &known))
                .filter(|target| target != module)
                .collect();
            (module.clone(), targets)
        })
        .collect()
}

/// Every cycle's modules, each cycle once (by depth-first search).
fn cycles(graph: &BTreeMap<ModulePath, BTreeSet<ModulePath>>) -> Vec<Vec<ModulePath>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Unseen,
        OnPath,
        Done,
    }
    fn visit(
        node: &ModulePath,
        graph: &BTreeMap<ModulePath, BTreeSet<ModulePath>>,
        marks: &mut BTreeMap<ModulePath, Mark>,
        path: &mut Vec<ModulePath>,
        found: &mut Vec<Vec<ModulePath>>,
    ) {
        marks.insert(node.clone(), Mark::OnPath);
        path.push(node.clone());
        for next in graph.get(node).into_iter().flatten() {
            match marks.get(next).copied().unwrap_or(Mark::Unseen) {
                Mark::OnPath => {
                    let from = path.iter().position(|m| m == next).unwrap();
                    let mut cycle = path[from..].to_vec();
                    cycle.push(next.clone());
                    found.push(cycle);
                }
                Mark::Unseen => visit(next, graph, marks, path, found),
                Mark::Done => {}
            }
        }
        path.pop();
        marks.insert(node.clone(), Mark::Done);
    }
    let mut marks = BTreeMap::new();
    let mut found = Vec::new();
    for node in graph.keys() {
        if marks.get(node).copied().unwrap_or(Mark::Unseen) == Mark::Unseen {
            visit(node, graph, &mut marks, &mut Vec::new(), &mut found);
        }
    }
    found
}

fn describe(found: &[Vec<ModulePath>]) -> Vec<String> {
    found
        .iter()
        .map(|cycle| cycle.iter().map(show).collect::<Vec<_>>().join(" -> "))
        .collect()
}

#[test]
fn the_sandbox_modules_import_each_other_in_no_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = graph(&src);
    assert!(graph.len() > 20, "found only {} modules", graph.len());
    // The checker sees the edges that matter (a sanity check on the parser).
    let edges = |from: &[&str]| -> BTreeSet<String> {
        let from: ModulePath = from.iter().map(|s| (*s).to_owned()).collect();
        graph[&from].iter().map(show).collect()
    };
    assert!(edges(&["server"]).contains("emulator"));
    assert!(edges(&["qostiq", "routes"]).contains("qostiq::bills"));
    assert!(edges(&["qostiq", "bills"]).contains("qostiq::protocol"));
    let found = cycles(&graph);
    assert!(found.is_empty(), "module cycles: {:#?}", describe(&found));
}

#[test]
fn the_modules_are_private_and_the_api_is_what_lib_rs_re_exports() {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    let public_modules: Vec<&str> = lib
        .lines()
        .filter(|l| l.trim_start().starts_with("pub mod "))
        .collect();
    assert!(public_modules.is_empty(), "{public_modules:?}");
}

/// A scratch source tree (removed when dropped).
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str, files: &[(&str, &str)]) -> Self {
        let root = std::env::temp_dir().join(format!(
            "pay-sandbox-module-graph-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        for (path, text) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        Self(root)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn the_check_finds_direct_indirect_and_parent_child_cycles() {
    // server -> handlers -> server (a handler importing the server's reply type).
    let direct = Scratch::new(
        "direct",
        &[
            ("lib.rs", "mod server; mod handlers;"),
            (
                "server.rs",
                "use crate::handlers::{self, pay};\npub struct Reply;",
            ),
            (
                "handlers.rs",
                "// use crate::nothing;\nuse crate::server::Reply;\nfn pay() -> Reply { let _ = \"crate::x\"; Reply }",
            ),
        ],
    );
    assert_eq!(
        describe(&cycles(&graph(&direct.0))),
        ["handlers -> server -> handlers"]
    );
    // a -> b -> c -> a through an inline path; a parent re-exporting from a child that imports it.
    let indirect = Scratch::new(
        "indirect",
        &[
            ("lib.rs", "mod a; mod b; mod c; mod p;"),
            ("a.rs", "use crate::b::B;"),
            ("b.rs", "pub struct B(crate::c::C);"),
            ("c.rs", "pub struct C; fn f() { crate::a::g() }"),
            (
                "p/mod.rs",
                "mod child;\npub use child::Thing;\npub struct Shared;",
            ),
            (
                "p/child.rs",
                "use super::Shared;\npub struct Thing(Shared);",
            ),
        ],
    );
    assert_eq!(
        describe(&cycles(&graph(&indirect.0))),
        ["a -> b -> c -> a", "p -> p::child -> p"]
    );
    // Children importing siblings and a facade re-exporting them: no cycle.
    let clean = Scratch::new(
        "clean",
        &[
            ("lib.rs", "mod p; pub use p::Api;"),
            (
                "p/mod.rs",
                "mod protocol; mod routes;\npub use routes::Api;",
            ),
            (
                "p/protocol.rs",
                "pub struct Error;\n#[cfg(test)]\nmod tests {\n    use super::*;\n    fn f() -> self::Error { super::Error }\n}",
            ),
            (
                "p/routes.rs",
                "use super::protocol::Error;\npub struct Api(Error);",
            ),
        ],
    );
    assert!(cycles(&graph(&clean.0)).is_empty());
}
