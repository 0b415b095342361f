//! The ids the rules read, so that `bpt template --check` can name every
//! field, table column and table a template lacks that a rule needs.
//!
//! The rules look fields up by string id through [`super::Ctx`]; each
//! lookup is noted here while a trace is on ([`traced`]), under the rules
//! the code at that point serves ([`at`]). [`needs`] runs every rule of a
//! family on the shipped template of that family — on each shipped sample,
//! each broken twin and a blank bid — and keeps what they read that the
//! shipped template has: a table cell as its column (the rows are the
//! template's), a total cell or a lone field as itself, a table as itself.
//! What the rules probe but the shipped template lacks too is no need.
//!
//! No trace is on outside `template --check` and the tests: a lookup then
//! costs one relaxed atomic load.
//!
//! These needs are not resolved when a template loads (a missing one is no
//! load error): the rules read their ids where their logic reads a value,
//! many built from a table's rows, so the list of them is this trace, not a
//! declaration. Declaring them again for the loader would be a second copy
//! in Rust that can drift from what the code reads, and running the trace
//! on every load of a template given by path costs about 1.7 s of CPU (MA,
//! debug build). What is form content rather than code — which fields a
//! rule applies to — is the template's `[form.facts.rules]`, resolved at
//! load (a template error names the rules); Appendix E resolves its fields
//! when its `Workbench` is built.

use crate::template::Layout;
use crate::template::facts::Family;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// What was read, by id, with the rules that read it.
pub type Reads = BTreeMap<String, BTreeSet<&'static str>>;

/// Threads with a trace on.
static TRACING: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static TRACE: RefCell<Option<(&'static str, Reads)>> = const { RefCell::new(None) };
}

/// Names the rules the lookups that follow serve (`"C003/C004"`), until
/// the returned guard is dropped (it puts back the names before).
pub(super) fn at(rules: &'static str) -> At {
    if TRACING.load(Ordering::Relaxed) == 0 {
        return At(None);
    }
    At(TRACE.with(|t| {
        t.borrow_mut()
            .as_mut()
            .map(|(at, _)| std::mem::replace(at, rules))
    }))
}

/// What [`at`] returns: dropped, it puts back the rules named before.
#[must_use = "the rules are named until the guard is dropped"]
pub(super) struct At(Option<&'static str>);

impl Drop for At {
    fn drop(&mut self) {
        if let Some(before) = self.0 {
            TRACE.with(|t| {
                if let Some((at, _)) = t.borrow_mut().as_mut() {
                    *at = before;
                }
            });
        }
    }
}

/// Notes a lookup of `id` (none while the rules named are `""`: what
/// the template lists is read then).
pub(super) fn read(id: &str) {
    if TRACING.load(Ordering::Relaxed) == 0 {
        return;
    }
    TRACE.with(|t| {
        if let Some((at, reads)) = t.borrow_mut().as_mut()
            && !at.is_empty()
        {
            let at = *at;
            if let Some(s) = reads.get_mut(id) {
                s.insert(at);
            } else {
                reads.insert(id.to_string(), BTreeSet::from([at]));
            }
        }
    });
}

/// Runs `f` with a trace on and returns what the rules read in it.
pub fn traced<R>(f: impl FnOnce() -> R) -> (R, Reads) {
    struct On;
    impl Drop for On {
        fn drop(&mut self) {
            TRACE.with(|t| t.borrow_mut().take());
            TRACING.fetch_sub(1, Ordering::Relaxed);
        }
    }
    TRACE.with(|t| *t.borrow_mut() = Some(("", Reads::new())));
    TRACING.fetch_add(1, Ordering::Relaxed);
    let on = On;
    let r = f();
    let reads = TRACE
        .with(|t| t.borrow_mut().as_mut().map(|(_, r)| std::mem::take(r)))
        .unwrap_or_default();
    drop(on);
    (r, reads)
}

/// Something of a template a rule needs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Need {
    /// A field (a lone field or a table's total cell).
    Field(String),
    /// A column of a table (`table`, `column`), in whatever rows.
    Column(String, String),
    /// A table.
    Table(String),
}

impl Need {
    /// Whether a template has it.
    fn met_by(&self, l: &Layout, columns: &BTreeSet<(&str, &str)>) -> bool {
        match self {
            Need::Field(id) => l.field(id).is_some(),
            Need::Column(t, c) => columns.contains(&(t.as_str(), c.as_str())),
            Need::Table(t) => l.table(t).is_some(),
        }
    }
}

impl std::fmt::Display for Need {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Need::Field(id) => write!(f, "field `{id}`"),
            Need::Column(t, c) => write!(f, "column `{c}` of table `{t}`"),
            Need::Table(t) => write!(f, "table `{t}`"),
        }
    }
}

