//! The simulated file-system namespace: paths naming regular files, FIFOs (`mkfifo(3)`)
//! and bound Unix domain sockets (`bind(2)`), which `unlink(2)` removes. There are no
//! directories: a path is its text with leading `./` removed (`./out.txt` and `out.txt`
//! are one file).

use std::collections::BTreeMap;

/// What a path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    /// FIFO `n` of the kernel's FIFO table.
    Fifo(u32),
    /// Unix domain socket `n`, bound to the path.
    Socket(u32),
    /// Regular file `n` of the kernel's file table.
    File(u32),
}

/// `path` without leading `./` components.
fn normal(mut path: &[u8]) -> &[u8] {
    while let Some(rest) = path.strip_prefix(b"./") {
        path = rest.strip_prefix(b"/").unwrap_or(rest);
    }
    path
}

/// Paths and the objects they name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Namespace {
    paths: BTreeMap<Vec<u8>, Node>,
}

impl Namespace {
    /// What `path` names, if anything.
    pub fn lookup(&self, path: &[u8]) -> Option<Node> {
        self.paths.get(normal(path)).copied()
    }

    /// Makes `path` name `node`; `false` (and nothing changes) if the name is taken.
    pub fn create(&mut self, path: &[u8], node: Node) -> bool {
        let path = normal(path);
        if self.paths.contains_key(path) {
            return false;
        }
        self.paths.insert(path.to_vec(), node);
        true
    }

    /// Every path naming a regular file, in path order, with the file's index.
    pub fn files(&self) -> impl Iterator<Item = (&[u8], u32)> + '_ {
        (self.paths.iter()).filter_map(|(path, node)| match node {
            Node::File(f) => Some((path.as_slice(), *f)),
            _ => None,
        })
    }

    /// Removes the name `path`; what it named, if anything. Open descriptors on the object
    /// are not affected (`unlink(2)`).
    pub fn unlink(&mut self, path: &[u8]) -> Option<Node> {
        self.paths.remove(normal(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_created_once_until_unlinked() {
        let mut names = Namespace::default();
        assert!(names.create(b"/tmp/f", Node::Fifo(0)));
        assert!(!names.create(b"/tmp/f", Node::Fifo(1)));
        assert_eq!(names.lookup(b"/tmp/f"), Some(Node::Fifo(0)));
        assert_eq!(names.unlink(b"/tmp/f"), Some(Node::Fifo(0)));
        assert_eq!(names.lookup(b"/tmp/f"), None);
        assert_eq!(names.unlink(b"/tmp/f"), None);
        assert!(names.create(b"/tmp/f", Node::Fifo(2)));
    }

    #[test]
    fn a_leading_dot_slash_names_the_same_path() {
        let mut names = Namespace::default();
        assert!(names.create(b"./out.txt", Node::File(0)));
        assert_eq!(names.lookup(b"out.txt"), Some(Node::File(0)));
        assert!(!names.create(b"././out.txt", Node::File(1)));
    }
}
