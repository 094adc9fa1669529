//! Positions as the chart and the forms show them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const MAX_POSITION_NAME_CHARS: usize = 100;
/// Holders a position's details list at once (the rest: User Management,
/// filtered by the position).
pub const HOLDERS_SHOWN: i64 = 50;

/// One position of the chart: where it sits and how many hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub holders: i64,
}

/// A position as a link or a choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionRef {
    pub id: Uuid,
    pub name: String,
}

/// Someone who holds a position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub id: Uuid,
    pub name: String,
    pub email: String,
}

/// A position with its place in the chart and its holders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionDetails {
    pub id: Uuid,
    pub name: String,
    /// From the top of the chart down to its parent.
    pub path: Vec<PositionRef>,
    pub children: i64,
    pub holders: Vec<Holder>,
    pub holders_total: i64,
}

/// The chart as a tree: each position's children, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tree {
    pub positions: Vec<Position>,
    /// Indexes into `positions`: the tops of the chart, then each
    /// position's children (same order as `positions`).
    pub roots: Vec<usize>,
    pub children: Vec<Vec<usize>>,
}

impl Tree {
    /// Builds the tree from the flat list (sorted by name, as the server
    /// sends it). A parent that is not in the list makes its child a top.
    pub fn new(positions: Vec<Position>) -> Self {
        let index: std::collections::HashMap<Uuid, usize> =
            positions.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
        let mut roots = Vec::new();
        let mut children = vec![Vec::new(); positions.len()];
        for (i, position) in positions.iter().enumerate() {
            match position.parent_id.and_then(|parent| index.get(&parent)) {
                Some(&parent) => children[parent].push(i),
                None => roots.push(i),
            }
        }
        Tree { positions, roots, children }
    }

    /// The positions whose name contains `term` (case-insensitively), with
    /// every ancestor of each, so the chart can show the paths to them.
    pub fn matching(&self, term: &str) -> std::collections::HashSet<usize> {
        let term = term.trim().to_lowercase();
        let mut shown = std::collections::HashSet::new();
        if term.is_empty() {
            return shown;
        }
        let parent: std::collections::HashMap<usize, usize> =
            self.children.iter().enumerate().flat_map(|(p, kids)| kids.iter().map(move |&k| (k, p))).collect();
        for (i, position) in self.positions.iter().enumerate() {
            if position.name.to_lowercase().contains(&term) {
                let mut at = Some(i);
                while let Some(node) = at {
                    if !shown.insert(node) {
                        break;
                    }
                    at = parent.get(&node).copied();
                }
            }
        }
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position(id: u128, parent: Option<u128>, name: &str) -> Position {
        Position { id: Uuid::from_u128(id), parent_id: parent.map(Uuid::from_u128), name: name.into(), holders: 0 }
    }

    #[test]
    fn the_tree_nests_children_and_finds_paths_to_matches() {
        let tree = Tree::new(vec![
            position(1, None, "CEO"),
            position(2, Some(1), "CTO"),
            position(3, Some(2), "Engineer"),
            position(4, Some(1), "CFO"),
            position(5, Some(99), "Orphan"),
        ]);
        assert_eq!(tree.roots, [0, 4]);
        assert_eq!(tree.children[0], [1, 3]);
        assert_eq!(tree.children[1], [2]);
        let shown = tree.matching("engin");
        assert_eq!(shown, [0, 1, 2].into_iter().collect());
        assert!(tree.matching("  ").is_empty());
    }
}