/// What `reads` come to on `shipped`: each need with the rules that have it.
pub fn resolve(reads: &Reads, shipped: &Layout) -> BTreeMap<Need, BTreeSet<&'static str>> {
    let mut out: BTreeMap<Need, BTreeSet<&'static str>> = BTreeMap::new();
    for (id, rules) in reads {
        let need = match shipped.field(id) {
            Some(f) => match &f.table {
                Some(p) if !p.total => Need::Column(p.table.clone(), p.column.clone()),
                _ => Need::Field(id.clone()),
            },
            None if shipped.table(id).is_some() => Need::Table(id.clone()),
            None => continue,
        };
        out.entry(need)
            .or_default()
            .extend(rules.iter().filter(|r| !r.is_empty()));
    }
    out
}

/// Every need of the rules of a family, with the rules that have it: what
/// they read on the family's shipped template, run on every shipped sample
/// of the family, every broken twin on it and a blank bid. Computed once.
pub fn needs(family: Family) -> Result<&'static BTreeMap<Need, BTreeSet<&'static str>>, String> {
    static MA: OnceLock<Result<BTreeMap<Need, BTreeSet<&'static str>>, String>> = OnceLock::new();
    static MSA: OnceLock<Result<BTreeMap<Need, BTreeSet<&'static str>>, String>> = OnceLock::new();
    let cell = match family {
        Family::Ma => &MA,
        Family::Msa => &MSA,
    };
    cell.get_or_init(|| gather(family))
        .as_ref()
        .map_err(Clone::clone)
}

fn gather(family: Family) -> Result<BTreeMap<Need, BTreeSet<&'static str>>, String> {
    let shipped = crate::template::BUILTIN
        .iter()
        .filter_map(|(id, _)| crate::template::builtin_cached(id).ok())
        .find(|l| l.form.family == family)
        .ok_or_else(|| format!("no shipped template of family `{family}`"))?;
    let form = crate::form::cached(shipped)?;
    let mut bids: Vec<crate::value::Values> = vec![crate::value::Values::default()];
    match family {
        Family::Ma => bids.extend(
            crate::sample::profiles()
                .iter()
                .map(|p| crate::sample::generate(p, shipped)),
        ),
        Family::Msa => bids.extend(
            crate::msa_sample::profiles()
                .iter()
                .map(|p| crate::msa_sample::generate(p, shipped)),
        ),
    }
    for t in crate::broken::twins() {
        if let Ok((v, l)) = crate::broken::make(&t)
            && std::ptr::eq(l, shipped)
        {
            bids.push(v);
        }
    }
    let mut all = Reads::new();
    for values in &bids {
        let r = crate::form::recalc(form, values);
        let ctx = super::Ctx {
            layout: shipped,
            values,
            calc: &r.values,
            tolerance: crate::diff::DEFAULT_TOLERANCE,
            defaults: Some(&r.defaults),
        };
        let (_, reads) = traced(|| super::check(&ctx, &super::Selection::default()));
        for (id, rules) in reads {
            all.entry(id).or_default().extend(rules);
        }
    }
    Ok(resolve(&all, shipped))
}

/// One line for each need of the rules that `l` lacks, naming the rules:
/// `validation rule F019 needs column `util_type` of table `ws2.allowed``.
pub fn missing(l: &Layout) -> Result<Vec<String>, String> {
    let columns: BTreeSet<(&str, &str)> = l
        .fields
        .iter()
        .filter_map(|f| f.table.as_ref())
        .filter(|p| !p.total)
        .map(|p| (p.table.as_str(), p.column.as_str()))
        .collect();
    Ok(needs(l.form.family)?
        .iter()
        .filter(|(n, _)| !n.met_by(l, &columns))
        .map(|(n, rules)| {
            let rules: Vec<&str> = rules.iter().copied().collect();
            // One rule (`C006`), or several (`C003/C004`, `F001–F010`).
            let one = rules.len() == 1 && !rules[0].contains(['/', '–']);
            let (s, verb) = if one { ("", "needs") } else { ("s", "need") };
            format!("validation rule{s} {} {verb} {n}", rules.join(", "))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_needs_on_the_shipped_templates_are_met_there() {
        for family in [Family::Ma, Family::Msa] {
            let shipped = crate::template::BUILTIN
                .iter()
                .filter_map(|(id, _)| crate::template::builtin_cached(id).ok())
                .find(|l| l.form.family == family)
                .unwrap();
            assert_eq!(missing(shipped).unwrap(), Vec::<String>::new());
            let n = needs(family).unwrap();
            assert!(n.len() > 20, "{family}: {n:?}");
            // Every need is attributed to a rule.
            assert!(n.values().all(|r| !r.is_empty()), "{n:?}");
        }
    }

    #[test]
    fn a_template_lacking_a_needed_field_names_the_rule() {
        let n = needs(Family::Ma).unwrap();
        assert_eq!(
            n.get(&Need::Field("ws1.base_period.description".into())),
            Some(&BTreeSet::from(["D001–D003/D005/D006"]))
        );
        // What the template lists for a rule (C006's `positive_when_any`)
        // is no need of the code.
        assert!(
            n.get(&Need::Field("ws4.esrd.esrd_mm".into()))
                .is_none_or(|r| !r.contains("C006")),
            "{n:?}"
        );
    }
}
