//! A line diff on the longest common subsequence: what changed between two YAML texts
//! (the edit conflict in the browser, `egress-console diff` in a terminal).

/// One line of a diff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    /// In both.
    Same(String),
    /// Only in the old text.
    Removed(String),
    /// Only in the new text.
    Added(String),
}

/// The lines of `old` and `new`, aligned on their longest common subsequence.
pub fn diff_lines(old: &str, new: &str) -> Vec<Line> {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    // lcs[i][j]: length of the common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] =
                if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push(Line::Same(a[i].to_owned()));
            (i, j) = (i + 1, j + 1);
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push(Line::Added(b[j].to_owned()));
            j += 1;
        } else {
            out.push(Line::Removed(a[i].to_owned()));
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_line_is_one_removal_and_one_addition() {
        let lines = diff_lines("a\nport: 443\nc\n", "a\nport: 8443\nc\nd\n");
        assert_eq!(
            lines,
            vec![
                Line::Same("a".into()),
                Line::Added("port: 8443".into()),
                Line::Removed("port: 443".into()),
                Line::Same("c".into()),
                Line::Added("d".into()),
            ]
        );
    }
}
